internal import CLua
internal import CLuaGuard
internal import ArgoJSONScan
internal import CJSONScan

/// Malformed JSON: what was wrong and the 0-based byte offset where it was found.
public struct JSONDecodeError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "json.decode: \(message) at byte offset \(offset)" }
}

extension LuaState {
    /// Decodes one JSON document from `bytes` straight into Lua values and pushes
    /// the result: objects and arrays become tables, integers stay integers (those
    /// beyond 64 bits become floats), `null` becomes `json.null`. On error nothing
    /// is left on the stack.
    ///
    /// With `maxItems`, every object and array keeps only its first `maxItems`
    /// members: the rest are skipped without being decoded, checked only for
    /// closed strings and balanced brackets. For vendors that send a whole
    /// history newest first when the newest entries are all a plugin reads.
    public func pushJSON(_ bytes: UnsafeRawBufferPointer, maxItems: Int = .max) throws {
        try pushJSON(bytes, maxItems: maxItems, lazyText: 0)
    }

    /// ``pushJSON(_:maxItems:)``; with `lazyText`, the stack index of the Lua
    /// string `bytes` belongs to, arrays longer than ``lazyJSONThreshold`` bytes
    /// below the top level are pushed as lazy arrays (see `LuaState+LazyJSON.swift`).
    func pushJSON(_ bytes: UnsafeRawBufferPointer, maxItems: Int, lazyText: Int32) throws {
        let top = lua_gettop(L)
        var decoder = JSONToLua(
            L: L, bytes: bytes, nullRef: jsonNullRef, maxDepth: limits.maxDepth, maxItems: max(1, maxItems), scratch: scratch)
        if lazyText != 0 { decoder.lazy = LazyJSONText(index: lua_absindex(L, lazyText), methodsRef: lazyJSONMethodsRef) }
        defer { scratch = decoder.scratch }
        do {
            try decoder.decodeDocument()
        } catch {
            lua_settop(L, top)
            throw error
        }
    }

    /// `json.decode(text [, { max_items = N, lazy = true }])`.
    func jsonDecodeHostFunction() throws -> Int32 {
        let (maxItems, lazy) = try jsonDecodeOptions(argument: 2)
        try withStringArgument(1, function: "json.decode") { try pushJSON($0, maxItems: maxItems, lazyText: lazy ? 1 : 0) }
        return 1
    }

    /// `max_items` (a positive integer, or no limit) and `lazy` (a boolean) of json.decode's options table.
    private func jsonDecodeOptions(argument index: Int32) throws -> (maxItems: Int, lazy: Bool) {
        switch lua_type(L, index) {
        case LUA_TNONE, LUA_TNIL: return (.max, false)
        case LUA_TTABLE: break
        default: throw LuaHostError("json.decode: argument #2 must be an options table, got \(typeName(at: index))")
        }
        defer { lua_settop(L, index) }
        // Raw reads: an options table's metamethods are plugin code, which must not
        // run (nor raise) inside a host function.
        var maxItems = Int.max
        lua_pushstring(L, "max_items")
        if lua_rawget(L, index) != LUA_TNIL {
            var isInteger: Int32 = 0
            let value = lua_tointegerx(L, -1, &isInteger)
            guard isInteger != 0, value >= 1 else { throw LuaHostError("json.decode: max_items must be a positive integer") }
            maxItems = Int(value)
        }
        let lazy: Bool
        lua_pushstring(L, "lazy")
        switch lua_rawget(L, index) {
        case LUA_TNIL: lazy = false
        case LUA_TBOOLEAN: lazy = lua_toboolean(L, -1) != 0
        default: throw LuaHostError("json.decode: lazy must be a boolean")
        }
        return (maxItems, lazy)
    }
}

/// The decoder's state. Open containers live on the Lua stack; `frames` says what
/// each one is. A new object or array is presized from its previous sibling,
/// which fits the arrays of same-shaped objects that data APIs return.
struct JSONToLua {
    struct Frame {
        var isArray: Bool
        var count: Int32 = 0
        var siblingSize: Int32 = 0
    }

