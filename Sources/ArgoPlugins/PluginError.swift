import ArgoLua

/// A plugin file that cannot be used, and why: one line naming the file and,
/// when known, the line (`plugins/alpaca.lua:12: field 'priority' must be an integer, got string`).
public struct PluginError: Error, Sendable, CustomStringConvertible {
    /// The plugin file, as given (e.g. `plugins/alpaca.lua`).
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// From a Lua error raised while loading the file: keeps its position.
    init(file: String, luaError: LuaError) {
        self.file = luaError.chunk ?? file
        self.line = luaError.line
        self.message = luaError.message
    }

    public var description: String {
        line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
    }
}
