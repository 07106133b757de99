internal import CLua

/// A value kept alive in a ``LuaState``'s registry, such as the table a plugin
/// file returned. Valid only in the state that made it.
public struct LuaReference: Sendable, Hashable {
    let id: Int32
}

extension LuaState {
    /// Compiles `source` as a text chunk named `chunkName` (e.g. `plugins/alpaca.lua`),
    /// runs it in a fresh sandbox environment under the limits, and keeps its
    /// first result in the registry.
    public func loadChunk(_ source: [UInt8], chunkName: String, plugin: String? = nil) throws -> LuaReference {
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        try pushChunk(source, chunkName: chunkName, plugin: plugin)
        try protectedCall(argumentCount: 0, resultCount: 1, plugin: plugin, function: "main chunk")
        return LuaReference(id: luaL_ref(L, clua_registryindex()))
    }

    /// Runs `source` in a fresh sandbox environment and returns its results.
    public func evaluate(_ source: String, chunkName: String = "=(eval)", plugin: String? = nil) throws -> [LuaValue] {
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        try pushChunk(Array(source.utf8), chunkName: chunkName, plugin: plugin)
        try protectedCall(argumentCount: 0, resultCount: LUA_MULTRET, plugin: plugin, function: "main chunk")
        return try (base + 1).stride(through: lua_gettop(L)).map { try value(at: $0) }
    }

    /// Frees a reference; the value may then be collected.
    public func release(_ reference: LuaReference) {
        luaL_unref(L, clua_registryindex(), reference.id)
    }

    /// The value a reference holds, copied into Swift.
    public func value(of reference: LuaReference) throws -> LuaValue {
        lua_rawgeti(L, clua_registryindex(), lua_Integer(reference.id))
        defer { clua_pop(L, 1) }
        return try value(at: -1)
    }

    /// Calls `module.function(arguments...)` and returns its results.
    public func call(
        _ module: LuaReference, _ function: String, plugin: String? = nil, arguments: [LuaValue] = []
    ) throws -> [LuaValue] {
        try call(module, function, plugin: plugin) { state in
            for argument in arguments { try state.push(argument) }
            return Int32(arguments.count)
        } results: { state, first, count in
            try (0..<count).map { try state.value(at: first + $0) }
        }
    }

    /// Calls `module.function` with arguments pushed by `pushArguments` (which
    /// returns how many it pushed), then hands the results' first stack index and
    /// count to `results`. The stack is restored afterwards. This is the fast path:
    /// arguments such as a decoded response go straight onto the Lua stack.
    public func call<R>(
        _ module: LuaReference, _ function: String, plugin: String? = nil,
        arguments pushArguments: (LuaState) throws -> Int32,
        results: (LuaState, Int32, Int32) throws -> R
    ) throws -> R {
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        lua_rawgeti(L, clua_registryindex(), lua_Integer(module.id))
        guard lua_type(L, -1) == LUA_TTABLE else {
            throw LuaError(kind: .runtime, message: "the chunk did not return a table", plugin: plugin, function: function)
        }
        pushString(function)
        _ = lua_rawget(L, -2)
        guard lua_type(L, -1) == LUA_TFUNCTION else {
            throw LuaError(
                kind: .runtime, message: "'\(function)' is a \(typeName(at: -1)), not a function", plugin: plugin,
                function: function)
        }
        clua_remove(L, -2)
        let count = try pushArguments(self)
        try protectedCall(argumentCount: count, resultCount: LUA_MULTRET, plugin: plugin, function: function)
        return try results(self, base + 1, lua_gettop(L) - base)
    }

    /// Compiles a chunk and gives it a fresh sandbox environment as `_ENV`.
    private func pushChunk(_ source: [UInt8], chunkName: String, plugin: String?) throws {
        lua_rawgeti(L, clua_registryindex(), lua_Integer(makeEnvironmentRef))
        try protectedCall(argumentCount: 0, resultCount: 1, plugin: plugin, function: "sandbox")
        let status = source.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                clua_loadbuffer(L, $0.baseAddress ?? emptyCString, $0.count, chunkName.hasPrefix("=") ? chunkName : "@" + chunkName)
            }
        }
        guard status == LUA_OK else {
            var error = LuaError(kind: .syntax, luaMessage: string(at: -1))
            error.plugin = plugin
            throw error
        }
        lua_rotate(L, -2, 1)  // env above the function
        _ = lua_setupvalue(L, -2, 1)  // the env becomes the chunk's _ENV
    }
}

extension Int32 {
    fileprivate func stride(through end: Int32) -> StrideThrough<Int32> { Swift.stride(from: self, through: end, by: 1) }
}

extension LuaState {
    /// Pushes the value a reference holds (for a `call`'s argument closure).
    public func pushReference(_ reference: LuaReference) {
        lua_rawgeti(L, clua_registryindex(), lua_Integer(reference.id))
    }
}
