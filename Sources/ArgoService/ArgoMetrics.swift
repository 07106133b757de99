import ArgoCore
import ArgoEngine
import ArgoFetch
import ArgoPlugins
import CoreMetrics
import Prometheus
import Synchronization

/// Argo's metrics, through swift-metrics into a Prometheus registry of its own
/// (no process-wide bootstrap, so tests and embedders can hold several):
///
/// - `argo_cycle_duration_seconds` (histogram), `argo_cycles_total`, `argo_cycle_overruns_total`
/// - `argo_source_request_duration_seconds{source}` (histogram, per upstream fetch with its retries)
/// - `argo_source_requests_total{source}`, `argo_source_http_requests_total{source}`,
///   `argo_source_failures_total{source,kind}`, `argo_source_retries_total{source}`,
///   `argo_source_cache_hits_total{source}`, `argo_source_coalesced_total{source}`,
///   `argo_source_rate_limit_wait_seconds_total{source}`
/// - `argo_source_circuit_state{source}` (0 closed, 1 half-open, 2 open)
/// - `argo_signals_total{direction}`, `argo_symbol_errors_total`
/// - `argo_reloads_total{result}` (`applied`, `rejected`), `argo_store_failures_total`
/// - `argo_plugin_cpu_seconds_total{source}`, `argo_plugin_overruns_total{source}` (calls stopped
///   by their time limit or budget), `argo_plugin_set_aside{source}` (1 while set aside)
/// - `argo_scorecard_hit_rate{source,horizon}`, `argo_scorecard_ic{source,horizon}`,
///   `argo_scorecard_observations{source,horizon}`: the rolling scorecard of the live signals
///   (``LiveScorecard``), `source="consensus"` included; a figure with nothing to stand on is NaN
public final class ArgoMetrics: FetchObserver, Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    /// The fetcher's counters at the last ``recordCycle(_:stats:)``, to turn totals into increments.
    private let lastStats = Mutex<[String: SourceStatsSnapshot]>([:])
    /// The quarantine's records at the last ``recordPlugins(_:)``.
    private let lastPlugins = Mutex<[String: PluginQuarantine.Record]>([:])

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["argo_cycle_duration_seconds"] =
            [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60].map { Duration.milliseconds(Int64($0 * 1000)) }
        self.factory = factory
    }

    /// The registry in Prometheus text format.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }

    // MARK: - Recording

    public func fetched(source: String, seconds: Double, failure: FetchError.Kind?) {
        Timer(label: "argo_source_request_duration_seconds", dimensions: [("source", source)], factory: factory)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    /// The rolling scorecard's figures, all regimes together.
    public func recordScorecard(_ report: BacktestReport) {
        for row in report.scores where row.regime == "ALL" {
            let labels = [("source", row.source), ("horizon", "\(row.horizon)")]
            Gauge(label: "argo_scorecard_hit_rate", dimensions: labels, factory: factory).record(row.score.hitRate ?? .nan)
            Gauge(label: "argo_scorecard_ic", dimensions: labels, factory: factory).record(row.score.ic ?? .nan)
            Gauge(label: "argo_scorecard_observations", dimensions: labels, factory: factory).record(row.score.observations)
        }
    }

    /// One finished cycle: its duration, signals, errors, and what the fetcher did since the last one.
    public func recordCycle(_ report: CycleReport, stats: [String: SourceStatsSnapshot]) {
        Timer(label: "argo_cycle_duration_seconds", factory: factory).recordNanoseconds(Int64(report.cycle.durationMs * 1e6))
        Counter(label: "argo_cycles_total", factory: factory).increment()
        for direction in Direction.allCases {
            let count = report.signals.filter { $0.direction == direction }.count
            Counter(label: "argo_signals_total", dimensions: [("direction", direction.rawValue)], factory: factory).increment(by: count)
        }
        Counter(label: "argo_symbol_errors_total", factory: factory).increment(by: report.errors.count)
        let previous = lastStats.withLock { last in
            defer { last = stats }
            return last
        }
        for (source, now) in stats.sorted(by: { $0.key < $1.key }) {
            let before = previous[source] ?? SourceStatsSnapshot()
            let labels = [("source", source)]
            func add(_ name: String, _ delta: Int) {
                Counter(label: name, dimensions: labels, factory: factory).increment(by: max(0, delta))
            }
            add("argo_source_requests_total", now.requests - before.requests)
            add("argo_source_http_requests_total", now.attempts - before.attempts)
            add("argo_source_retries_total", now.retries - before.retries)
            add("argo_source_cache_hits_total", now.cacheHits - before.cacheHits)
            add("argo_source_coalesced_total", now.coalesced - before.coalesced)
            FloatingPointCounter(label: "argo_source_rate_limit_wait_seconds_total", dimensions: labels, factory: factory)
                .increment(by: max(0, now.rateLimitWait - before.rateLimitWait))
            for (kind, count) in now.failures {
                Counter(label: "argo_source_failures_total", dimensions: [("source", source), ("kind", kind)], factory: factory)
                    .increment(by: max(0, count - (before.failures[kind] ?? 0)))
            }
            let phase: Int = switch now.circuit {
            case .closed: 0
            case .halfOpen: 1
            case .open: 2
            }
            Gauge(label: "argo_source_circuit_state", dimensions: labels, factory: factory).record(phase)
        }
    }

    /// What the plugins' calls cost: CPU, overruns, and which are set aside.
    public func recordPlugins(_ records: [String: PluginQuarantine.Record]) {
        let previous = lastPlugins.withLock { last in
            defer { last = records }
            return last
        }
        for (source, now) in records.sorted(by: { $0.key < $1.key }) {
            let before = previous[source]
            let labels = [("source", source)]
            FloatingPointCounter(label: "argo_plugin_cpu_seconds_total", dimensions: labels, factory: factory)
                .increment(by: max(0, now.cpuSeconds - (before?.cpuSeconds ?? 0)))
            Counter(label: "argo_plugin_overruns_total", dimensions: labels, factory: factory)
                .increment(by: max(0, now.overruns - (before?.overruns ?? 0)))
            Gauge(label: "argo_plugin_set_aside", dimensions: labels, factory: factory).record(now.setAside ? 1 : 0)
        }
    }

    /// A cycle that started late because the previous one overran the interval.
    public func recordOverrun() { Counter(label: "argo_cycle_overruns_total", factory: factory).increment() }

    /// A reload that applied changes, or refused an edit.
    public func reloaded(applied: Bool) {
        Counter(label: "argo_reloads_total", dimensions: [("result", applied ? "applied" : "rejected")], factory: factory).increment()
    }

    /// A cycle the store could not write.
    public func recordStoreFailure() { Counter(label: "argo_store_failures_total", factory: factory).increment() }
}
