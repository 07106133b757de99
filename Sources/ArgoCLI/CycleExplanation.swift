import ArgoCore
import Foundation

/// `argo cycle --explain`: for each symbol, each live source's weight ×
/// confidence, the weighted vote, and the regime adjustment that led to the
/// signal, recomputed from the report as the default vote computes it.
enum CycleExplanation {
    static func render(_ report: CycleReport, consensus: ConsensusSettings) -> String {
        report.signals.map { explain($0, consensus: consensus) }.joined(separator: "\n\n")
    }

    static func explain(_ signal: SymbolSignal, consensus: ConsensusSettings) -> String {
        var lines = [String(format: "%@  %@ %.2f (raw %.2f, regime %@)", signal.symbol, signal.direction.rawValue, signal.confidence,
                            signal.rawConfidence, signal.regime.rawValue)]
        let live = signal.sources.filter { $0.value.status == .ok || $0.value.status == .cached }.sorted { $0.key < $1.key }
        let width = max(6, live.map(\.key.count).max() ?? 0)
        var net = 0.0, total = 0.0
        for (name, outcome) in live {
            let weight = outcome.weight ?? 0, confidence = outcome.confidence ?? 0
            let direction = outcome.direction ?? .neutral
            let vote = weight * confidence * direction.sign
            net += vote
            total += weight
            lines.append(String(format: "  %@  %@  weight %.2f × confidence %.2f = %+.3f", name.padding(toLength: width, withPad: " ", startingAt: 0),
                                direction.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0), weight, confidence, vote))
        }
        for (name, outcome) in signal.sources.sorted(by: { $0.key < $1.key }) where outcome.status == .error || outcome.status == .disabled {
            lines.append("  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  not counted: \(outcome.status.rawValue) — \(outcome.error ?? outcome.reason ?? "")")
        }
        if signal.insufficient == true {
            lines.append("  \(live.count) live source\(live.count == 1 ? "" : "s"), min_sources is \(consensus.minSources): no signal is invented")
            return lines.joined(separator: "\n")
        }
        if signal.reasoning.hasPrefix("combine:") {
            lines.append("  consensus.lua's combine decided: \(signal.reasoning)")
            return lines.joined(separator: "\n")
        }
        guard total > 0 else {
            lines.append("  every live source has weight 0")
            return lines.joined(separator: "\n")
        }
        let vote = net / total
        let voted: Direction = vote > consensus.neutralBand ? .long : vote < -consensus.neutralBand ? .short : .neutral
        lines.append(String(format: "  vote %+.3f ÷ total weight %.2f = %+.3f → %@ (NEUTRAL within ±%.2f)", net, total, vote, voted.rawValue,
                            consensus.neutralBand))
        let multiplier = consensus.multiplier(signal.regime, voted)
        let adjusted = min(1, abs(vote) * multiplier)
        lines.append(String(format: "  regime %@ × %.2f for %@: %.3f → %.3f", signal.regime.rawValue, multiplier, voted.rawValue, min(1, abs(vote)), adjusted))
        if voted != .neutral, adjusted < consensus.minConfidence {
            lines.append(String(format: "  under min_confidence %.2f: NEUTRAL", consensus.minConfidence))
        }
        return lines.joined(separator: "\n")
    }
}
