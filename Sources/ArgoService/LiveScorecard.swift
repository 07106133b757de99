import ArgoCore
import ArgoEngine
import ArgoStore
import Foundation
import Logging
import Synchronization

extension HistoryEntry {
    /// The stored signal as `argo evaluate` scores it: the day of the last bar
    /// it saw, its regime, each live source's call and the consensus's; nil
    /// when it saw no market data.
    public var liveSignal: LiveSignal? {
        guard let day = signal.marketData?.asOf else { return nil }
        var calls = signal.sources.sorted { $0.key < $1.key }.compactMap { name, outcome -> (source: String, direction: Direction, confidence: Double)? in
            guard outcome.status == .ok || outcome.status == .cached, let direction = outcome.direction, let confidence = outcome.confidence else { return nil }
            return (name, direction, confidence)
        }
        calls.append(("consensus", signal.direction, signal.confidence))
        return LiveSignal(symbol: signal.symbol, day: day, regime: signal.regime, calls: calls)
    }
}

/// The rolling scorecard `argo run` exports: once a day, the live signals of
/// the last ``windowDays`` days are scored as `argo evaluate` scores them, and
/// each source's hit rate and IC become Prometheus gauges. It runs beside the
/// cycles, never delaying one, and at most one at a time.
public final class LiveScorecard: Sendable {
    /// Calendar days of stored signals scored.
    public static let windowDays = 90
    /// The horizons exported, in trading days.
    public static let horizons = [1, 5]

    private let store: SignalStore
    private let metrics: ArgoMetrics
    private let logger: Logger
    /// The UTC day last scored, and whether a scoring is running.
    private let state = Mutex<(day: String?, running: Bool)>((nil, false))

    public init(store: SignalStore, metrics: ArgoMetrics, logger: Logger) {
        self.store = store
        self.metrics = metrics
        self.logger = logger
    }

    /// Scores the history in the background if today has not been scored yet.
    public func refreshIfDue(engine: SignalEngine, now: Date = Date()) {
        let today = Bar.date(of: Int64(now.timeIntervalSince1970))
        let due = state.withLock { state -> Bool in
            guard state.day != today, !state.running else { return false }
            state.running = true
            return true
        }
        guard due else { return }
        Task {
            defer { state.withLock { $0.running = false } }
            do {
                let report = try await score(engine: engine, now: now)
                metrics.recordScorecard(report)
                state.withLock { $0.day = today }
                logger.info("scorecard", metadata: ["days": "\(report.backtest.days)", "sources": "\(report.backtest.sources.count)"])
            } catch {
                logger.warning("scorecard not updated", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The scorecard of the stored signals of the last ``windowDays`` days.
    public func score(engine: SignalEngine, now: Date = Date()) async throws -> BacktestReport {
        let since = Bar.date(of: Int64(now.timeIntervalSince1970) - Int64(Self.windowDays) * 86_400)
        let live = try await store.history(limit: Int(Int32.max), since: since).compactMap(\.liveSignal)
        let (histories, _) = await BarHistory(engine: engine, store: store).histories(from: Evaluation.firstDays(live), now: now)
        return Evaluation.evaluate(live, histories: histories, horizons: Self.horizons)
    }
}
