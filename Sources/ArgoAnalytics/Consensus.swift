import ArgoCore
import Foundation

/// The default weighted vote: net = Σ wᵢ·cᵢ·dᵢ / Σ wᵢ over live signals (d = +1
/// LONG, −1 SHORT, 0 NEUTRAL); LONG when net > `neutralBand`, SHORT when
/// net < −`neutralBand`, else NEUTRAL; raw confidence |net|; then × the regime's
/// multiplier for that direction, capped at 1; a LONG/SHORT under
/// `minConfidence` becomes NEUTRAL.
public enum Consensus {
    public static func vote(_ signals: [SourceSignal], regime: Regime, settings: ConsensusSettings) -> ConsensusResult {
        if let insufficient = insufficient(signals, settings: settings) { return insufficient }
        let total = signals.map(\.weight).reduce(0, +)
        guard total > 0 else {
            return ConsensusResult(direction: .neutral, confidence: 0, rawConfidence: 0, reasoning: "every live source has weight 0")
        }
        let net = signals.map { $0.weight * $0.confidence * $0.direction.sign }.reduce(0, +) / total
        let direction: Direction = net > settings.neutralBand ? .long : net < -settings.neutralBand ? .short : .neutral
        return adjust(direction: direction, raw: abs(net), regime: regime, settings: settings,
                      reasoning: summary(signals, net: net))
    }

    /// The "too few sources" result, or nil when there are enough.
    public static func insufficient(_ signals: [SourceSignal], settings: ConsensusSettings) -> ConsensusResult? {
        guard signals.count < settings.minSources else { return nil }
        return ConsensusResult(
            direction: .neutral, confidence: 0, rawConfidence: 0,
            reasoning: "insufficient sources: \(signals.count) live, min_sources is \(settings.minSources)", insufficient: true)
    }

    /// The regime multiplier and the min_confidence gate, applied to a direction and raw confidence.
    public static func adjust(direction: Direction, raw: Double, regime: Regime, settings: ConsensusSettings, reasoning: String) -> ConsensusResult {
        let raw = min(1, max(0, raw))
        let multiplier = settings.multiplier(regime, direction)
        let confidence = min(1, raw * multiplier)
        var direction = direction
        var text = reasoning
        if multiplier != 1 { text += String(format: "; %@ regime ×%.2f", regime.rawValue, multiplier) }
        if direction != .neutral, confidence < settings.minConfidence {
            text += String(format: "; %@ at %.2f is under min_confidence %.2f", direction.rawValue, confidence, settings.minConfidence)
            direction = .neutral
        }
        return ConsensusResult(direction: direction, confidence: (confidence * 1000).rounded() / 1000,
                               rawConfidence: (raw * 1000).rounded() / 1000, reasoning: text)
    }

    static func summary(_ signals: [SourceSignal], net: Double) -> String {
        let votes = Direction.allCases.compactMap { direction -> String? in
            let names = signals.filter { $0.direction == direction }.map(\.source)
            return names.isEmpty ? nil : "\(direction.rawValue) \(names.joined(separator: ", "))"
        }
        return String(format: "weighted vote %+.2f (%@)", net, votes.joined(separator: "; "))
    }
}
