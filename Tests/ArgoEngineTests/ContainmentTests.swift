@testable import ArgoEngine
import ArgoFetch
import ArgoLua
@testable import ArgoPlugins
import ArgoSimulator
import Foundation
import Testing

/// Plugin code that would run for minutes, against a real engine, simulator and Lua.
@Suite("Engine: plugin code is bounded in time, and a plugin that keeps overrunning is set aside")
struct ContainmentTests {
    static func plugin(_ name: String, request body: String) -> String {
        """
        return {
          name = "\(name)", weight = 0.1, base_url = "http://127.0.0.1:1",
          request = function(symbol, ctx)
            \(body)
            return { path = "/v8/finance/chart/" .. symbol, query = { range = "1mo" } }
          end,
          parse = function(response) return { direction = "LONG", confidence = 1 } end,
        }
        """
    }

    @Test("a backtracking pattern fails only its source, three times, and then the plugin is set aside")
    func setAside() async throws {
        let source = Self.plugin("regex", request: #"local _ = string.rep("a", 40):find(string.rep("a*", 12) .. "b")"#)
        try await withTemporaryDirectory { directory in
            let plugins = try pluginsCopy(in: directory, extra: ["regex.lua": source])
            try await withEngine(pluginsDir: plugins) { engine, _ in
                for cycle in 1...4 {
                    let signal = try #require(await engine.runCycle(symbols: ["AAPL"]).signals.first)
                    let outcome = try #require(signal.sources["regex"])
                    #expect(outcome.status == .error && outcome.errorKind == "plugin")
                    if cycle <= PluginQuarantine.strikes {
                        #expect(outcome.error?.contains("regex.lua:4:") == true, "\(outcome.error ?? "")")
                        #expect(outcome.error?.contains("instruction limit in request") == true, "\(outcome.error ?? "")")
                    } else {
                        #expect(outcome.error?.contains("regex.lua is set aside") == true, "\(outcome.error ?? "")")
                    }
                    for name in ["alpaca", "yfinance", "xai_grok", "sonar"] {
                        #expect(signal.sources[name]?.status == .ok || signal.sources[name]?.status == .cached, "\(name)")
                    }
                }
                let record = try #require(engine.host.quarantine.snapshot["regex"])
                #expect(record.overruns == PluginQuarantine.strikes && record.setAside)
                #expect(record.cpuSeconds > 0)
            }
        }
    }

    @Test("an edited file comes back from the quarantine")
    func editLiftsQuarantine() {
        let quarantine = PluginQuarantine()
        for _ in 0..<PluginQuarantine.strikes { quarantine.record("p", fingerprint: 1, end: .overran, cpuSeconds: 0.5) }
        #expect(quarantine.isSetAside("p", fingerprint: 1))
        #expect(!quarantine.isSetAside("p", fingerprint: 2))
        quarantine.record("p", fingerprint: 2, end: .finished, cpuSeconds: 0.1)
        #expect(!quarantine.isSetAside("p", fingerprint: 2))
        #expect(quarantine.snapshot["p"]?.overruns == PluginQuarantine.strikes)
    }

    @Test("a call the deadline cut neither ends nor extends a streak of overruns")
    func cutCallsAreNeutral() {
        let quarantine = PluginQuarantine()
        quarantine.record("p", fingerprint: 1, end: .overran, cpuSeconds: 2)
        quarantine.record("p", fingerprint: 1, end: .cut, cpuSeconds: 0)
        quarantine.record("p", fingerprint: 1, end: .overran, cpuSeconds: 2)
        #expect(quarantine.snapshot["p"]?.inARow == 2)
        #expect(quarantine.isOnProbation("p", fingerprint: 1) && !quarantine.isSetAside("p", fingerprint: 1))
        quarantine.record("p", fingerprint: 1, end: .finished, cpuSeconds: 0.1)
        #expect(quarantine.snapshot["p"]?.inARow == 0 && !quarantine.isOnProbation("p", fingerprint: 1))
    }

    @Test("a plugin whose every call spins to its time limit does not starve the others of Lua states")
    func noStarvation() async throws {
        let source = Self.plugin("spin", request: "while true do end")
        try await withTemporaryDirectory { directory in
            let plugins = try pluginsCopy(in: directory, extra: ["spin.lua": source])
            let yaml = "cycle:\n  deadline: 20s\nsources:\n  alpha_vantage: { rate_limit: { requests: 600 } }\n"
            let config = try ArgoConfig(file: try ConfigFile(yaml: yaml, path: "test.yaml", environment: [:]))
            let simulator = try await Simulator.start(scenario: SimulatorScenario())
            let transport = HTTPTransport(configuration: config.transportConfiguration)
            defer { Task { try? await transport.shutdown(); try? await simulator.shutdown() } }
            // Only the clock stops the spinner: six symbols' calls would hold every state for a second each.
            let limits = LuaLimits(instructionsPerCall: Int.max / 2, timePerCall: .seconds(1))
            let host = try PluginHost(
                directory: try PluginDirectory(path: plugins), consensus: .read(path: Repo.consensus), poolSize: 4, limits: limits)
            let sources = try SourceSetup.all(plugins: host.plugins, config: config, consensus: host.consensus,
                                              environment: testEnvironment, baseURLOverride: simulator.baseURL)
            let engine = SignalEngine(config: config, host: host, fetcher: Fetcher(transport: transport), sources: sources)
            let report = await engine.runCycle(symbols: ["AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META"])
            #expect(report.errors.isEmpty, "\(report.errors)")
            for signal in report.signals {
                #expect(signal.sources["spin"]?.status == .error)
                for name in ["alpaca", "yfinance", "alpha_vantage", "xai_grok", "sonar"] {
                    #expect(signal.sources[name]?.status == .ok, "\(signal.symbol) \(name): \(signal.sources[name]?.error ?? "")")
                }
            }
        }
    }

    @Test("the sentiment library reads a crafted answer (a fence and thousands of spaces) within its budget")
    func sentimentFence() throws {
        let library = try LuaLibrary.load(directory: Repo.plugins + "/lib")
        let state = try LuaState(limits: LuaLimits(instructionsPerCall: 2_000_000), library: library)
        let results = try state.evaluate(#"""
            local sentiment = require("sentiment")
            local crafted = "```json" .. string.rep(" ", 20000) .. "x"
            local ok, err = pcall(sentiment.extract, crafted, "xai")
            local fine = sentiment.extract("<think>hmm</think>Here:\n```json\n{\"score\": 0.5}\n```", "xai")
            local braced = sentiment.extract("The answer is {\"score\": -0.2} as asked.", "xai")
            return ok, type(err) == "table" and err.kind, fine.score, braced.score
            """#)
        #expect(results == [false, "bad_response", 0.5, -0.2])
    }
}
