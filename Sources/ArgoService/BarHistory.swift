import ArgoCore
import ArgoEngine
import ArgoStore
import Foundation

/// Daily bars for backtests and evaluations: read from the bar store, fetched
/// through the market-data chain only for what the store does not hold yet.
///
/// A symbol's history comes from one source: the one that already holds some
/// of it, else the first in the chain that delivers. What is missing at the
/// recent end is fetched from the last day held, once a day; a range older
/// than the first day held is fetched up to that day only (`ctx.through`).
public struct BarHistory: Sendable {
    public let engine: SignalEngine
    public let store: SignalStore

    public init(engine: SignalEngine, store: SignalStore) {
        self.engine = engine
        self.store = store
    }

    /// Why a symbol's history could not be had.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The bars of `symbol` from `firstDay` (`YYYY-MM-DD`) through the latest,
    /// fetching what the store lacks as of `now`.
    public func history(symbol: String, from firstDay: String, now: Date = Date()) async throws -> SymbolHistory {
        let today = Bar.date(of: Int64(now.timeIntervalSince1970))
        let chain = engine.sources.filter { $0.isMarketData && $0.isEnabled }.sorted { $0.priority < $1.priority }
        let held = try await store.barCoverage(symbol: symbol)
        let coverage = chain.lazy.compactMap { source in held.first { $0.source == source.name } }.first
        let fetchedToday = coverage.map { $0.fetchedAt.hasPrefix(today) } ?? false
        if let coverage {
            // Older days than held: only from the first day wanted through the first day held.
            if coverage.firstDay > firstDay, let held = Bar.timestamp(coverage.firstDay) {
                let (source, bars) = try await fetch(symbol, since: firstDay, now: Date(timeIntervalSince1970: Double(held + 86_399)), only: coverage.source,
                                                     through: true)
                try await store.saveBars(bars, symbol: symbol, source: source, fetchedAt: coverage.fetchedAt)
            }
            // Newer days than held: from the last day held, once a day.
            if !fetchedToday {
                let (source, bars) = try await fetch(symbol, since: coverage.lastDay, now: now, only: coverage.source, through: false)
                try await store.saveBars(bars, symbol: symbol, source: source, fetchedAt: Self.timestamp(now))
            }
            return SymbolHistory(source: coverage.source, bars: try await store.bars(symbol: symbol, source: coverage.source))
        }
        let (source, bars) = try await fetch(symbol, since: firstDay, now: now, only: nil, through: false)
        try await store.saveBars(bars, symbol: symbol, source: source, fetchedAt: Self.timestamp(now))
        return SymbolHistory(source: source, bars: try await store.bars(symbol: symbol, source: source))
    }

    /// The histories of several symbols, each from its own first day
    /// (`starts`: symbol → `YYYY-MM-DD`), ``fetchingAtOnce`` at a time (each
    /// source's own limits apply as well); `progress` hears of each one done.
    public func histories(
        from starts: [String: String], now: Date = Date(), progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async -> (histories: [String: SymbolHistory], failures: [CycleReport.SymbolError]) {
        let symbols = starts.keys.sorted()
        var histories: [String: SymbolHistory] = [:]
        var failures: [CycleReport.SymbolError] = []
        await withTaskGroup(of: (String, Result<SymbolHistory, any Error>).self) { group in
            var next = 0
            func start() {
                let symbol = symbols[next]
                next += 1
                group.addTask {
                    do { return (symbol, .success(try await history(symbol: symbol, from: starts[symbol]!, now: now))) } catch { return (symbol, .failure(error)) }
                }
            }
            while next < min(symbols.count, Self.fetchingAtOnce) { start() }
            var done = 0
            while let (symbol, result) = await group.next() {
                done += 1
                progress?(done, symbols.count)
                switch result {
                case .success(let bars): histories[symbol] = bars
                case .failure(let error): failures.append(CycleReport.SymbolError(symbol: symbol, error: "\(error)"))
                }
                if next < symbols.count { start() }
            }
        }
        return (histories, failures.sorted { $0.symbol < $1.symbol })
    }

    /// Symbols whose history is fetched at once.
    public static let fetchingAtOnce = 16

    /// Bars from `since` through the latest, or through `now` only when `through` (an older range), from
    /// `only` or else the chain.
    private func fetch(_ symbol: String, since: String, now: Date, only: String?, through: Bool) async throws -> (String, [Bar]) {
        let nowSeconds = Int64(now.timeIntervalSince1970)
        // The plugins turn trading days back into calendar days (7 for 5, and a month more).
        let calendarDays = max(1, (nowSeconds - (Bar.timestamp(since) ?? nowSeconds)) / 86_400)
        let barsNeeded = Int((Double(calendarDays) * 5 / 7).rounded(.up)) + 1
        let contexts = engine.contexts(now: nowSeconds, barsNeeded: barsNeeded, through: through ? nowSeconds : nil)
        let deadline = ContinuousClock.now + .seconds(Self.fetchDeadline)
        if let only {
            guard let ctx = contexts[only] else { throw Failure(description: "\(only) is not enabled") }
            let (outcome, bars) = await engine.runSource(named: only, symbol: symbol, deadline: deadline, ctx: ctx)
            guard let bars, !bars.isEmpty else { throw Failure(description: "\(only): \(outcome.error ?? outcome.reason ?? "no bars")") }
            return (only, bars)
        }
        let chain = await engine.runMarketChain(symbol, deadline: deadline, contexts: contexts)
        guard let source = chain.source, !chain.bars.isEmpty else {
            let reasons = chain.outcomes.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.error ?? $0.value.reason ?? $0.value.status.rawValue)" }
            throw Failure(description: reasons.isEmpty ? "no market-data source is enabled" : "no bars (\(reasons.joined(separator: "; ")))")
        }
        return (source, chain.bars)
    }

    /// How long fetching one symbol's history may take, pages included.
    static let fetchDeadline = 300.0

    static func timestamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
