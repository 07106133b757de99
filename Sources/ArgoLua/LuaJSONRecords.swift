internal import CLua

// The host's reading of lazy JSON arrays that Lua never touched: records (an
// array of objects) and columns (an array of scalars) read straight from the
// text into `LuaScalar`s, with the values, limits and errors decoding them into
// Lua tables and reading those would give: `max_items` and the depth limit
// apply, a duplicate key keeps its last value, nested containers are decoded
// (checked) and reported as tables, malformed JSON is a `JSONDecodeError`.

extension LuaState {
    /// Reads the lazy array `array`, a list of objects, one record at a time:
    /// `body` gets the 1-based position and the values of `keys`. Throws
    /// ``LuaRecordsError/notATable(position:)`` for an element that is no object.
    func readLazyRecords(_ array: LazyJSONArray, keys: [String], _ body: (Int, [LuaScalar]) throws -> Void) throws {
        let keyBytes = keys.map { Array($0.utf8) }
        var values = [LuaScalar](repeating: .missing, count: keys.count)
        try withDecoder(over: array) { reader in
            try reader.readArray { reader, position in
                guard try reader.readRecord(keys: keyBytes, into: &values) else { throw LuaRecordsError.notATable(position: position) }
                try body(position, values)
            }
        }
    }

    /// The elements of the lazy array `array` as scalars (a nested container is `.other("table")`).
    func readLazyColumn(_ array: LazyJSONArray) throws -> [LuaScalar] {
        var column: [LuaScalar] = []
        column.reserveCapacity((array.end - array.start) / 8)  // numbers take about 8 bytes or more
        try withDecoder(over: array) { reader in
            try reader.readArray { reader, _ in column.append(try reader.readScalar(keep: true)) }
        }
        return column
    }
}

extension JSONToLua {
    /// Reads the array whose `[` is at `position`, calling `element` at the start
    /// of each of its first `maxItems` elements (1-based); skips the rest.
    mutating func readArray(_ element: (inout JSONToLua, Int) throws -> Void) throws {
        guard baseDepth + frames.count < maxDepth else { throw failure("nesting deeper than \(maxDepth) levels") }
        position += 1
        frames.append(Frame(isArray: true))
        defer { frames.removeLast() }
        skipWhitespace()
        if position < end, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return
        }
        var count = 0
        while true {
            count += 1
            try element(&self, count)
            guard try nextMember(count: count, closing: UInt8(ascii: "]")) else { return }
        }
    }

    /// Reads an object into `values` (by the position of its key in `keys`;
    /// `.missing` where absent) and returns true, or returns false, having read
    /// nothing, when the value at `position` is no object.
    mutating func readRecord(keys: [[UInt8]], into values: inout [LuaScalar]) throws -> Bool {
        skipWhitespace()
        guard position < end else { throw failure("unexpected end of input, expected a value") }
        guard bytes[position] == UInt8(ascii: "{") else { return false }
        guard baseDepth + frames.count < maxDepth else { throw failure("nesting deeper than \(maxDepth) levels") }
        position += 1
        frames.append(Frame(isArray: false))
        defer { frames.removeLast() }
        for index in values.indices { values[index] = .missing }
        skipWhitespace()
        if position < end, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return true
        }
        var count = 0
        while true {
            skipWhitespace()
            guard position < end, bytes[position] == UInt8(ascii: "\"") else {
                throw failure("unexpected \(describeByte()), expected a string key")
            }
            let key = try scanString()
            let column = withBytes(of: key) { key in keys.firstIndex { $0.count == key.count && $0.elementsEqual(key) } }
            skipWhitespace()
            guard position < end, bytes[position] == UInt8(ascii: ":") else {
                throw failure("unexpected \(describeByte()), expected ':'")
            }
            position += 1
            let value = try readScalar(keep: column != nil)
            if let column { values[column] = value }
            count += 1
            guard try nextMember(count: count, closing: UInt8(ascii: "}")) else { return true }
        }
    }

    /// After a container's `count`th member: true at a `,` that another member
    /// follows; false past the closing bracket, or past the rest of the
    /// container when `count` reached `maxItems`.
    private mutating func nextMember(count: Int, closing: UInt8) throws -> Bool {
        skipWhitespace()
        guard position < end else { throw failure("unexpected end of input inside a container") }
        let byte = bytes[position]
        position += 1
        if byte == UInt8(ascii: ",") {
            if count >= maxItems {
                try skipToContainerEnd()
                return false
            }
            return true
        }
        if byte == closing { return false }
        position -= 1
        throw failure("unexpected \(describeByte()), expected ',' or '\(Character(Unicode.Scalar(closing)))'")
    }

    /// Reads one value: a scalar as a `LuaScalar` (`.missing` when not `keep`),
    /// a container decoded (so checked as decoding checks it) and dropped, as
    /// `.other("table")`.
    mutating func readScalar(keep: Bool) throws -> LuaScalar {
        skipWhitespace()
        guard position < end else { throw failure("unexpected end of input, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            let string = try scanString()
            return keep ? .string(withBytes(of: string) { String(decoding: $0, as: UTF8.self) }) : .missing
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .other("boolean")
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .other("boolean")
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            switch try scanNumber() {
            case .integer(let value): return .integer(value)
            case .float(let value): return .number(value)
            case .text(let start, let length):
                try pushNumberText(start: start, length: length)
                defer { clua_pop(L, 1) }
                return .number(lua_tonumberx(L, -1, nil))
            }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let top = lua_gettop(L)
            defer { lua_settop(L, top) }
            try decodeValue()
            return .other("table")
        default:
            throw failure("unexpected \(describeByte()), expected a value")
        }
    }
}
