internal import CLua
internal import CLuaGuard

extension LuaState {
    /// Opens the allowed standard libraries, creates `json.null`, registers the
    /// host functions and runs the sandbox prelude (which also makes the
    /// metamethods of lazy JSON arrays).
    func installSandbox() throws {
        // Nothing else is opened: no io, no package, no debug, no coroutine.
        let openers: [(String, lua_CFunction)] = [
            ("_G", luaopen_base), ("string", luaopen_string), ("table", luaopen_table),
            ("math", luaopen_math), ("utf8", luaopen_utf8), ("os", luaopen_os),
        ]
        for (name, open) in openers {
            luaL_requiref(L, name, open, 1)
            clua_pop(L, 1)
        }
        clua_install_bounded_library(L)
        guard luaSandboxPrelude.utf8CString.withUnsafeBufferPointer({
            clua_loadbuffer(L, $0.baseAddress, $0.count - 1, "=argo.sandbox")
        }) == LUA_OK else {
            let message = string(at: -1)
            throw LuaError(kind: .internal, message: "sandbox prelude does not compile: \(message)")
        }
        pushHostTable()
        pushJSONNull()
        lua_pushlightuserdata(L, lazyJSONMarker)
        pushString(lazyJSONFailure.kind)
        pushString(lazyJSONFailure.message)
        try protectedCall(argumentCount: 5, resultCount: 2, plugin: nil, function: "sandbox")
        lazyJSONMethodsRef = luaL_ref(L, clua_registryindex())
        makeEnvironmentRef = luaL_ref(L, clua_registryindex())
    }

    /// The table of host functions the prelude wires into each environment.
    private func pushHostTable() {
        lua_createtable(L, 0, 4)
        pushHostFunction { state in try state.jsonDecodeHostFunction() }
        lua_setfield(L, -2, "json_decode")
        pushHostFunction { state in try state.jsonMaterializeHostFunction() }
        lua_setfield(L, -2, "json_materialize")
        pushHostFunction { state in try state.jsonEncodeHostFunction() }
        lua_setfield(L, -2, "json_encode")
        pushHostFunction { state in try state.librarySourceHostFunction() }
        lua_setfield(L, -2, "lib_source")
    }

    /// Creates the `json.null` sentinel: a userdata with a locked metatable.
    private func pushJSONNull() {
        _ = clua_newuserdata(L, 0)
        lua_createtable(L, 0, 2)
        lua_pushstring(L, "json.null")
        lua_setfield(L, -2, "__name")
        lua_pushboolean(L, 0)
        lua_setfield(L, -2, "__metatable")
        _ = lua_setmetatable(L, -2)
        jsonNullPointer = lua_topointer(L, -1)
        lua_pushvalue(L, -1)
        jsonNullRef = luaL_ref(L, clua_registryindex())
    }

    /// `host.lib_source(name)`: the source and chunk name of a module under
    /// `plugins/lib/`, or `nil` and a message.
    private func librarySourceHostFunction() throws -> Int32 {
        let name = try withStringArgument(1, function: "require") { String(decoding: $0, as: UTF8.self) }
        switch library.module(named: name) {
        case .success(let module):
            pushBytes(module.source)
            pushString("@" + module.chunkName)
        case .failure(let reason):
            lua_pushnil(L)
            pushString(reason.description)
        }
        return 2
    }
}
