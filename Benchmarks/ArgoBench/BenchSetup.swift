import ArgoEngine
import ArgoFetch
import ArgoPlugins
import ArgoService
import ArgoSimulator
import Foundation

/// The seed analysis's latency profile: alpaca 150 ms, massive 200, yahoo 300,
/// alpha vantage 400, xai 800, sonar 1200, each ±20% (uniform).
enum SeedProfile {
    static let medians: [SimulatedRoute: Double] = [
        .alpaca: 150, .massive: 200, .yahoo: 300, .alphaVantage: 400, .xai: 800, .perplexity: 1200,
    ]

    static func scenario(zeroLatency: Bool = false) -> SimulatorScenario {
        var routes: [SimulatedRoute: RouteKnobs] = [:]
        for (route, median) in medians {
            var knobs = RouteKnobs()
            knobs.latency = zeroLatency ? .none : .uniform(min: median * 0.8, max: median * 1.2)
            routes[route] = knobs
        }
        // Today's date, as the engine's requests use the clock: a fixed date would leave fewer bars
        // in their window as time passes (252 instead of 270 twelve days after 2026-11-24).
        return SimulatorScenario(routes: routes)
    }
}

/// One way of running a cycle: Argo's engine, or the benchmark's own cycle
/// (``BenchCycle``) with some of the seed's fixes turned off.
struct Variant: Sendable {
    var name: String
    /// nil: `SignalEngine.runCycle`, Argo itself.
    var benchCycle: BenchCycle?
    /// Measure the second cycle of one engine (its pool already open), not the first of a fresh one.
    var warmPool = false

    static let argo = Variant(name: "argo")
    /// Argo's steady state under `argo run`: the engine's second cycle (run with the cache off, so it fetches everything).
    static let argoWarm = Variant(name: "argo, warm pool (argo run)", warmPool: true)
    static let before = Variant(name: "before", benchCycle: .seed)
    /// The benchmark's cycle with every fix, then with each turned off in turn.
    static let ablations: [Variant] = [
        Variant(name: "bench cycle, every fix", benchCycle: BenchCycle()),
        Variant(name: "bench cycle, sources one after another", benchCycle: BenchCycle(parallelSources: false)),
        Variant(name: "bench cycle, symbols one after another", benchCycle: BenchCycle(parallelSymbols: false)),
        Variant(name: "bench cycle, second bar fetch for regime", benchCycle: BenchCycle(reuseBarsForRegime: false)),
        Variant(name: "bench cycle, new connection per request", benchCycle: BenchCycle(pooledConnections: false)),
    ]
}

/// What a benchmark's `Config/argo.yaml` says: the simulator has no quota, so plan
/// limits are lifted unless given, and the pools and in-flight caps are sized for
/// the watch list: HTTP/1.1 carries one request per connection at a time, so a
/// connection a symbol per host (up to 1,024) puts every symbol in flight at once.
/// Alpha Vantage's second request a symbol then waits for a free connection, which
/// costs nothing on the critical path (two 400 ms rounds end before Sonar's 1.2 s),
/// and opening twice the connections measurably cost memory and CPU.
struct BenchSettings {
    static let sources = ["alpaca", "massive", "yfinance", "alpha_vantage", "xai_grok", "sonar"]

    var symbols: Int
    /// false: `cache_ttl: 0s` for every source, so each cycle fetches everything.
    var cache = true
    /// Per source: the requests a second the client may send, and the burst.
    var rateLimits: [String: (requests: Int, perSeconds: Double)] = [:]
    /// The cycle's deadline in seconds.
    var deadline = 600.0
    /// `http.ca_file`, when set.
    var caFile: String?

    var yaml: String {
        let width = min(1024, max(8, symbols))
        let lines = Self.sources.map { name in
            var fields = ["max_concurrency: \(width)"]
            if let limit = rateLimits[name] {
                fields.append("rate_limit: { requests: \(limit.requests), per: \(limit.perSeconds)s }")
            } else {
                fields.append("rate_limit: { requests: 100000, per: 1s }")
            }
            if !cache { fields.append("cache_ttl: 0s") }
            return "  \(name): { \(fields.joined(separator: ", ")) }"
        }
        return """
            cycle: { deadline: \(deadline)s, max_concurrent_symbols: \(max(64, symbols)) }
            http: { connections_per_host: \(width)\(caFile.map { ", ca_file: \"\($0)\"" } ?? "") }
            sources:
            \(lines.joined(separator: "\n"))
            """
    }
}

/// Builds engines over the shipped plugins and consensus, against a simulator.
struct BenchSetup {
    let simulator: any SimulatorControl
    let host: PluginHost
    let config: ArgoConfig
    let workspace: Workspace

    static func make(simulator: any SimulatorControl, root: String, settings: BenchSettings) throws -> BenchSetup {
        var settings = settings
        settings.caFile = settings.caFile ?? simulator.caFile
        let config = try ArgoConfig(file: ConfigFile(yaml: settings.yaml, path: "bench.yaml", environment: [:]))
        let host = try PluginHost(directory: PluginDirectory(path: root + "/plugins"), consensusPath: root + "/Config/consensus.lua")
        let workspace = Workspace(configPath: root + "/Config/argo.yaml", environment: [:], demoBaseURLs: simulator.baseURLs)
        return BenchSetup(simulator: simulator, host: host, config: config, workspace: workspace)
    }

    static func make(simulator: any SimulatorControl, root: String, symbols: Int) throws -> BenchSetup {
        try make(simulator: simulator, root: root, settings: BenchSettings(symbols: symbols))
    }

    /// A fresh transport, fetcher and engine for one run: a cold pool and an empty cache.
    func engine(_ variant: Variant) throws -> (SignalEngine, HTTPTransport) {
        let transport = HTTPTransport(configuration: config.transportConfiguration)
        let sources = try workspace.sources(plugins: host.plugins, config: config, consensus: host.consensus)
        let fetcher = Fetcher(transport: transport, cacheBytes: config.cacheBytes)
        // As `argo cycle` (one cycle, nothing cached) or `argo run` at the default 60 s interval.
        fetcher.expectNextUse(variant.warmPool ? .after(.seconds(60)) : .never)
        return (SignalEngine(config: config, host: host, fetcher: fetcher, sources: sources), transport)
    }
}
