/// The limits every call into a ``LuaState`` runs under.
public struct LuaLimits: Sendable, Equatable {
    /// The most memory one state may hold, in bytes. Default: 64 MiB.
    public var memoryBytes: Int
    /// The most Lua VM instructions one call may run. Default: 20 million
    /// (some tens of milliseconds; walking a 10,000-row JSON array takes well under 1 million).
    public var instructionsPerCall: Int
    /// How often, in instructions, the budget is checked. Default: 1,000.
    public var hookInterval: Int
    /// How deep a converted value (Lua ↔ Swift, JSON) may nest. Default: 200.
    public var maxDepth: Int
    /// The most wall-clock time one call may take, library and host functions
    /// included. Default: 2 seconds (a normal call takes well under 10 ms).
    public var timePerCall: Duration
    /// The most bytes `json.encode` may produce. Default: a quarter of the memory cap.
    public var maxEncodedBytes: Int

    public init(
        memoryBytes: Int = 64 << 20, instructionsPerCall: Int = 20_000_000, hookInterval: Int = 1_000,
        maxDepth: Int = 200, timePerCall: Duration = .seconds(2), maxEncodedBytes: Int? = nil
    ) {
        self.memoryBytes = memoryBytes
        self.instructionsPerCall = instructionsPerCall
        self.hookInterval = max(1, hookInterval)
        self.maxDepth = maxDepth
        self.timePerCall = timePerCall
        self.maxEncodedBytes = maxEncodedBytes ?? memoryBytes / 4
    }
}
