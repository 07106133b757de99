import ArgoAnalytics
import ArgoCore
import ArgoPlugins
import Foundation

/// A symbol's daily bars from one market-data source, oldest first.
public struct SymbolHistory: Sendable {
    public var source: String
    public var bars: [Bar]

    public init(source: String, bars: [Bar]) {
        self.source = source
        self.bars = bars
    }

    /// Each trading day's position in ``bars``.
    public func indexByDay() -> [String: Int] {
        Dictionary(bars.enumerated().map { ($1.date, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// `close(index + horizon) / close(index) − 1`; nil when that bar is not held yet.
    public func forwardReturn(from index: Int, horizon: Int) -> Double? {
        index + horizon < bars.count ? bars[index + horizon].c / bars[index].c - 1 : nil
    }
}

/// One row of a scorecard (contract section 7).
public struct ScoreRow: Sendable, Equatable, Encodable {
    public var source: String
    public var horizon: Int
    public var regime: String
    public var score: Score

    enum CodingKeys: String, CodingKey {
        case source, horizon, regime, observations, directional, abstainRate = "abstain_rate", hitRate = "hit_rate"
        case hitRateCI = "hit_rate_ci", meanReturnLong = "mean_return_long", meanReturnShort = "mean_return_short"
        case ic, icT = "ic_t", brier
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source, forKey: .source)
        try container.encode(horizon, forKey: .horizon)
        try container.encode(regime, forKey: .regime)
        try container.encode(score.observations, forKey: .observations)
        try container.encode(score.directional, forKey: .directional)
        try container.encode(score.abstainRate, forKey: .abstainRate)
        try container.encode(score.hitRate, forKey: .hitRate)
        try container.encode(score.hitRateInterval.map { [$0.low, $0.high] }, forKey: .hitRateCI)
        try container.encode(score.meanReturnLong, forKey: .meanReturnLong)
        try container.encode(score.meanReturnShort, forKey: .meanReturnShort)
        try container.encode(score.ic, forKey: .ic)
        try container.encode(score.icT, forKey: .icT)
        try container.encode(score.brier, forKey: .brier)
    }
}

/// Observations gathered per source, horizon and regime (and `ALL`), then
/// scored into rows in a stable order.
public struct ScoreBook: Sendable {
    private var observations: [String: [ScoredObservation]] = [:]

    public init() {}

    /// Adds one signal's observation at `horizon`, under its regime and under `ALL`.
    public mutating func add(source: String, horizon: Int, regime: Regime, _ observation: ScoredObservation) {
        observations["\(source)|\(horizon)|ALL", default: []].append(observation)
        observations["\(source)|\(horizon)|\(regime.rawValue)", default: []].append(observation)
    }

    /// Adds everything `other` gathered.
    public mutating func merge(_ other: ScoreBook) {
        observations.merge(other.observations) { $0 + $1 }
    }

    /// The number of observations of `source` at `horizon`, all regimes together.
    public func count(source: String, horizon: Int) -> Int { observations["\(source)|\(horizon)|ALL"]?.count ?? 0 }

    /// A row per source (in `sources` order), horizon and regime that has observations; `ALL` always.
    public func rows(sources: [String], horizons: [Int]) -> [ScoreRow] {
        var rows: [ScoreRow] = []
        for source in sources {
            for horizon in horizons {
                for regime in ["ALL"] + Regime.allCases.map(\.rawValue) {
                    let list = observations["\(source)|\(horizon)|\(regime)"]
                    if list == nil, regime != "ALL" { continue }
                    rows.append(ScoreRow(source: source, horizon: horizon, regime: regime, score: Scorecard.score(list ?? [])))
                }
            }
        }
        return rows
    }
}

/// One day's signal of one source (or `consensus`) in a backtest.
public struct DaySignal: Sendable, Equatable, Encodable {
    public var symbol: String
    public var date: String
    public var source: String
    public var direction: Direction
    public var confidence: Double
    public var regime: Regime
}

/// A source a backtest leaves out, and why.
public struct ExcludedSource: Sendable, Equatable, Encodable {
    public var source: String
    public var reason: String
}

/// What `argo backtest` reports (contract section 7).
public struct BacktestReport: Sendable, Encodable {
    public struct Header: Sendable, Encodable {
        public var from: String
        public var to: String
        public var symbols: [String]
        public var horizons: [Int]
        public var days: Int
        public var sources: [String]
        public var excluded: [ExcludedSource]
    }

    public var backtest: Header
    public var scores: [ScoreRow]
    /// Every day's signals, with `--signals` only.
    public var signals: [DaySignal]?
    /// Symbols that could not be replayed, and why (no bars in the range).
    public var errors: [CycleReport.SymbolError]
    /// What the figures cannot say yet (a horizon the history is too young for).
    public var notes: [String] = []
    /// The JSON key of the header: `backtest`, or `evaluate` for the live history.
    public var kind = "backtest"

    public init(backtest: Header, scores: [ScoreRow], signals: [DaySignal]?, errors: [CycleReport.SymbolError]) {
        self.backtest = backtest
        self.scores = scores
        self.signals = signals
        self.errors = errors
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(backtest, forKey: Key(kind))
        try container.encode(scores, forKey: Key("scores"))
        try container.encodeIfPresent(signals, forKey: Key("signals"))
        try container.encode(errors, forKey: Key("errors"))
        if !notes.isEmpty { try container.encode(notes, forKey: Key("notes")) }
    }
}

extension SignalEngine {
    /// The sources a backtest can replay honestly: those whose `parse` returns
    /// bars, whose signal the host rebuilds from the bars up to each day. The
    /// others are left out, each with the reason.
    public var backtestSources: (included: [SourceSetup], excluded: [ExcludedSource]) {
        var included: [SourceSetup] = [], excluded: [ExcludedSource] = []
        for source in sources {
            if (try? config.isEnabled(source.name)) == false {
                excluded.append(ExcludedSource(source: source.name, reason: "disabled in the settings"))
            } else if source.manifest.hasSignal {
                included.append(source)
            } else {
                excluded.append(ExcludedSource(
                    source: source.name,
                    reason: "the signal is the vendor's answer on the day (parse returns a signal): it cannot be asked again as of a past day, "
                        + "and a language model asked about a past day may know what happened next"))
            }
        }
        return (included, excluded)
    }

    /// Replays the cycle for every symbol and trading day from `from` through
    /// `to` (`YYYY-MM-DD`), point in time: each day's window is the
    /// `cycle.bars_needed` bars up to and including that day, and nothing later
    /// is read. The host computes indicators and regime, each included source's
    /// `signal` runs, then the consensus of `consensus.lua`; each signal is scored
    /// against the closes `horizons` bars later from the same source.
    public func backtest(
        _ histories: [String: SymbolHistory], from: String, to: String, horizons: [Int], keepSignals: Bool = false,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async -> BacktestReport {
        let (included, excluded) = backtestSources
        let symbols = histories.keys.sorted()
        var book = ScoreBook()
        var kept: [String: [DaySignal]] = [:]
        var days = Set<String>()
        var errors: [CycleReport.SymbolError] = []
        // Symbols are independent: replayed side by side, a few per core, merged in symbol order.
        await withTaskGroup(of: (String, SymbolReplay).self) { group in
            var next = 0, done = 0
            func start() {
                let symbol = symbols[next]
                next += 1
                group.addTask {
                    (symbol, await self.replay(symbol, history: histories[symbol]!, from: from, to: to, horizons: horizons, sources: included,
                                               keepSignals: keepSignals))
                }
            }
            while next < min(symbols.count, Self.replaysAtOnce) { start() }
            while let (symbol, replay) = await group.next() {
                done += 1
                if let error = replay.error {
                    errors.append(CycleReport.SymbolError(symbol: symbol, error: error))
                } else {
                    book.merge(replay.book)
                    days.formUnion(replay.days)
                    kept[symbol] = replay.signals
                }
                progress?(done, symbols.count)
                if next < symbols.count { start() }
            }
        }
        let scores = book.rows(sources: included.map(\.name) + ["consensus"], horizons: horizons)
        let header = BacktestReport.Header(from: from, to: to, symbols: symbols, horizons: horizons, days: days.count,
                                           sources: included.map(\.name), excluded: excluded)
        return BacktestReport(backtest: header, scores: scores, signals: keepSignals ? symbols.flatMap { kept[$0] ?? [] } : nil,
                              errors: errors.sorted { $0.symbol < $1.symbol })
    }

    /// Symbols replayed at once: their plugin calls share the host's Lua states.
    static var replaysAtOnce: Int { max(2, ProcessInfo.processInfo.activeProcessorCount * 2) }

    /// What replaying one symbol gave.
    struct SymbolReplay: Sendable {
        var book = ScoreBook()
        var signals: [DaySignal] = []
        var days = Set<String>()
        var error: String?
    }

    /// One symbol's days from `from` through `to`, each on the bars up to it.
    func replay(
        _ symbol: String, history: SymbolHistory, from: String, to: String, horizons: [Int], sources: [SourceSetup], keepSignals: Bool
    ) async -> SymbolReplay {
        var result = SymbolReplay()
        let bars = history.bars
        let dates = bars.map(\.date)
        guard let first = dates.firstIndex(where: { $0 >= from }), dates[first] <= to else {
            result.error = "no bars from \(from) through \(to) in the bar store"
            return result
        }
        let last = dates.lastIndex { $0 <= to } ?? first
        let redactor = Redactor(secrets: [])
        for day in first...last {
            result.days.insert(dates[day])
            let window = Array(bars[max(0, day - config.barsNeeded + 1)...day])
            let indicators = Indicators(bars: window)
            let regime = RegimeDetector.detect(window, thresholds: config.regime).regime
            let ctx = PluginContext(env: [:], now: window.last!.t + 86_400, barsNeeded: config.barsNeeded)
            var signals: [SourceSignal] = []
            for source in sources {
                guard let (direction, confidence, reasoning) = try? await host.signal(
                    source.name, indicators: indicators, symbol: symbol, ctx: ctx, redactor: redactor) else { continue }
                signals.append(SourceSignal(source: source.name, direction: direction, confidence: confidence, weight: source.weight, reasoning: reasoning))
            }
            var consensus = Consensus.vote(signals, regime: regime, settings: host.consensus)
            if !consensus.insufficient, host.consensus.hasCombine,
               let (direction, confidence, _) = try? await host.combine(signals, regime: regime) {
                consensus = Consensus.adjust(direction: direction, raw: confidence, regime: regime, settings: host.consensus, reasoning: "")
            }
            let calls = signals.map { ($0.source, $0.direction, $0.confidence) } + [("consensus", consensus.direction, consensus.confidence)]
            for (source, direction, confidence) in calls {
                if keepSignals {
                    result.signals.append(DaySignal(symbol: symbol, date: dates[day], source: source, direction: direction, confidence: confidence, regime: regime))
                }
                for horizon in horizons {
                    guard let forward = history.forwardReturn(from: day, horizon: horizon) else { continue }
                    result.book.add(source: source, horizon: horizon, regime: regime,
                                    ScoredObservation(direction: direction, confidence: confidence, forwardReturn: forward))
                }
            }
        }
        return result
    }
}
