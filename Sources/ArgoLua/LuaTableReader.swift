internal import CLua

/// A Lua table on the stack, read field by field: what a host needs of a
/// small result (a plugin's request, say) without copying the whole table
/// into a ``LuaValue`` tree of hashed dictionaries first. Reads raw (no
/// metamethod runs); a lazy JSON array is decoded before it is read. Valid
/// only inside the closure that received it.
public struct LuaTableReader {
    let state: LuaState
    /// The table's absolute stack index.
    let index: Int32

    /// The field `key`, converted as ``LuaState/value(at:)`` converts it (a
    /// scalar costs no more than its own copy; a table is copied whole).
    public func value(_ key: String) throws -> LuaValue {
        let L = state.L
        state.pushString(key)
        lua_rawget(L, index)
        defer { clua_pop(L, 1) }
        return try state.value(at: -1)
    }

    /// `body` with a reader of the field `key` when it is a table; nil, without
    /// calling `body`, when it is anything else (nil included).
    public func withTable<R>(_ key: String, _ body: (LuaTableReader) throws -> R) throws -> R? {
        let L = state.L
        state.pushString(key)
        defer { clua_pop(L, 1) }
        guard lua_rawget(L, index) == LUA_TTABLE else { return nil }
        return try state.withTable(at: -1, body)
    }

    /// Each key and value of the table (any order); keys and values converted
    /// as ``value(_:)`` converts a field.
    public func forEach(_ body: (LuaValue, LuaValue) throws -> Void) throws {
        try forEachPair { top in try body(try state.value(at: top - 1), try state.value(at: top)) }
    }

    /// `body` with a reader of each value that is a table, by its key; other
    /// values are passed to `other` (their key and Lua type name).
    public func forEachTable(
        _ body: (LuaValue, LuaTableReader) throws -> Void, other: (LuaValue, String) throws -> Void
    ) throws {
        try forEachPair { top in
            let key = try state.value(at: top - 1)
            if lua_type(state.L, top) == LUA_TTABLE {
                _ = try state.withTable(at: top) { try body(key, $0) }
            } else {
                try other(key, state.typeName(at: top))
            }
        }
    }

    /// `body` for each pair, with the key at `top - 1` and the value at `top`
    /// of the stack; the stack is as before afterwards, thrown through or not.
    private func forEachPair(_ body: (_ top: Int32) throws -> Void) throws {
        let L = state.L
        guard lua_checkstack(L, 3) != 0 else { throw LuaError(kind: .conversion, message: "Lua stack overflow while reading a table") }
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            let top = lua_gettop(L)
            do {
                try body(top)
            } catch {
                lua_settop(L, top - 2)
                throw error
            }
            lua_settop(L, top - 1)
        }
    }

    /// Whether the table's keys are exactly the integers 1…n, n ≥ 1 (a list).
    public var isList: Bool {
        let length = Int(lua_rawlen(state.L, index))
        return length > 0 && state.isSequence(at: index, length: length)
    }

    /// Whether the table has no key at all.
    public var isEmpty: Bool {
        let L = state.L
        lua_pushnil(L)
        guard lua_next(L, index) != 0 else { return true }
        clua_pop(L, 2)
        return false
    }
}

extension LuaState {
    /// `body` with a reader of the table at stack `index`; nil, without calling
    /// `body`, when the value there is no table. A lazy JSON array is decoded first.
    public func withTable<R>(at index: Int32, _ body: (LuaTableReader) throws -> R) throws -> R? {
        let absolute = lua_absindex(L, index)
        guard lua_type(L, absolute) == LUA_TTABLE else { return nil }
        guard lua_checkstack(L, 4) != 0 else { throw LuaError(kind: .conversion, message: "Lua stack overflow while reading a table") }
        try materializeLazyJSON(at: absolute)
        return try body(LuaTableReader(state: self, index: absolute))
    }
}
