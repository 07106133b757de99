import ArgoCore
import ArgoEngine
import ArgoFetch
import ArgoStore
import Logging
import ServiceLifecycle

/// `argo run`: a cycle every `interval`, on the engine the reloader keeps
/// current, each one stored and counted.
///
/// Cycles never overlap: the next starts at the next tick of the interval, or
/// — when a cycle overran it — as soon as it ends, with the overrun logged and
/// counted. On graceful shutdown (SIGINT/SIGTERM through ServiceLifecycle) the
/// running cycle finishes (it is bounded by `cycle.deadline`) and is stored;
/// the wait for the next tick is cut short.
public struct CycleService: Service {
    public var reloader: EngineReloader
    public var store: SignalStore?
    public var metrics: ArgoMetrics?
    public var logger: Logger
    public var interval: Duration
    /// Stop after this many cycles; nil runs until shut down.
    public var cycles: Int?
    /// The config's watch list when nil.
    public var symbols: [String]?
    /// Called after each cycle is stored (tests edit files here, between cycles).
    public var afterCycle: (@Sendable (CycleReport) async -> Void)?

    public init(reloader: EngineReloader, store: SignalStore?, metrics: ArgoMetrics?, logger: Logger, interval: Duration,
                cycles: Int? = nil, symbols: [String]? = nil, afterCycle: (@Sendable (CycleReport) async -> Void)? = nil) {
        self.reloader = reloader
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.interval = interval
        self.cycles = cycles
        self.symbols = symbols
        self.afterCycle = afterCycle
    }

    public func run() async throws {
        let clock = ContinuousClock()
        var completed = 0
        var next = clock.now
        while cycles.map({ completed < $0 }) ?? true, !Task.isShuttingDownGracefully, !Task.isCancelled {
            if completed > 0 { await reloader.refresh() }
            // Cache only what is still fresh when the next cycle starts.
            reloader.engine.fetcher.expectNextUse(.after(interval))
            let report = await runOne(reloader.engine)
            completed += 1
            await afterCycle?(report)
            HeapTrim.release()
            if let cycles, completed >= cycles { break }
            next = next.advanced(by: interval)
            let now = clock.now
            if next <= now {
                if interval > .zero {
                    let late = next.duration(to: now)
                    let skipped = Int(late / interval) + 1
                    logger.warning("cycle overran the interval; the next starts now", metadata: [
                        "overrun_ms": "\(Int(late.seconds * 1000))", "skipped_ticks": "\(skipped)", "interval_s": "\(interval.seconds)",
                    ])
                    metrics?.recordOverrun()
                }
                next = now
                continue
            }
            do {
                let wake = next
                try await cancelWhenGracefulShutdown { try await Task.sleep(until: wake, clock: clock) }
            } catch {
                break
            }
        }
        logger.info("cycles stopped", metadata: ["completed": "\(completed)"])
    }

    /// Runs, records and stores one cycle.
    func runOne(_ engine: SignalEngine) async -> CycleReport {
        let report = await engine.runCycle(symbols: symbols)
        metrics?.recordCycle(report, stats: engine.fetcher.allStats)
        metrics?.recordPlugins(engine.host.quarantine.snapshot)
        var stored = "no"
        if let store {
            do {
                try await store.save(report)
                stored = "yes"
            } catch {
                metrics?.recordStoreFailure()
                logger.error("cycle not stored", metadata: ["cycle": "\(report.cycle.id)", "error": "\(error)"])
            }
        }
        let directions = Dictionary(grouping: report.signals, by: \.direction).mapValues(\.count)
        let sourceErrors = report.signals.reduce(0) { $0 + $1.sources.values.filter { $0.status == .error }.count }
        logger.info("cycle", metadata: [
            "id": "\(report.cycle.id.prefix(8))", "symbols": "\(report.cycle.symbols)", "duration_ms": "\(report.cycle.durationMs)",
            "long": "\(directions[.long] ?? 0)", "short": "\(directions[.short] ?? 0)", "neutral": "\(directions[.neutral] ?? 0)",
            "symbol_errors": "\(report.errors.count)", "source_errors": "\(sourceErrors)",
            "http_requests": "\(report.stats.httpRequests)", "cache_hits": "\(report.stats.cacheHits)", "stored": "\(stored)",
        ])
        for error in report.errors { logger.warning("symbol failed", metadata: ["symbol": "\(error.symbol)", "error": "\(error.error)"]) }
        return report
    }
}
