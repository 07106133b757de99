/// An error raised by Lua code or by the Lua layer, with what a reader needs to
/// find it: the chunk (file) and line, the plugin and function, the traceback.
///
/// Its ``description`` reads like Lua's own messages:
/// `plugins/alpaca.lua:42: attempt to index a nil value (field 'items')`.
public struct LuaError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a caller decides what to do about it.
    public enum Kind: String, Sendable {
        /// The chunk did not compile.
        case syntax
        /// Lua code raised an error (including `error(...)` from a plugin).
        case runtime
        /// The state's memory cap was reached.
        case memoryLimit = "memory_limit"
        /// The call ran out of its instruction budget.
        case instructionLimit = "instruction_limit"
        /// The call ran past its time limit (or the borrower's deadline).
        case timeLimit = "time_limit"
        /// A value could not be converted between Lua and Swift.
        case conversion
        /// The error handler itself failed, or Lua reported an internal error.
        case `internal`
    }

    public var kind: Kind
    /// The message without position, e.g. `attempt to index a nil value (field 'items')`.
    public var message: String
    /// The chunk the error points at, e.g. `plugins/alpaca.lua`, when known.
    public var chunk: String?
    /// The line in ``chunk``, when known.
    public var line: Int?
    /// Lua's stack traceback at the point of the error, when there was one.
    public var traceback: String?
    /// The plugin (source) whose code was running.
    public var plugin: String?
    /// The plugin function that was called (`request`, `parse`, ...).
    public var function: String?
    /// A non-string error value a plugin raised on purpose (`error({kind = ...})`).
    public var value: LuaValue?
    /// For a ``Kind/timeLimit``: the borrower's deadline, not the call's own limit,
    /// kept the call from starting or cut it short.
    public var byDeadline = false

    public init(
        kind: Kind, message: String, chunk: String? = nil, line: Int? = nil, traceback: String? = nil,
        plugin: String? = nil, function: String? = nil, value: LuaValue? = nil
    ) {
        self.kind = kind
        self.message = message
        self.chunk = chunk
        self.line = line
        self.traceback = traceback
        self.plugin = plugin
        self.function = function
        self.value = value
    }

    /// `chunk:line: message`, as Lua prints it, then the plugin context.
    public var description: String {
        var text = ""
        if let chunk { text += line.map { "\(chunk):\($0): " } ?? "\(chunk): " }
        text += message
        switch (plugin, function) {
        case let (p?, f?): text += " (plugin '\(p)', function '\(f)')"
        case let (p?, nil): text += " (plugin '\(p)')"
        case let (nil, f?): text += " (function '\(f)')"
        default: break
        }
        return text
    }

    /// Builds an error from a Lua message such as `plugins/x.lua:3: boom`,
    /// splitting the position off the message.
    init(kind: Kind, luaMessage: String, traceback: String? = nil) {
        let (chunk, line, rest) = Self.splitPosition(luaMessage)
        self.init(kind: kind, message: rest, chunk: chunk, line: line, traceback: traceback)
    }

    /// Splits `chunk:line: message` into its parts; a message without a position
    /// comes back whole.
    static func splitPosition(_ text: String) -> (chunk: String?, line: Int?, message: String) {
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: ":") {
                var j = i + 1
                while j < bytes.count, bytes[j] >= 48, bytes[j] <= 57 { j += 1 }
                if j > i + 1, j + 1 < bytes.count, bytes[j] == UInt8(ascii: ":"), bytes[j + 1] == UInt8(ascii: " "),
                    i > 0
                {
                    let chunk = String(decoding: bytes[0..<i], as: UTF8.self)
                    let line = Int(String(decoding: bytes[(i + 1)..<j], as: UTF8.self))
                    let message = String(decoding: bytes[(j + 2)...], as: UTF8.self)
                    return (chunk, line, message)
                }
            }
            if bytes[i] == UInt8(ascii: "\n") { break }
            i += 1
        }
        return (nil, nil, text)
    }
}
