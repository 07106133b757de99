internal import CLua

/// What one field of a Lua table holds, as far as validation needs to know.
public enum LuaField: Sendable, Equatable {
    /// A value with a Swift form.
    case value(LuaValue)
    /// A Lua function and the line it is defined on.
    case function(line: Int)
    /// Anything else (a C function, userdata, a table holding functions, ...).
    case other(typeName: String)
}

extension LuaState {
    /// The string-keyed fields of the table a reference holds; other keys are
    /// skipped. Reads raw: no metamethod runs.
    public func fields(of reference: LuaReference) throws -> [String: LuaField] {
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        lua_rawgeti(L, clua_registryindex(), lua_Integer(reference.id))
        guard lua_type(L, -1) == LUA_TTABLE else {
            throw LuaError(kind: .conversion, message: "expected a table, got a \(typeName(at: -1))")
        }
        let table = lua_gettop(L)
        var fields: [String: LuaField] = [:]
        lua_pushnil(L)
        while lua_next(L, table) != 0 {
            defer { clua_pop(L, 1) }
            guard lua_type(L, -2) == LUA_TSTRING else { continue }
            let key = string(at: -2)
            if lua_type(L, -1) == LUA_TFUNCTION, lua_iscfunction(L, -1) == 0 {
                var info = lua_Debug()
                lua_pushvalue(L, -1)
                _ = lua_getinfo(L, ">S", &info)
                fields[key] = .function(line: Int(info.linedefined))
            } else if let value = try? value(at: -1) {
                fields[key] = .value(value)
            } else {
                fields[key] = .other(typeName: typeName(at: -1))
            }
        }
        return fields
    }
}
