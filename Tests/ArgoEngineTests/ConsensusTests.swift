import ArgoAnalytics
import ArgoCore
@testable import ArgoEngine
import ArgoFetch
import Foundation
import Testing

@Suite("Engine: consensus")
struct ConsensusTests {
    static func signal(_ source: String, _ direction: Direction, _ confidence: Double, _ weight: Double) -> SourceSignal {
        SourceSignal(source: source, direction: direction, confidence: confidence, weight: weight, reasoning: "")
    }

    @Test("the weighted vote: net = Σ w·c·d / Σ w, then the regime multiplier")
    func weightedVote() {
        var settings = ConsensusSettings()
        settings.regimeMultipliers = [.bull: [.long: 1.1]]
        // (0.5·0.8·1 + 0.25·0.6·1 + 0.25·0.4·(−1)) / 1 = 0.4 + 0.15 − 0.1 = 0.45 → LONG, ×1.1 = 0.495.
        let result = Consensus.vote([Self.signal("a", .long, 0.8, 0.5), Self.signal("b", .long, 0.6, 0.25), Self.signal("c", .short, 0.4, 0.25)],
                                    regime: .bull, settings: settings)
        #expect(result.direction == .long)
        #expect(result.rawConfidence == 0.45)
        #expect(result.confidence == 0.495)
    }

    @Test("too few live sources: says so, invents nothing; under min_confidence: NEUTRAL")
    func gates() {
        var settings = ConsensusSettings()
        settings.minSources = 3
        let few = Consensus.vote([Self.signal("a", .long, 0.9, 1), Self.signal("b", .long, 0.9, 1)], regime: .bull, settings: settings)
        #expect(few.insufficient && few.direction == .neutral && few.confidence == 0)
        #expect(few.reasoning.contains("insufficient sources: 2 live, min_sources is 3"))
        settings.minSources = 1
        settings.minConfidence = 0.5
        // net = 0.3 → LONG before the gate, 0.3 < 0.5 → NEUTRAL.
        let weak = Consensus.vote([Self.signal("a", .long, 0.3, 1)], regime: .unknown, settings: settings)
        #expect(weak.direction == .neutral && weak.reasoning.contains("under min_confidence"))
    }

    @Test("consensus.lua: weights override plugin defaults, and combine() replaces the vote")
    func luaConsensus() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("consensus.lua").path
            try """
                return {
                  weights = { alpaca = 0.9, sonar = 0 },
                  min_sources = 1,
                  combine = function(signals, regime)
                    local n = 0
                    for name, s in pairs(signals) do if s.direction == "SHORT" then n = n + 1 end end
                    return { direction = "SHORT", confidence = 0.42, reasoning = "contrarian over " .. regime .. ", " .. n .. " short" }
                  end,
                }
                """.write(toFile: path, atomically: true, encoding: .utf8)
            try await withEngine(consensusPath: path) { engine, _ in
                #expect(engine.sources.first { $0.name == "alpaca" }?.weight == 0.9)
                #expect(engine.sources.first { $0.name == "sonar" }?.weight == 0)
                #expect(engine.sources.first { $0.name == "yfinance" }?.weight == 0.15, "the plugin's default")
                let signal = try #require(await engine.runCycle(symbols: ["UPTR"]).signals.first)
                #expect(signal.direction == .short)
                #expect(signal.rawConfidence == 0.42)
                #expect(signal.reasoning.hasPrefix("combine: contrarian over BULL, 0 short"))
            }
        }
    }

    @Test("a broken consensus.lua is one error with its file and line")
    func brokenConsensus() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("consensus.lua").path
            try "return {\n  min_sources = ,\n}\n".write(toFile: path, atomically: true, encoding: .utf8)
            await #expect { try await withEngine(consensusPath: path) { _, _ in } } throws: { error in
                "\(error)".contains("consensus.lua:2")
            }
        }
    }
}

@Suite("Engine: configuration")
struct ConfigTests {
    @Test("environment overrides win over the file; sources get base_url, timeout, rate limit and concurrency")
    func overrides() throws {
        let yaml = "cycle:\n  deadline: 20s\nsources:\n  sonar:\n    timeout: 30\n    max_concurrency: 2\n"
        let environment = ["ARGO_CYCLE_DEADLINE": "5s", "ARGO_SOURCES_SONAR_MAX_CONCURRENCY": "256",
                           "ARGO_SOURCES_SONAR_RATE_LIMIT_REQUESTS": "600", "ARGO_SOURCES_SONAR_BASE_URL": "http://127.0.0.1:9"]
        let config = try ArgoConfig(file: try ConfigFile(yaml: yaml, path: "Config/argo.yaml", environment: environment))
        #expect(config.cycleDeadline == 5)
        var policy = ArgoFetch.SourcePolicy(name: "sonar")
        policy.rateLimit = .init(requests: 50, per: 60)
        var baseURL = "https://api.perplexity.ai"
        try config.apply(to: &policy, baseURL: &baseURL)
        #expect(baseURL == "http://127.0.0.1:9")
        #expect(policy.timeout == 30 && policy.maxConcurrency == 256)
        #expect(policy.rateLimit == .init(requests: 600, per: 60))
    }

