internal import CLua

extension LuaState {
    // MARK: - Swift → Lua

    /// Pushes `value` onto the stack. Throws on nesting deeper than
    /// ``LuaLimits/maxDepth`` or when the stack cannot grow.
    public func push(_ value: LuaValue) throws {
        try push(value, depth: 0)
    }

    private func push(_ value: LuaValue, depth: Int) throws {
        guard depth <= limits.maxDepth else {
            throw LuaError(kind: .conversion, message: "value nests deeper than \(limits.maxDepth) levels")
        }
        guard lua_checkstack(L, 3) != 0 else {
            throw LuaError(kind: .conversion, message: "Lua stack overflow while converting a value")
        }
        switch value {
        case .nil: lua_pushnil(L)
        case .null: lua_rawgeti(L, clua_registryindex(), lua_Integer(jsonNullRef))
        case .boolean(let b): lua_pushboolean(L, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(L, i)
        case .number(let d): lua_pushnumber(L, d)
        case .string(let s): pushBytes(s.bytes)
        case .array(let elements):
            lua_createtable(L, Int32(clamping: elements.count), 0)
            for (offset, element) in elements.enumerated() {
                try push(element, depth: depth + 1)
                lua_rawseti(L, -2, lua_Integer(offset + 1))
            }
        case .table(let entries):
            lua_createtable(L, 0, Int32(clamping: entries.count))
            for (key, element) in entries {
                if key == .nil { continue }
                if case .number(let d) = key, d.isNaN { continue }
                try push(key, depth: depth + 1)
                try push(element, depth: depth + 1)
                lua_rawset(L, -3)
            }
        }
    }

    /// Pushes a Swift string as a Lua string.
    public func pushString(_ string: String) {
        var string = string
        string.withUTF8 { pushBytes(UnsafeRawBufferPointer($0)) }
    }

    /// Pushes bytes as a Lua string.
    public func pushBytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { pushBytes($0) }
    }

    /// Pushes bytes as a Lua string.
    public func pushBytes(_ bytes: UnsafeRawBufferPointer) {
        _ = lua_pushlstring(L, bytes.baseAddress?.assumingMemoryBound(to: CChar.self) ?? emptyCString, bytes.count)
    }

    // MARK: - Lua → Swift

    /// The value at stack `index`, copied into Swift. Throws for functions,
    /// userdata and threads, for tables that contain themselves, and for nesting
    /// deeper than ``LuaLimits/maxDepth``. Reads tables raw: no metamethod runs;
    /// a lazy JSON array is decoded first (a ``JSONDecodeError`` when it is malformed).
    public func value(at index: Int32) throws -> LuaValue {
        var path: Set<UnsafeRawPointer> = []
        valuesLeftToConvert = Self.maxConvertedValues
        return try value(at: lua_absindex(L, index), depth: 0, path: &path)
    }

    /// ``value(at:)``; when the value is a table, without its string keys in
    /// `excluding` (fields the caller reads apart, such as a long list it reads as records).
    public func value(at index: Int32, excluding fields: Set<String>) throws -> LuaValue {
        let absolute = lua_absindex(L, index)
        var path: Set<UnsafeRawPointer> = []
        valuesLeftToConvert = Self.maxConvertedValues
        guard lua_type(L, absolute) == LUA_TTABLE else { return try value(at: absolute, depth: 0, path: &path) }
        return try table(at: absolute, depth: 0, path: &path, excluding: fields)
    }

    /// The most values one conversion copies: a table shared many times is copied
    /// once per reference, so a small Lua value can stand for an enormous Swift one.
    static let maxConvertedValues = 1_000_000

