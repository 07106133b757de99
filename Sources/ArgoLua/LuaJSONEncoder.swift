internal import CLua
internal import CLuaGuard

extension LuaState {
    /// `json.encode(value)`: JSON text for a Lua value. Tables with keys exactly
    /// `1...n` become arrays, other tables objects with their keys sorted (so equal
    /// tables encode to equal bytes); the empty table is `{}`. Integer keys of an
    /// object become strings; `json.null` is `null`. Functions, NaN, infinities,
    /// cycles and other key types are errors.
    func jsonEncodeHostFunction() throws -> Int32 {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        var path: Set<UnsafeRawPointer> = []
        try encodeJSON(at: 1, into: &output, depth: 0, path: &path)
        pushBytes(output)
        return 1
    }

    /// The value at `index` as JSON text.
    public func encodeJSON(at index: Int32) throws -> [UInt8] {
        var output: [UInt8] = []
        var path: Set<UnsafeRawPointer> = []
        try encodeJSON(at: lua_absindex(L, index), into: &output, depth: 0, path: &path)
        return output
    }

    private func encodeJSON(at index: Int32, into output: inout [UInt8], depth: Int, path: inout Set<UnsafeRawPointer>)
        throws
    {
        // A table shared many times is walked once per reference: count what is produced.
        if output.count > limits.maxEncodedBytes {
            control.pointee.over_limit = 1  // reported as the memory limit: the text is memory the state asked for
            throw LuaHostError("json.encode: the text would exceed \(limits.maxEncodedBytes >> 20) MiB")
        }
        if clua_charge_quietly(L, 1) != 0 { throw LuaHostError("json.encode: stopped") }
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE:
            output.append(contentsOf: "null".utf8)
        case LUA_TBOOLEAN:
            output.append(contentsOf: (lua_toboolean(L, index) != 0 ? "true" : "false").utf8)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 {
                output.append(contentsOf: String(lua_tointegerx(L, index, nil)).utf8)
            } else {
                let number = lua_tonumberx(L, index, nil)
                guard number.isFinite else { throw LuaHostError("json.encode: cannot encode \(number)") }
                output.append(contentsOf: number.description.utf8)
            }
        case LUA_TSTRING:
            var length = 0
            let pointer = clua_tolstring(L, index, &length)
            charged(length)
            appendQuoted(UnsafeRawBufferPointer(start: pointer, count: length), to: &output)
        case LUA_TUSERDATA where lua_topointer(L, index) == jsonNullPointer:
            output.append(contentsOf: "null".utf8)
        case LUA_TTABLE:
            guard depth < limits.maxDepth else {
                throw LuaHostError("json.encode: value nests deeper than \(limits.maxDepth) levels")
            }
            guard let identity = lua_topointer(L, index), path.insert(identity).inserted else {
                throw LuaHostError("json.encode: cannot encode a table that contains itself")
            }
            defer { path.remove(identity) }
            guard lua_checkstack(L, 4) != 0 else { throw LuaHostError("json.encode: Lua stack overflow") }
            try materializeLazyJSON(at: index)
            try encodeTable(at: index, into: &output, depth: depth, path: &path)
        default:
            throw LuaHostError("json.encode: cannot encode a \(typeName(at: index)) value")
        }
    }

    /// Charges the budget for `bytes` of a string copied out (the trampoline raises the limit if it ran out).
    private func charged(_ bytes: Int) {
        if bytes >= 32 { _ = clua_charge_quietly(L, Int64(bytes / 32)) }
    }

    private enum TableKey: Comparable {
        case integer(Int64)
        case string([UInt8])

        var text: [UInt8] {
            switch self {
            case .integer(let i): Array(String(i).utf8)
            case .string(let s): s
            }
        }

        static func < (a: TableKey, b: TableKey) -> Bool { a.text.lexicographicallyPrecedes(b.text) }
    }

    private func encodeTable(at index: Int32, into output: inout [UInt8], depth: Int, path: inout Set<UnsafeRawPointer>)
        throws
    {
        var keys: [TableKey] = []
        var isArray = true
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            clua_pop(L, 1)
            switch lua_type(L, -1) {
            case LUA_TSTRING:
                var length = 0
                let pointer = clua_tolstring(L, -1, &length)
                keys.append(.string(Array(UnsafeRawBufferPointer(start: pointer, count: length))))
                isArray = false
            case LUA_TNUMBER where lua_isinteger(L, -1) != 0:
                keys.append(.integer(lua_tointegerx(L, -1, nil)))
            default:
                let type = typeName(at: -1)
                clua_pop(L, 1)
                throw LuaHostError("json.encode: cannot encode a table key of type \(type)")
            }
        }
        if isArray, !keys.isEmpty, Int(lua_rawlen(L, index)) == keys.count,
            keys.allSatisfy({ if case .integer(let i) = $0 { i >= 1 && i <= keys.count } else { false } })
        {
            output.append(UInt8(ascii: "["))
            for position in 1...keys.count {
                if position > 1 { output.append(UInt8(ascii: ",")) }
                lua_rawgeti(L, index, lua_Integer(position))
                defer { clua_pop(L, 1) }
                try encodeJSON(at: lua_gettop(L), into: &output, depth: depth + 1, path: &path)
            }
            output.append(UInt8(ascii: "]"))
            return
        }
        keys.sort()
        output.append(UInt8(ascii: "{"))
        for (offset, key) in keys.enumerated() {
            if offset > 0 { output.append(UInt8(ascii: ",")) }
            key.text.withUnsafeBytes { appendQuoted($0, to: &output) }
            output.append(UInt8(ascii: ":"))
            switch key {
            case .integer(let i): lua_pushinteger(L, i)
            case .string(let s): pushBytes(s)
            }
            _ = lua_rawget(L, index)
            defer { clua_pop(L, 1) }
            try encodeJSON(at: lua_gettop(L), into: &output, depth: depth + 1, path: &path)
        }
        output.append(UInt8(ascii: "}"))
    }

    /// Appends a JSON string literal; bytes above 0x7F pass through as they are.
    private func appendQuoted(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