    let L: OpaquePointer
    let bytes: UnsafePointer<UInt8>
    var end: Int
    let nullRef: Int32
    let maxDepth: Int
    /// Members kept per object or array; the rest are skipped.
    let maxItems: Int
    var scratch: [UInt8]
    var position = 0
    var frames: [Frame] = []
    /// Values stored since the limits were last checked, and where that check was.
    var valuesUnchecked = 0
    var positionCharged = 0
    /// Set to push large arrays as lazy arrays of this text.
    var lazy: LazyJSONText?
    /// Containers around the one being decoded, in the document it belongs to
    /// (a lazy array being materialized), counted against `maxDepth`.
    var baseDepth = 0
    /// A table (stack index) to fill instead of creating the outermost container.
    var rootTable: Int32 = 0

    init(L: OpaquePointer, bytes: UnsafeRawBufferPointer, nullRef: Int32, maxDepth: Int, maxItems: Int, scratch: [UInt8]) {
        self.L = L
        self.bytes = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        self.end = bytes.count
        self.nullRef = nullRef
        self.maxDepth = maxDepth
        self.maxItems = maxItems
        self.scratch = scratch
        frames.reserveCapacity(16)
    }

    mutating func decodeDocument() throws {
        try decodeValue()
        skipWhitespace()
        if position < end { throw failure("unexpected \(describeByte()) after the document") }
    }

