import Foundation

/// The consensus settings of `Config/consensus.lua`.
public struct ConsensusSettings: Sendable, Equatable {
    /// Per-source weights, overriding the plugins' defaults.
    public var weights: [String: Double] = [:]
    /// Fewer live signals than this: the symbol reports "insufficient sources".
    public var minSources = 2
    /// A LONG/SHORT below this confidence (after the regime) becomes NEUTRAL.
    public var minConfidence = 0.2
    /// |net vote| under this is NEUTRAL.
    public var neutralBand = 0.1
    /// Confidence multipliers per regime and direction.
    public var regimeMultipliers: [Regime: [Direction: Double]] = [
        .bull: [.long: 1.1, .short: 0.8],
        .bear: [.long: 0.8, .short: 1.1],
        .chop: [.long: 0.85, .short: 0.85],
        .crisis: [.long: 0.6, .short: 0.9],
    ]
    /// Whether `consensus.lua` defines `combine(signals, regime)`.
    public var hasCombine = false

    public init() {}

    public func multiplier(_ regime: Regime, _ direction: Direction) -> Double {
        regimeMultipliers[regime]?[direction] ?? 1
    }
}

/// The combined signal of one symbol.
public struct ConsensusResult: Sendable, Equatable {
    public var direction: Direction
    public var confidence: Double
    /// Before the regime adjustment and the min_confidence gate.
    public var rawConfidence: Double
    public var reasoning: String
    /// Too few live sources: no signal was invented.
    public var insufficient = false

    public init(direction: Direction, confidence: Double, rawConfidence: Double, reasoning: String, insufficient: Bool = false) {
        self.direction = direction
        self.confidence = confidence
        self.rawConfidence = rawConfidence
        self.reasoning = reasoning
        self.insufficient = insufficient
    }
}