    @Test("http: the client, pool size, CA file and cache size; Argo's client and 64 MiB by default")
    func httpSettings() throws {
        let defaults = try ArgoConfig(file: ConfigFile(environment: [:])).transportConfiguration
        #expect(defaults.connectionsPerHost == nil && defaults.caFile == nil, "no cap per host: the sources' max_concurrency decides")
        #expect(try ArgoConfig(file: ConfigFile(environment: [:])).cacheBytes == 64 << 20)
        let yaml = "http:\n  client: argo\n  connections_per_host: 32\n  ca_file: /etc/corp-ca.pem\n  cache_mb: 16\n"
        let chosen = try ArgoConfig(file: try ConfigFile(yaml: yaml, path: "Config/argo.yaml", environment: [:])).transportConfiguration
        #expect(chosen.connectionsPerHost == 32 && chosen.caFile == "/etc/corp-ca.pem")
        let cache = try ArgoConfig(file: try ConfigFile(yaml: yaml, path: "Config/argo.yaml", environment: [:]))
        #expect(cache.cacheBytes == 16 << 20)
    }

    @Test("a bad value names the file and line, or the environment variable; unknown keys are errors")
    func errors() throws {
        #expect(throws: ConfigError(origin: "Config/argo.yaml:3", message: "'cycle.deadline' must be a duration such as 20s, 500ms or 2m, got 'soon'")) {
            _ = try ArgoConfig(file: try ConfigFile(yaml: "symbols: [AAPL]\ncycle:\n  deadline: soon\n", path: "Config/argo.yaml", environment: [:]))
        }
        #expect(throws: ConfigError(origin: "ARGO_CYCLE_MAX_CONCURRENT_SYMBOLS (environment)", message: "'cycle.max_concurrent_symbols' must be an integer from 1 to 100000, got 'many'")) {
            _ = try ArgoConfig(file: ConfigFile(environment: ["ARGO_CYCLE_MAX_CONCURRENT_SYMBOLS": "many"]))
        }
        #expect(throws: ConfigError(origin: "Config/argo.yaml:2", message: "'http.client': Argo has one HTTP client, its own ('argo'); 'async-http-client' was removed (docs/http.md), delete the line")) {
            _ = try ArgoConfig(file: try ConfigFile(yaml: "http:\n  client: async-http-client\n", path: "Config/argo.yaml", environment: [:]))
        }
        #expect(throws: ConfigError(origin: "Config/argo.yaml:2", message: "unknown key 'cycle.dedline' (did you mean 'cycle.deadline'?)")) {
            _ = try ArgoConfig(file: try ConfigFile(yaml: "cycle:\n  dedline: 5s\n", path: "Config/argo.yaml", environment: [:]))
        }
        #expect(throws: ConfigError(origin: "ARGO_CYCLE_DEADLIN (environment)", message: "sets no setting (did you mean 'ARGO_CYCLE_DEADLINE'?); `argo config` lists them")) {
            _ = try ArgoConfig(file: ConfigFile(environment: ["ARGO_CYCLE_DEADLIN": "5s"]))
        }
        let typo = try ArgoConfig(file: try ConfigFile(yaml: "sources:\n  alpacca:\n    enabled: false\n", path: "Config/argo.yaml",
                                                     environment: ["ARGO_SOURCES_SONAR_MAX_CONCURENCY": "8"]))
        #expect(throws: ConfigError(origin: "Config/argo.yaml:3", message: "'sources.alpacca.enabled': there is no source 'alpacca' (did you mean 'alpaca'?) (sources: alpaca, sonar)")) {
            try typo.checkSources(["sonar", "alpaca"])
        }
        let envTypo = try ArgoConfig(file: ConfigFile(environment: ["ARGO_SOURCES_SONAR_MAX_CONCURENCY": "8"]))
        #expect(throws: ConfigError(origin: "ARGO_SOURCES_SONAR_MAX_CONCURENCY (environment)", message: "sets no setting (did you mean 'ARGO_SOURCES_SONAR_MAX_CONCURRENCY'?); `argo config` lists them")) {
            try envTypo.checkSources(["sonar", "alpaca"])
        }
    }

    @Test("the shipped Config/argo.yaml is valid")
    func shipped() throws {
        let file = try ConfigFile.load(path: Repo.root.appendingPathComponent("Config/argo.yaml").path, environment: [:])
        let config = try ArgoConfig(file: file)
        #expect(config.symbols.count == 6 && config.barsNeeded >= 252)
    }
}

@Suite("Engine: enabling sources")
struct EnablingTests {
    @Test("a source switched off in the config is disabled, naming the file and line; either-or keys enable Massive")
    func switchedOff() async throws {
        try await withEngine(yaml: "sources:\n  yfinance:\n    enabled: false\n  alpha_vantage: { rate_limit: { requests: 600 } }\n") { engine, sim in
            let yahoo = try #require(engine.sources.first { $0.name == "yfinance" })
            #expect(yahoo.disabledReason == "disabled in test.yaml:3")
            #expect(engine.sources.first { $0.name == "massive" }?.isEnabled == true, "POLYGON_API_KEY stands in for MASSIVE_API_KEY")
            let signal = try #require(await engine.runCycle(symbols: ["AAPL"]).signals.first)
            #expect(signal.sources["yfinance"]?.status == .disabled)
            #expect(sim.stats.routes["yahoo"] == nil)
        }
    }
}
