import ArgoAnalytics
import ArgoCore

/// A signal `argo run` stored: the trading day of the last bar it saw, the
/// regime, and each source's call and the consensus's (as `consensus`).
public struct LiveSignal: Sendable {
    public var symbol: String
    public var day: String
    public var regime: Regime
    public var calls: [(source: String, direction: Direction, confidence: Double)]

    public init(symbol: String, day: String, regime: Regime, calls: [(source: String, direction: Direction, confidence: Double)]) {
        self.symbol = symbol
        self.day = day
        self.regime = regime
        self.calls = calls
    }
}

/// `argo evaluate`: the scorecard of the live history, each stored signal
/// scored against the bars that came after the last one it saw.
public enum Evaluation {
    /// Each symbol's first day among `signals`: where its history must start.
    public static func firstDays(_ signals: [LiveSignal]) -> [String: String] {
        Dictionary(signals.map { ($0.symbol, $0.day) }, uniquingKeysWith: min)
    }

    /// Scores `signals` (newest first, as the history reads them back) against
    /// `histories`. A symbol's day counts once: its newest stored signal, the
    /// one standing at that day's close. Horizons no signal is old enough for
    /// are named in the report's notes.
    public static func evaluate(_ signals: [LiveSignal], histories: [String: SymbolHistory], horizons: [Int]) -> BacktestReport {
        var seen = Set<String>()
        var book = ScoreBook()
        var sources: [String] = []
        var days = Set<String>()
        var errors: [CycleReport.SymbolError] = []
        let indexes = histories.mapValues { $0.indexByDay() }
        for signal in signals where seen.insert("\(signal.symbol)|\(signal.day)").inserted {
            guard let history = histories[signal.symbol], let index = indexes[signal.symbol]?[signal.day] else {
                if !errors.contains(where: { $0.symbol == signal.symbol }) {
                    errors.append(CycleReport.SymbolError(symbol: signal.symbol, error: "no bars for \(signal.day) in the bar store"))
                }
                continue
            }
            days.insert(signal.day)
            for call in signal.calls {
                if !sources.contains(call.source) { sources.append(call.source) }
                for horizon in horizons {
                    guard let forward = history.forwardReturn(from: index, horizon: horizon) else { continue }
                    book.add(source: call.source, horizon: horizon, regime: signal.regime,
                             ScoredObservation(direction: call.direction, confidence: call.confidence, forwardReturn: forward))
                }
            }
        }
        let ordered = sources.filter { $0 != "consensus" }.sorted() + (sources.contains("consensus") ? ["consensus"] : [])
        let first = days.min() ?? "", last = days.max() ?? ""
        var report = BacktestReport(
            backtest: .init(from: first, to: last, symbols: Array(Set(signals.map(\.symbol))).sorted(), horizons: horizons, days: days.count,
                            sources: ordered, excluded: []),
            scores: book.rows(sources: ordered, horizons: horizons), signals: nil, errors: errors.sorted { $0.symbol < $1.symbol })
        report.kind = "evaluate"
        if days.isEmpty {
            report.notes.append("there is no stored signal with market data to score yet (argo run stores them)")
        } else {
            for horizon in horizons where book.count(source: "consensus", horizon: horizon) == 0 {
                report.notes.append("horizon \(horizon): the history is too young — no stored signal since \(first) has \(horizon) trading day\(horizon == 1 ? "" : "s") of bars after it yet")
            }
        }
        return report
    }
}
