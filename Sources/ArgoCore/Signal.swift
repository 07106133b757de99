/// A trading direction.
public enum Direction: String, Sendable, Codable, CaseIterable {
    case long = "LONG", short = "SHORT", neutral = "NEUTRAL"

    /// +1, −1 or 0, for voting.
    public var sign: Double {
        switch self {
        case .long: 1
        case .short: -1
        case .neutral: 0
        }
    }
}

/// One source's signal for one symbol.
public struct SourceSignal: Sendable, Equatable, Codable {
    public var source: String
    public var direction: Direction
    /// In [0, 1].
    public var confidence: Double
    public var weight: Double
    public var reasoning: String

    public init(source: String, direction: Direction, confidence: Double, weight: Double, reasoning: String) {
        self.source = source
        self.direction = direction
        self.confidence = confidence
        self.weight = weight
        self.reasoning = reasoning
    }
}