    /// Decodes values until the one started here is complete.
    mutating func decodeValue() throws {
        let depthAtStart = frames.count
        while true {
            skipWhitespace()
            guard position < end else { throw failure("unexpected end of input, expected a value") }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                position += 1
                try openContainer(isArray: false)
                skipWhitespace()
                if position < end, bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    closeContainer()
                } else {
                    try decodeKey()
                    continue
                }
            case UInt8(ascii: "["):
                if lazy != nil, !frames.isEmpty, try pushLazyArrayIfLarge() { break }
                position += 1
                try openContainer(isArray: true)
                skipWhitespace()
                if position < end, bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    closeContainer()
                } else {
                    continue
                }
            case UInt8(ascii: "\""):
                try decodeString()
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                lua_pushboolean(L, 1)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                lua_pushboolean(L, 0)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                lua_rawgeti(L, clua_registryindex(), lua_Integer(nullRef))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try decodeNumber()
            default:
                throw failure("unexpected \(describeByte()), expected a value")
            }
            // A value is complete: store it in its container, closing containers that end here.
            valuesUnchecked += 1
            if valuesUnchecked >= 256 { try checkLimits() }
            while frames.count > depthAtStart {
                let index = frames.count - 1
                if frames[index].isArray {
                    frames[index].count += 1
                    lua_rawseti(L, -2, lua_Integer(frames[index].count))
                } else {
                    frames[index].count += 1
                    lua_rawset(L, -3)
                }
                skipWhitespace()
                guard position < end else { throw failure("unexpected end of input inside a container") }
                let byte = bytes[position]
                position += 1
                if byte == UInt8(ascii: ",") {
                    if frames[index].count >= maxItems {
                        try skipToContainerEnd()
                        closeContainer()
                        continue
                    }
                    if !frames[index].isArray { try decodeKey() }
                    break
                }
                if byte == (frames[index].isArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) {
                    closeContainer()
                    continue
                }
                position -= 1
                throw failure(
                    "unexpected \(describeByte()), expected ',' or '\(frames[index].isArray ? "]" : "}")'")
            }
            if frames.count == depthAtStart { return }
        }
    }

    /// Stops the decoding once the state is over its memory cap (the allocator
    /// never refuses Swift, so the cap is checked here as the tables grow) or
    /// the call's budget or time is gone; charges the bytes read since the last check.
    private mutating func checkLimits() throws {
        valuesUnchecked = 0
        let control = clua_control_of(L)!
        if control.pointee.over_limit != 0 { throw failure("the state's memory limit was reached while decoding") }
        let read = position - positionCharged
        positionCharged = position
        if clua_charge_quietly(L, Int64(read / 32)) != 0 { throw failure("the call's budget or time ran out while decoding") }
    }

    private mutating func openContainer(isArray: Bool) throws {
        try checkLimits()
        guard baseDepth + frames.count < maxDepth else { throw failure("nesting deeper than \(maxDepth) levels") }
        guard lua_checkstack(L, 4) != 0 else { throw failure("Lua stack overflow") }
        if frames.isEmpty, rootTable != 0 {
            lua_pushvalue(L, rootTable)
        } else {
            let hint = frames.last?.siblingSize ?? 0
            lua_createtable(L, isArray ? hint : 0, isArray ? 0 : hint)
        }
        frames.append(Frame(isArray: isArray))
    }

    /// At an array's `[` inside the document: when the array is flat (scalars,
    /// or objects and arrays of scalars: records and columns) and longer
    /// than ``lazyJSONThreshold`` bytes, pushes it as a lazy array, moves past
    /// it and returns true. Other arrays, and arrays whose brackets do not
    /// balance, are left to the eager decoder (which reports such errors); the
    /// arrays inside those may be lazy in turn.
    private mutating func pushLazyArrayIfLarge() throws -> Bool {
        guard let lazy else { return false }
        let depth = baseDepth + frames.count  // containers around the array
        guard maxDepth - depth - 1 >= 1 else { return false }  // its elements may be containers
        let from = position + 1
        var skip = argo_json_skip_state()
        skip.max_depth = 1
        var scanned = argo_json_skip(bytes + from, min(lazyJSONThreshold, end - from), &skip)
        if skip.closed != 0 || skip.too_deep != 0 { return false }
        scanned += argo_json_skip(bytes + from + scanned, end - from - scanned, &skip)
        guard skip.closed != 0, skip.too_deep == 0, bytes[from + scanned - 1] == UInt8(ascii: "]") else { return false }
        guard lua_checkstack(L, 6) != 0 else { throw failure("Lua stack overflow") }
        pushLazyJSONArray(L, text: lazy, start: position, end: from + scanned, maxItems: maxItems, depth: depth)
        position = from + scanned
        return true
    }

    /// Pops the finished container's frame; the table stays on the stack as the
    /// parent's next value.
    private mutating func closeContainer() {
        let finished = frames.removeLast()
        if !frames.isEmpty { frames[frames.count - 1].siblingSize = finished.count }
    }

    /// Decodes `"key" :` and leaves the key on the stack.
    private mutating func decodeKey() throws {
        skipWhitespace()
        guard position < end, bytes[position] == UInt8(ascii: "\"") else {
            throw failure("unexpected \(describeByte()), expected a string key")
        }
        try decodeString()
        skipWhitespace()
        guard position < end, bytes[position] == UInt8(ascii: ":") else {
            throw failure("unexpected \(describeByte()), expected ':'")
        }
        position += 1
    }

    /// Skips the rest of the open container, its closing bracket included,
    /// checking only that strings close and brackets balance (``argo_json_skip``:
    /// 64 bytes at a time).
    mutating func skipToContainerEnd() throws {
        var skip = argo_json_skip_state()
        skip.max_depth = maxDepth - baseDepth - frames.count
        position += argo_json_skip(bytes + position, end - position, &skip)
        if skip.too_deep != 0 { throw failure("nesting deeper than \(maxDepth) levels") }
        guard skip.closed != 0 else {
            throw failure(skip.in_string != 0 ? "unterminated string" : "unexpected end of input inside a container")
        }
        let isArray = frames[frames.count - 1].isArray
        guard bytes[position - 1] == (isArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) else {
            position -= 1
            throw failure("unexpected \(describeByte()), expected '\(isArray ? "]" : "}")'")
        }
    }

    // MARK: - Scalars

    private mutating func decodeString() throws {
        switch try scanString() {
        case .input(let start, let count):
            _ = lua_pushlstring(L, UnsafeRawPointer(bytes + start).assumingMemoryBound(to: CChar.self), count)
        case .scratch:
            scratch.withUnsafeBytes {
                _ = lua_pushlstring(L, $0.baseAddress?.assumingMemoryBound(to: CChar.self) ?? emptyCString, $0.count)
            }
        }
    }

    /// Where a string ``scanString()`` read is: in the input, or unescaped in `scratch`.
    enum ScannedString {
        case input(start: Int, count: Int)
        case scratch
    }

    /// Reads the string whose opening quote is at `position`, checking escapes
    /// and control characters.
    mutating func scanString() throws -> ScannedString {
        position += 1  // opening quote
        let start = position
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return .input(start: start, count: position - 1 - start)
            }
            if byte == UInt8(ascii: "\\") {
                try unescapeString(from: start)
                return .scratch
            }
            if byte < 0x20 { throw failure("control character in a string") }
            position += 1
        }
        throw failure("unterminated string")
    }

    /// The bytes of a scanned string, valid until the next scan.
    func withBytes<R>(of string: ScannedString, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch string {
        case .input(let start, let count): try body(UnsafeRawBufferPointer(start: bytes + start, count: count))
        case .scratch: try scratch.withUnsafeBytes(body)
        }
    }

    /// From the first backslash of a string begun at `start`: its unescaped bytes into `scratch`.
    private mutating func unescapeString(from start: Int) throws {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: bytes + start, count: position - start))
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return
            }
            if byte < 0x20 { throw failure("control character in a string") }
            if byte != UInt8(ascii: "\\") {
                scratch.append(byte)
                position += 1
                continue
            }
            guard position + 1 < end else { throw failure("unterminated string") }
            let escape = bytes[position + 1]
            position += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"): try decodeUnicodeEscape()
            default:
                position -= 2
                throw failure("invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
            }
        }
        throw failure("unterminated string")
    }

    /// After `\u`: four hex digits, and for a high surrogate its `\uDC00`-`\uDFFF` pair.
    private mutating func decodeUnicodeEscape() throws {
        var scalar = try hex4()
        if (0xD800...0xDBFF).contains(scalar) {
            guard position + 1 < end, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
            else { throw failure("unpaired surrogate in \\u escape") }
            position += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw failure("invalid low surrogate in \\u escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw failure("unpaired surrogate in \\u escape")
        }
        appendUTF8(scalar)
    }

    private mutating func hex4() throws -> UInt32 {
        guard position + 4 <= end else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - 55
            default: throw failure("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard position + count <= end, memcmp(bytes + position, literal.utf8Start, count) == 0 else {
            throw failure("invalid literal, expected '\(literal)'")
        }
        position += count
    }

    /// RFC 8259 numbers. Integers that fit 64 bits are pushed as integers; others
    /// as floats, exactly when mantissa and power of ten allow (Clinger's fast
    /// path), else through Lua's correctly rounded parser.
    private mutating func decodeNumber() throws {
        switch try scanNumber() {
        case .integer(let value): lua_pushinteger(L, value)
        case .float(let value): lua_pushnumber(L, value)
        case .text(let start, let length): try pushNumberText(start: start, length: length)
        }
    }

    /// A number as ``scanNumber()`` read it.
    enum ScannedNumber {
        case integer(Int64)
        case float(Double)
        /// Text only Lua's `strtod` converts exactly (``pushNumberText(start:length:)``).
        case text(start: Int, length: Int)
    }

    /// Reads the number at `position`, checking its syntax.
    mutating func scanNumber() throws -> ScannedNumber {
        let start = position
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard position < end, isDigit(bytes[position]) else { throw failure("invalid number") }
        // Up to 19 digits always fit 64 bits; more go to strtod (`overflow`).
        var mantissa: UInt64 = 0
        var digits = 0
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < end, isDigit(bytes[position]) { throw failure("leading zero in a number") }
        } else {
            digits = scanDigits(into: &mantissa)
        }
        var exponent = 0
        var isFloat = false
        if position < end, bytes[position] == UInt8(ascii: ".") {
            isFloat = true
            position += 1
            guard position < end, isDigit(bytes[position]) else { throw failure("invalid number: no digit after '.'") }
            let fraction = scanDigits(into: &mantissa)
            digits += fraction
            exponent = -fraction
        }
        if position < end, bytes[position] | 0x20 == UInt8(ascii: "e") {
            isFloat = true
            position += 1
            var exponentNegative = false
            if position < end, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                exponentNegative = bytes[position] == UInt8(ascii: "-")
                position += 1
            }
            guard position < end, isDigit(bytes[position]) else { throw failure("invalid number: no digit in exponent") }
            var value = 0
            while position < end, isDigit(bytes[position]) {
                value = min(value * 10 + Int(bytes[position] - 48), 100_000)
                position += 1
            }
            exponent += exponentNegative ? -value : value
        }
        let overflow = digits > 19
        if !isFloat, !overflow {
            if !negative, mantissa <= UInt64(Int64.max) { return .integer(Int64(mantissa)) }
            if negative, mantissa <= UInt64(Int64.max) + 1 {
                return .integer(mantissa == UInt64(Int64.max) + 1 ? Int64.min : -Int64(mantissa))
            }
        }
        // Every digit held: exact when the fast path applies, else strtod below.
        if !overflow, let value = DecimalToDouble.value(mantissa: mantissa, exponent: exponent, negative: negative) {
            return .float(value)
        }
        return .text(start: start, length: position - start)
    }

    /// Pushes a number ``scanNumber()`` could not convert: a mantissa beyond
    /// 2^53 or an exponent beyond ±22. Lua's own strtod-based
    /// conversion, correctly rounded, from a NUL-terminated copy; always a float.
    func pushNumberText(start: Int, length: Int) throws {
        let converted = withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { text -> Bool in
            for offset in 0..<length { text[offset] = CChar(bitPattern: bytes[start + offset]) }
            text[length] = 0
            return lua_stringtonumber(L, text.baseAddress!) == length + 1
        }
        guard converted else { throw JSONDecodeError(message: "invalid number", offset: start + length) }
        if lua_isinteger(L, -1) != 0 {
            // Lua reads integers past 64 bits as floats already; should it take one whole, it stays a float here.
            lua_pushnumber(L, lua_tonumberx(L, -1, nil))
            clua_remove(L, -2)
        }
    }

    /// Reads digits at `position` into `mantissa` (wrapping past 19 digits:
    /// the caller then takes another path) and returns how many there were.
    /// Eight at a time where eight are there.
    @inline(__always)
    private mutating func scanDigits(into mantissa: inout UInt64) -> Int {
        let first = position
        while end - position >= 8, let eight = eightDigits(at: position) {
            mantissa = mantissa &* 100_000_000 &+ eight
            position += 8
        }
        while position < end, isDigit(bytes[position]) {
            mantissa = mantissa &* 10 &+ UInt64(bytes[position] &- 48)
            position += 1
        }
        return position - first
    }

    /// The value of the eight bytes at `offset` when all are ASCII digits (SWAR, as simdjson does).
    @inline(__always)
    private func eightDigits(at offset: Int) -> UInt64? {
        let word = UInt64(littleEndian: UnsafeRawPointer(bytes + offset).loadUnaligned(as: UInt64.self))
        let high = word & 0xF0F0_F0F0_F0F0_F0F0
        let carried = (word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0
        guard high | (carried >> 4) == 0x3333_3333_3333_3333 else { return nil }
        var value = word & 0x0F0F_0F0F_0F0F_0F0F
        value = (value &* 2561) >> 8
        value = ((value & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
        return ((value & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < end {
            let byte = bytes[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    func describeByte() -> String {
        guard position < end else { return "end of input" }
        let byte = bytes[position]
        return byte >= 0x20 && byte < 0x7F ? "character '\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    func failure(_ message: String) -> JSONDecodeError {
        JSONDecodeError(message: message, offset: position)
    }
}
