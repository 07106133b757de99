internal import CLua

/// One field of a record read by ``LuaState/forEachRecord(inField:ofTableAt:keys:_:)``.
public enum LuaScalar: Sendable, Equatable {
    case missing
    case integer(Int64)
    case number(Double)
    case string(String)
    /// `json.null`.
    case null
    /// Any other type, by its Lua name.
    case other(String)

    /// Integers and floats as a Double.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }
}

/// Why a record list could not be read.
public enum LuaRecordsError: Error, Equatable {
    /// The field holds something other than a list (its Lua type name).
    case notAList(String)
    /// Element `position` (1-based) is not a table.
    case notATable(position: Int)
}

extension LuaState {
    /// Reads `table[field]` of the table at `index`, a list of tables, one record
    /// at a time: `body` gets the 1-based position and the values of `keys`
    /// (`.missing` where absent), without a ``LuaValue`` per record: the fast
    /// path for long lists of same-shaped records. Returns
    /// false when the field is nil or the value at `index` is no table. Reads raw: no metamethod runs;
    /// a lazy JSON array is read from its text (a ``JSONDecodeError`` when it is malformed).
    @discardableResult
    public func forEachRecord(
        inField field: String, ofTableAt index: Int32, keys: [String], _ body: (Int, [LuaScalar]) throws -> Void
    ) throws -> Bool {
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        guard let list = try pushTableField(field, ofTableAt: index, room: keys.count) else { return false }
        if let lazy = lazyJSONArray(at: list) {
            try readLazyRecords(lazy, keys: keys, body)
            return true
        }
        let length = Int(lua_rawlen(L, list))
        if length == 0 {
            lua_pushnil(L)
            if lua_next(L, list) != 0 { throw LuaRecordsError.notAList("table with keys other than 1, 2, 3…") }
            return true
        }
        // The keys, interned once, sit on the stack above the list.
        for key in keys { pushString(key) }
        let firstKey = list + 1
        var values = [LuaScalar](repeating: .missing, count: keys.count)
        for position in 1...length {
            guard lua_rawgeti(L, list, lua_Integer(position)) == LUA_TTABLE else { throw LuaRecordsError.notATable(position: position) }
            let record = lua_gettop(L)
            for column in keys.indices {
                lua_pushvalue(L, firstKey + Int32(column))
                lua_rawget(L, record)
                values[column] = scalar(at: -1)
                clua_pop(L, 1)
            }
            clua_pop(L, 1)
            try body(position, values)
        }
        return true
    }

    /// Reads `table[field]` of the table at `index`, a table of equally long
    /// lists by name (`{ t = {...}, o = {...}, ... }`, the columns a chart API
    /// sends), one row at a time: `body` gets the 1-based row and the values
    /// of `keys` at that row. The rows are as many as the first key's list.
    /// Returns false when the field is nil or the value at `index` is no table.
    /// Lazy JSON arrays among the lists are read from their text.
    @discardableResult
    public func forEachColumnRow(
        inField field: String, ofTableAt index: Int32, keys: [String], _ body: (Int, [LuaScalar]) throws -> Void
    ) throws -> Bool {
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        guard let columns = try pushTableField(field, ofTableAt: index, room: keys.count) else { return false }
        // Each column (or nil) sits on the stack above the columns table; lazy
        // JSON arrays are read from their text instead.
        var lazyColumns = [[LuaScalar]](repeating: [], count: keys.count)
        var isLazy = [Bool](repeating: false, count: keys.count)
        for (column, key) in keys.enumerated() {
            pushString(key)
            let kind = lua_rawget(L, columns)
            guard kind == LUA_TTABLE || kind == LUA_TNIL else { throw LuaRecordsError.notAList("column '\(key)' is a \(typeName(at: -1))") }
            if let lazy = lazyJSONArray(at: -1) {
                lazyColumns[column] = try readLazyColumn(lazy)
                isLazy[column] = true
            }
        }
        let first = columns + 1
        let rows = isLazy[0] ? lazyColumns[0].count : (lua_type(L, first) == LUA_TTABLE ? Int(lua_rawlen(L, first)) : 0)
        guard rows > 0 else { return true }
        var values = [LuaScalar](repeating: .missing, count: keys.count)
        for row in 1...rows {
            for column in keys.indices {
                if isLazy[column] {
                    // Each cell is read once: moved out by a swap, not copied.
                    if row <= lazyColumns[column].count {
                        swap(&values[column], &lazyColumns[column][row - 1])
                    } else {
                        values[column] = .missing
                    }
                    continue
                }
                let list = first + Int32(column)
                guard lua_type(L, list) == LUA_TTABLE else {
                    values[column] = .missing
                    continue
                }
                lua_rawgeti(L, list, lua_Integer(row))
                values[column] = scalar(at: -1)
                clua_pop(L, 1)
            }
            try body(row, values)
        }
        return true
    }

    /// Pushes `table[field]` (read raw) of the table at `index` with room for
    /// `room` more values, and returns its stack index: nil, with nothing
    /// pushed that the caller must keep, when the value at `index` is no table
    /// or the field is nil; throws when the field is not a table.
    private func pushTableField(_ field: String, ofTableAt index: Int32, room: Int) throws -> Int32? {
        let table = lua_absindex(L, index)
        guard lua_type(L, table) == LUA_TTABLE else { return nil }
        guard lua_checkstack(L, Int32(room) + 4) != 0 else { throw LuaRecordsError.notAList("'\(field)' too deep for the stack") }
        pushString(field)
        let type = lua_rawget(L, table)
        if type == LUA_TNIL { return nil }
        guard type == LUA_TTABLE else { throw LuaRecordsError.notAList(typeName(at: -1)) }
        return lua_gettop(L)
    }

    private func scalar(at index: Int32) -> LuaScalar {
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return .missing
        case LUA_TNUMBER:
            var isInteger: Int32 = 0
            let integer = lua_tointegerx(L, index, &isInteger)
            return lua_isinteger(L, index) != 0 && isInteger != 0 ? .integer(integer) : .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING:
            var length = 0
            let pointer = clua_tolstring(L, index, &length)
            return .string(String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self))
        case LUA_TUSERDATA where lua_topointer(L, index) == jsonNullPointer:
            return .null
        default:
            return .other(typeName(at: index))
        }
    }
}
