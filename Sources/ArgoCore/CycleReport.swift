import Foundation

/// One source's result for one symbol (contract section 5).
public struct SourceOutcome: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case ok, cached, error, skipped, disabled }
    public var status: Status
    public var direction: Direction?
    public var confidence: Double?
    public var weight: Double?
    public var latencyMs: Double?
    public var attempts: Int?
    public var reasoning: String?
    public var error: String?
    /// The failure kind (`rate_limited`, `timeout`, …), for storage and metrics.
    public var errorKind: String?
    public var reason: String?

    enum CodingKeys: String, CodingKey {
        case status, direction, confidence, weight, attempts, reasoning, error, reason
        case latencyMs = "latency_ms", errorKind = "error_kind"
    }

    public init(status: Status, direction: Direction? = nil, confidence: Double? = nil, weight: Double? = nil, latencyMs: Double? = nil,
                attempts: Int? = nil, reasoning: String? = nil, error: String? = nil, errorKind: String? = nil, reason: String? = nil) {
        self.status = status
        self.direction = direction
        self.confidence = confidence
        self.weight = weight
        self.latencyMs = latencyMs
        self.attempts = attempts
        self.reasoning = reasoning
        self.error = error
        self.errorKind = errorKind
        self.reason = reason
    }

    public static func skipped(_ reason: String) -> SourceOutcome { SourceOutcome(status: .skipped, reason: reason) }
    public static func disabled(_ reason: String) -> SourceOutcome { SourceOutcome(status: .disabled, reason: reason) }
}

/// Where a symbol's bars came from.
public struct MarketDataSummary: Sendable, Codable, Equatable {
    public var source: String
    public var bars: Int
    public var lastClose: Double
    public var asOf: String
    enum CodingKeys: String, CodingKey { case source, bars, lastClose = "last_close", asOf = "as_of" }

    public init(source: String, bars: Int, lastClose: Double, asOf: String) {
        self.source = source
        self.bars = bars
        self.lastClose = lastClose
        self.asOf = asOf
    }
}

/// One symbol's consensus and the sources behind it.
public struct SymbolSignal: Sendable, Codable, Equatable {
    public var symbol: String
    public var direction: Direction
    public var confidence: Double
    public var rawConfidence: Double
    public var regime: Regime
    public var marketData: MarketDataSummary?
    public var sources: [String: SourceOutcome]
    public var reasoning: String
    /// Too few live sources for a consensus.
    public var insufficient: Bool?

    enum CodingKeys: String, CodingKey {
        case symbol, direction, confidence, regime, sources, reasoning, insufficient
        case rawConfidence = "raw_confidence", marketData = "market_data"
    }

    public init(symbol: String, direction: Direction, confidence: Double, rawConfidence: Double, regime: Regime,
                marketData: MarketDataSummary?, sources: [String: SourceOutcome], reasoning: String, insufficient: Bool? = nil) {
        self.symbol = symbol
        self.direction = direction
        self.confidence = confidence
        self.rawConfidence = rawConfidence
        self.regime = regime
        self.marketData = marketData
        self.sources = sources
        self.reasoning = reasoning
        self.insufficient = insufficient
    }
}

/// A whole cycle: what `argo cycle --format json` prints.
public struct CycleReport: Sendable, Codable {
    public struct Info: Sendable, Codable {
        public var id: String
        public var startedAt: String
        public var durationMs: Double
        public var symbols: Int
        /// Seconds the cycle was allowed.
        public var deadlineS: Double
        enum CodingKeys: String, CodingKey { case id, symbols, startedAt = "started_at", durationMs = "duration_ms", deadlineS = "deadline_s" }

        public init(id: String, startedAt: String, durationMs: Double, symbols: Int, deadlineS: Double) {
            self.id = id
            self.startedAt = startedAt
            self.durationMs = durationMs
            self.symbols = symbols
            self.deadlineS = deadlineS
        }
    }

    public struct SymbolError: Sendable, Codable, Equatable {
        public var symbol: String
        public var error: String

        public init(symbol: String, error: String) {
            self.symbol = symbol
            self.error = error
        }
    }

    public struct Stats: Sendable, Codable, Equatable {
        public var httpRequests = 0
        public var cacheHits = 0
        public var retries = 0
        public var coalesced = 0
        enum CodingKeys: String, CodingKey { case retries, coalesced, httpRequests = "http_requests", cacheHits = "cache_hits" }

        public init(httpRequests: Int = 0, cacheHits: Int = 0, retries: Int = 0, coalesced: Int = 0) {
            self.httpRequests = httpRequests
            self.cacheHits = cacheHits
            self.retries = retries
            self.coalesced = coalesced
        }
    }

    public var cycle: Info
    public var signals: [SymbolSignal]
    public var errors: [SymbolError]
    public var stats: Stats

    public init(cycle: Info, signals: [SymbolSignal], errors: [SymbolError], stats: Stats) {
        self.cycle = cycle
        self.signals = signals
        self.errors = errors
        self.stats = stats
    }

    /// The report as JSON (sorted keys, so output is stable).
    public func json(pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
