import ArgoAnalytics
import ArgoCore

/// One symbol's day for fitting weights: each source's call, the regime, and
/// the forward return at the horizon being fitted.
public struct DayCalls: Sendable {
    public var symbol: String
    public var day: String
    public var regime: Regime
    public var calls: [String: (direction: Direction, confidence: Double)]
    public var forwardReturn: Double

    public init(symbol: String, day: String, regime: Regime, calls: [String: (direction: Direction, confidence: Double)], forwardReturn: Double) {
        self.symbol = symbol
        self.day = day
        self.regime = regime
        self.calls = calls
        self.forwardReturn = forwardReturn
    }
}

/// `argo weights suggest`: consensus weights fitted on the earlier part of the
/// days and judged on the later part, never on the same days.
///
/// The method: each source's weight is proportional to its information
/// coefficient on the fitting days, shrunk toward zero by `n / (n + k)` (a
/// sample IC of n observations has a standard error near 1/√n, so a few
/// hundred days of luck should not move a weight far), and floored at zero
/// (a source that called the wrong way is dropped, not inverted). The
/// proposed weights keep the current weights' total, so the numbers stay on
/// the scale the file uses.
public struct WeightSuggestion: Sendable {
    /// The share of days fitted on; the rest are the out-of-sample test.
    public static let fitShare = 0.7
    /// The shrinkage constant `k`.
    public static let shrinkage = 200.0

    public var horizon: Int
    public var fitDays: (first: String, last: String)
    public var testDays: (first: String, last: String)
    public var current: [String: Double]
    public var proposed: [String: Double]
    /// Each source's IC on the fitting days, and its observations.
    public var fitted: [String: (ic: Double?, observations: Int)]
    /// The consensus on the test days with the current and with the proposed weights.
    public var currentScore: Score
    public var proposedScore: Score
    /// Why the proposal is what it is, when that needs saying.
    public var notes: [String]

    /// Fits on the first ``fitShare`` of the distinct days of `days` (less the
    /// last `horizon` of them, whose forward returns reach into the test days)
    /// and scores on the rest. Nil when there are too few days to split.
    public static func suggest(
        _ days: [DayCalls], current: [String: Double], horizon: Int, settings: ConsensusSettings
    ) -> WeightSuggestion? {
        let dates = Array(Set(days.map(\.day))).sorted()
        guard dates.count >= 2 * horizon + 10 else { return nil }
        let split = Int(Double(dates.count) * fitShare)
        let fitLast = dates[max(0, split - 1 - horizon)], testFirst = dates[split]
        let fit = days.filter { $0.day <= fitLast }, test = days.filter { $0.day >= testFirst }
        let sources = current.keys.sorted()
        var fitted: [String: (ic: Double?, observations: Int)] = [:]
        var raw: [String: Double] = [:]
        for source in sources {
            let observations = fit.compactMap { day in
                day.calls[source].map { ScoredObservation(direction: $0.direction, confidence: $0.confidence, forwardReturn: day.forwardReturn) }
            }
            let ic = Scorecard.score(observations).ic
            fitted[source] = (ic, observations.count)
            raw[source] = max(0, ic ?? 0) * Double(observations.count) / (Double(observations.count) + shrinkage)
        }
        var notes: [String] = []
        let total = current.values.reduce(0, +)
        let rawTotal = raw.values.reduce(0, +)
        var proposed = current
        if rawTotal > 0 {
            for source in sources { proposed[source] = ((raw[source] ?? 0) / rawTotal * total * 1000).rounded() / 1000 }
        } else {
            notes.append("no source had a positive IC on the fitting days: the current weights stay")
        }
        func consensusScore(_ weights: [String: Double]) -> Score {
            var settings = settings
            settings.weights = weights
            let observations = test.map { day -> ScoredObservation in
                let signals = day.calls.sorted { $0.key < $1.key }.map { source, call in
                    SourceSignal(source: source, direction: call.direction, confidence: call.confidence, weight: weights[source] ?? 0, reasoning: "")
                }
                let vote = Consensus.vote(signals, regime: day.regime, settings: settings)
                return ScoredObservation(direction: vote.direction, confidence: vote.confidence, forwardReturn: day.forwardReturn)
            }
            return Scorecard.score(observations)
        }
        let significant = sources.contains { source in
            guard let (ic, n) = fitted[source], let ic, abs(ic) < 1, n > 2 else { return false }
            return abs(ic * (Double(n - 2) / (1 - ic * ic)).squareRoot()) >= 2
        }
        if rawTotal > 0, !significant {
            notes.append("no source's IC on the fitting days is distinguishable from zero (|t| < 2): the proposal rests on noise, weigh it accordingly")
        }
        if settings.hasCombine { notes.append("consensus.lua defines combine(): the scores below are of the default weighted vote") }
        return WeightSuggestion(
            horizon: horizon, fitDays: (dates[0], fitLast), testDays: (testFirst, dates[dates.count - 1]), current: current, proposed: proposed,
            fitted: fitted, currentScore: consensusScore(current), proposedScore: consensusScore(proposed), notes: notes)
    }
}
