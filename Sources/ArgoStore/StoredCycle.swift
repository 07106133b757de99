import ArgoCore

/// One stored cycle as `argo history --cycles` lists it.
public struct StoredCycle: Sendable, Codable, Equatable {
    public var id: String
    public var startedAt: String
    public var durationMs: Double
    public var deadlineS: Double
    public var symbols: Int
    /// Symbols with no consensus (no market data, or no source answered).
    public var symbolErrors: Int
    /// Source results with status `error`, over all symbols.
    public var sourceErrors: Int
    public var httpRequests: Int
    public var cacheHits: Int
    public var retries: Int

    enum CodingKeys: String, CodingKey {
        case id, symbols, retries
        case startedAt = "started_at", durationMs = "duration_ms", deadlineS = "deadline_s", symbolErrors = "symbol_errors"
        case sourceErrors = "source_errors", httpRequests = "http_requests", cacheHits = "cache_hits"
    }
}

/// One stored signal with the cycle it came from, as `argo history` shows it.
/// Its JSON is the contract's signal object plus `cycle_id` and `started_at`.
public struct HistoryEntry: Sendable, Equatable, Encodable {
    public var cycleId: String
    public var startedAt: String
    public var signal: SymbolSignal
    /// The direction of the symbol's stored signal before this one (nil for its first).
    public var previousDirection: Direction?

    public init(cycleId: String, startedAt: String, signal: SymbolSignal, previousDirection: Direction? = nil) {
        self.cycleId = cycleId
        self.startedAt = startedAt
        self.signal = signal
        self.previousDirection = previousDirection
    }

    enum CodingKeys: String, CodingKey { case cycleId = "cycle_id", startedAt = "started_at", previousDirection = "previous_direction" }

    public func encode(to encoder: any Encoder) throws {
        try signal.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cycleId, forKey: .cycleId)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encodeIfPresent(previousDirection, forKey: .previousDirection)
    }
}
