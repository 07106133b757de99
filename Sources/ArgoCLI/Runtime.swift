import ArgoEngine
import ArgoFetch
import ArgoPlugins
import ArgoSimulator
import ArgumentParser
import Foundation

/// Everything a cycle needs, built from `Config/`, `plugins/` and the
/// environment: the engine over one shared HTTP transport, and with `--demo`
/// the in-process simulator every source points at.
struct Runtime {
    let engine: SignalEngine
    let transport: HTTPTransport
    let simulator: Simulator?

    /// Options shared by the commands that run cycles.
    struct Options: ParsableArguments {
        @Option(help: "The host settings file (default: Config/argo.yaml; consensus.lua is read beside it).")
        var config = "Config/argo.yaml"

        @Flag(help: "Run against the built-in upstream simulator on a free loopback port, with placeholder keys.")
        var demo = false
    }

    /// Builds the runtime; prints one line per problem and exits 1 when nothing can run.
    static func start(_ options: Options, environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> Runtime {
        let config: ArgoConfig
        do {
            config = try ArgoConfig(file: try ConfigFile.load(path: options.config, environment: environment))
        } catch {
            printError("argo: \(error)")
            throw ExitCode(1)
        }
        let directory: PluginDirectory
        do {
            directory = try PluginDirectory(path: config.pluginsDir)
        } catch {
            printError("argo: cannot read plugin directory '\(config.pluginsDir)': \(error.localizedDescription)")
            throw ExitCode(1)
        }
        let consensusPath = ((options.config as NSString).deletingLastPathComponent as NSString).appendingPathComponent("consensus.lua")
        let host: PluginHost
        do {
            host = try PluginHost(directory: directory, consensusPath: consensusPath)
        } catch {
            printError("argo: \(error)")
            throw ExitCode(1)
        }
        for failure in host.failures { printError("argo: plugin skipped: \(failure)") }
        guard !host.plugins.isEmpty else {
            printError("argo: no plugin loads from \(config.pluginsDir)/")
            throw ExitCode(1)
        }
        var simulator: Simulator?
        if options.demo {
            // One listening port per plugin: each source talks to its own "host", with its own pool, as in production.
            simulator = try await Simulator.start(host: "127.0.0.1", port: 0, scenario: DemoScenario.scenario, threads: 2,
                                                  listeners: host.plugins.count)
        }
        var sources: [SourceSetup]
        do {
            sources = try SourceSetup.all(
                plugins: host.plugins, config: config, consensus: host.consensus, environment: environment,
                baseURLOverride: nil, placeholderKeys: options.demo)
        } catch {
            printError("argo: \(error)")
            try? await simulator?.shutdown()
            throw ExitCode(1)
        }
        if let simulator {
            for index in sources.indices {
                sources[index].baseURL = simulator.baseURLs[index % simulator.baseURLs.count]
                // The simulator has no quota: the vendors' plan limits (Alpha Vantage's 5 a
                // minute and 2 in flight) would only slow the demo. Config/argo.yaml still applies.
                let name = sources[index].name
                if config.file.entry("sources.\(name).rate_limit.requests") == nil { sources[index].policy.rateLimit = nil }
                if config.file.entry("sources.\(name).max_concurrency") == nil {
                    sources[index].policy.maxConcurrency = max(sources[index].policy.maxConcurrency, config.connectionsPerHost)
                }
            }
        }
        guard sources.contains(where: \.isEnabled) else {
            for source in sources { printError("argo: \(source.name) \(source.disabledReason ?? "")") }
            printError("argo: no source is enabled (set the API keys, or try --demo)")
            try? await simulator?.shutdown()
            throw ExitCode(1)
        }
        var settings = HTTPTransport.Configuration()
        settings.connectionsPerHost = config.connectionsPerHost
        let transport = HTTPTransport(configuration: settings)
        let engine = SignalEngine(config: config, host: host, fetcher: Fetcher(transport: transport), sources: sources)
        return Runtime(engine: engine, transport: transport, simulator: simulator)
    }

    /// Closes the pools and the simulator.
    func shutdown() async {
        try? await transport.shutdown()
        try? await simulator?.shutdown()
    }
}

/// The upstream latencies `--demo` simulates: about what the vendors answer in.
enum DemoScenario {
    static var scenario: SimulatorScenario {
        func latency(_ value: SimulatedLatency) -> RouteKnobs {
            var knobs = RouteKnobs()
            knobs.latency = value
            return knobs
        }
        return SimulatorScenario(routes: [
            .alpaca: latency(.uniform(min: 60, max: 140)),
            .massive: latency(.uniform(min: 80, max: 160)),
            .yahoo: latency(.uniform(min: 80, max: 200)),
            .alphaVantage: latency(.uniform(min: 120, max: 260)),
            .xai: latency(.logNormal(median: 450, sigma: 0.25)),
            .perplexity: latency(.logNormal(median: 600, sigma: 0.25)),
        ])
    }
}
