import ArgoCore
@testable import ArgoEngine
import ArgoFetch
import ArgoLua
@testable import ArgoPlugins
import ArgoSimulator
import Foundation
import Testing

/// Cycles that wait for a real deadline to pass and check it was kept. `make
/// test` runs them alone, after the parallel run: beside a few hundred other
/// tests on 2 cores, a cycle's work can wait seconds for a thread.
@Suite("Engine: real deadlines (run alone)")
struct RealDeadlineTests {
    @Test("a hanging source: the cycle ends by its deadline and reports the source timed out; the others answer, even with the hung requests holding 2 of a 4-connection pool")
    func deadline() async throws {
        // Every source shares the simulator's one origin here, so the hung Sonar requests hold pooled connections
        // and the 10 other requests queue for the remaining 2. The deadline is generous: at the start of a parallel
        // `swift test` (debug build, 2 cores) the other suites' set-up keeps the cooperative pool busy for about 2 s,
        // and a tighter deadline then times out the quick sources too (seen with 1.5 s and 2.5 s).
        try await withEngine(yaml: "cycle:\n  deadline: 5s\nhttp:\n  connections_per_host: 4\n", knobs: [.perplexity: knobs { $0.hangRate = 1 }]) { engine, _ in
            let start = ContinuousClock.now
            let report = await engine.runCycle(symbols: ["AAPL", "MSFT"])
            let elapsed = start.duration(to: .now)
            #expect(elapsed >= .seconds(5) && elapsed < .seconds(7), "the cycle waits for the hung source until its deadline, not longer")
            for signal in report.signals {
                #expect(signal.sources["sonar"]?.errorKind == "timeout")
                #expect(signal.sources["alpaca"]?.status == .ok, "\(signal.sources["alpaca"]?.error ?? "")")
                #expect(signal.sources["xai_grok"]?.status == .ok && signal.sources["alpha_vantage"]?.status == .ok, "\(signal.sources["alpha_vantage"]?.error ?? "") \(signal.sources["xai_grok"]?.error ?? "")")
            }
        }
    }

    @Test("the cycle ends by its deadline while a plugin call spins, and the call is reported as timed out")
    func deadlineCutsTheCall() async throws {
        let source = ContainmentTests.plugin("spin", request: "while true do pcall(function() while true do end end) end")
        try await withTemporaryDirectory { directory in
            let plugins = try pluginsCopy(in: directory, extra: ["spin.lua": source])
            let config = try ArgoConfig(file: try ConfigFile(yaml: "cycle:\n  deadline: 1s\n", path: "test.yaml", environment: [:]))
            let simulator = try await Simulator.start(scenario: SimulatorScenario())
            let transport = HTTPTransport(configuration: config.transportConfiguration)
            defer { Task { try? await transport.shutdown(); try? await simulator.shutdown() } }
            // No budget to speak of and a long per-call limit: only the cycle's deadline can stop it.
            let limits = LuaLimits(instructionsPerCall: Int.max / 2, timePerCall: .seconds(120))
            let host = try PluginHost(
                directory: try PluginDirectory(path: plugins), consensus: .read(path: Repo.consensus), poolSize: 2, limits: limits)
            let sources = try SourceSetup.all(plugins: host.plugins, config: config, consensus: host.consensus,
                                              environment: testEnvironment, baseURLOverride: simulator.baseURL)
            let engine = SignalEngine(config: config, host: host, fetcher: Fetcher(transport: transport), sources: sources)
            let report = await engine.runCycle(symbols: ["AAPL", "MSFT"])
            #expect(report.cycle.durationMs < 10_000, "a 1 s deadline; the call alone may run 120 s")
            for signal in report.signals {
                let spin = try #require(signal.sources["spin"])
                #expect(spin.status == .error)
                #expect(spin.errorKind == "timeout" && spin.error?.contains("deadline passed") == true, "\(spin.error ?? "")")
            }
        }
    }
}
