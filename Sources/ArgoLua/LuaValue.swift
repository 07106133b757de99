/// A Lua value copied out of (or into) a `lua_State`.
///
/// Integers and floats stay distinct, as in Lua 5.4. A table whose keys are
/// exactly `1...n` (n ≥ 1) converts to ``array``; any other table, including the
/// empty one, to ``table``. Functions, userdata and threads have no Swift form:
/// converting them is an error, except `json.null`, which becomes ``null``.
public enum LuaValue: Hashable, Sendable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(LuaString)
    case array([LuaValue])
    case table([LuaValue: LuaValue])
    /// The `json.null` sentinel.
    case null
}

extension LuaValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .nil }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(LuaString(value)) }
    public init(arrayLiteral elements: LuaValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (LuaValue, LuaValue)...) {
        self = .table(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension LuaValue {
    /// The value as a Swift string, when it is a Lua string holding valid UTF-8.
    public var stringValue: String? {
        if case .string(let s) = self { return s.string }
        return nil
    }

    /// The value as a Double, for integers and floats alike.
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }

    /// The value as an integer, for integers and floats with an exact integer value.
    public var integerValue: Int64? {
        switch self {
        case .integer(let i): i
        case .number(let d): Int64(exactly: d)
        default: nil
        }
    }

    /// The field `key` of a table value, or `nil`.
    public subscript(key: String) -> LuaValue {
        if case .table(let t) = self { return t[.string(LuaString(key))] ?? .nil }
        return .nil
    }

    /// The element at 1-based `index` of an array value, or `nil`.
    public subscript(index: Int) -> LuaValue {
        if case .array(let a) = self, index >= 1, index <= a.count { return a[index - 1] }
        return .nil
    }

    /// The Lua type name (`"nil"`, `"number"`, ...), as `type()` would say.
    public var typeName: String {
        switch self {
        case .nil: "nil"
        case .boolean: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .array, .table: "table"
        case .null: "userdata"
        }
    }
}

/// A Lua string: bytes, not necessarily UTF-8.
public struct LuaString: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(_ string: String) { bytes = Array(string.utf8) }
    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(stringLiteral value: String) { self.init(value) }

    /// The bytes decoded as UTF-8, or `nil` when they are not valid UTF-8.
    public var string: String? { String(validating: bytes, as: UTF8.self) }

    public var description: String { String(decoding: bytes, as: UTF8.self) }
}