    private func value(at index: Int32, depth: Int, path: inout Set<UnsafeRawPointer>) throws -> LuaValue {
        valuesLeftToConvert -= 1
        guard valuesLeftToConvert >= 0 else {
            throw LuaError(kind: .conversion, message: "value holds more than \(Self.maxConvertedValues) values")
        }
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            var isInteger: Int32 = 0
            let i = lua_tointegerx(L, index, &isInteger)
            return lua_isinteger(L, index) != 0 && isInteger != 0 ? .integer(i) : .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING:
            var length = 0
            let pointer = clua_tolstring(L, index, &length)
            return .string(LuaString(bytes: Array(UnsafeRawBufferPointer(start: pointer, count: length))))
        case LUA_TTABLE:
            return try table(at: index, depth: depth, path: &path)
        case LUA_TUSERDATA where lua_topointer(L, index) == jsonNullPointer:
            return .null
        default:
            throw LuaError(kind: .conversion, message: "cannot convert a \(typeName(at: index)) value")
        }
    }

    private func table(at index: Int32, depth: Int, path: inout Set<UnsafeRawPointer>, excluding: Set<String> = []) throws -> LuaValue {
        guard depth < limits.maxDepth else {
            throw LuaError(kind: .conversion, message: "table nests deeper than \(limits.maxDepth) levels")
        }
        guard let identity = lua_topointer(L, index), path.insert(identity).inserted else {
            throw LuaError(kind: .conversion, message: "table contains itself (a cycle)")
        }
        defer { path.remove(identity) }
        guard lua_checkstack(L, 4) != 0 else {
            throw LuaError(kind: .conversion, message: "Lua stack overflow while converting a table")
        }
        try materializeLazyJSON(at: index)
        let length = Int(lua_rawlen(L, index))
        if length > 0, excluding.isEmpty, isSequence(at: index, length: length) {
            var elements: [LuaValue] = []
            elements.reserveCapacity(length)
            for position in 1...length {
                lua_rawgeti(L, index, lua_Integer(position))
                defer { clua_pop(L, 1) }
                elements.append(try value(at: lua_gettop(L), depth: depth + 1, path: &path))
            }
            return .array(elements)
        }
        var entries: [LuaValue: LuaValue] = [:]
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            let top = lua_gettop(L)
            do {
                let key = try value(at: top - 1, depth: depth + 1, path: &path)
                if !excluding.isEmpty, let name = key.stringValue, excluding.contains(name) {
                    clua_pop(L, 1)
                    continue
                }
                entries[key] = try value(at: top, depth: depth + 1, path: &path)
            } catch {
                clua_pop(L, 2)
                throw error
            }
            clua_pop(L, 1)
        }
        return .table(entries)
    }

    /// Whether the table's keys are exactly the integers `1...length`.
    func isSequence(at index: Int32, length: Int) -> Bool {
        var count = 0
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            clua_pop(L, 1)
            var isInteger: Int32 = 0
            let key = lua_tointegerx(L, -1, &isInteger)
            count += 1
            if lua_isinteger(L, -1) == 0 || isInteger == 0 || key < 1 || key > length || count > length {
                clua_pop(L, 1)
                return false
            }
        }
        return count == length
    }
}

extension LuaState {
    // MARK: - Tables without a LuaValue in between

    /// Makes room for `slots` more values on the stack, or throws a conversion error.
    public func reserveStack(_ slots: Int) throws {
        guard lua_checkstack(L, Int32(clamping: slots)) != 0 else {
            throw LuaError(kind: .conversion, message: "Lua stack overflow")
        }
    }

    /// Pushes an integer.
    public func pushInteger(_ value: Int64) { lua_pushinteger(L, value) }

    /// Pushes a float.
    public func pushNumber(_ value: Double) { lua_pushnumber(L, value) }

    /// Pushes an empty table with room for `fields` named fields.
    public func pushTable(fields: Int) {
        lua_createtable(L, 0, Int32(clamping: fields))
    }

    /// Pops the value on top of the stack into field `name` of the table below it.
    public func setField(_ name: String) {
        pushString(name)
        clua_insert(L, -2)
        lua_rawset(L, -3)
    }
}
