import ArgoSimulator
import Foundation
import Testing

@Suite("Simulator: knobs and counters")
struct KnobTests {
    @Test("every Nth request gets a 429 with Retry-After in the vendor's body")
    func tooManyRequests() async throws {
        try await withSimulator { sim in
            var knobs = RouteKnobs()
            knobs.tooManyRequestsEvery = 2
            knobs.retryAfterSeconds = 3
            sim.setKnobs(knobs, for: .yahoo)
            let client = try RawHTTPClient(port: sim.port)
            let statuses = try (0..<4).map { _ in try client.get("/v8/finance/chart/AAPL?range=1mo&interval=1d") }
            #expect(statuses.map(\.status) == [200, 429, 200, 429])
            #expect(statuses[1].headers["retry-after"] == "3")
            #expect(statuses[1].text == "Edge: Too Many Requests")
        }
    }

    @Test("a hanging route accepts and never answers; others still answer")
    func hang() async throws {
        try await withSimulator { sim in
            var knobs = RouteKnobs()
            knobs.hangRate = 1
            sim.setKnobs(knobs, for: .massive)
            let hanging = try RawHTTPClient(port: sim.port, receiveTimeout: 0.3)
            #expect(throws: RawHTTPClient.TimedOut.self) {
                _ = try hanging.get("/v2/aggs/ticker/AAPL/range/1/day/2026-01-01/2026-02-01?apiKey=k")
            }
            let other = try RawHTTPClient(port: sim.port)
            #expect(try other.get("/v8/finance/chart/AAPL?range=5d&interval=1d").status == 200)
            #expect(sim.stats[.massive].hung == 1)
        }
    }

    @Test("latency lands inside its range")
    func latency() async throws {
        try await withSimulator { sim in
            var knobs = RouteKnobs()
            knobs.latency = .uniform(min: 40, max: 60)
            sim.setKnobs(knobs, for: .yahoo)
            let client = try RawHTTPClient(port: sim.port)
            let clock = ContinuousClock()
            for _ in 0..<3 {
                let elapsed = try clock.measure { _ = try client.get("/v8/finance/chart/AAPL?range=5d&interval=1d") }
                #expect(elapsed >= .milliseconds(40))
            }
        }
    }

    @Test("error rate 1 answers the configured status with the vendor's envelope; malformed bodies do not parse")
    func errorsAndMalformed() async throws {
        try await withSimulator { sim in
            var failing = RouteKnobs()
            failing.errorRate = 1
            failing.errorStatus = 502
            sim.setKnobs(failing, for: .massive)
            var broken = RouteKnobs()
            broken.malformedRate = 1
            sim.setKnobs(broken, for: .yahoo)
            let client = try RawHTTPClient(port: sim.port)
            let error = try client.get("/v2/aggs/ticker/AAPL/range/1/day/2026-01-01/2026-02-01?apiKey=k")
            #expect(error.status == 502)
            #expect(error.text.contains(#""status":"ERROR""#))
            let malformed = try client.get("/v8/finance/chart/AAPL?range=1mo&interval=1d")
            #expect(malformed.status == 200)
            #expect(throws: (any Error).self) { _ = try malformed.json() }
        }
    }

    @Test("symbol overrides and a rate limit that answers 429 when exceeded")
    func overridesAndRateLimit() async throws {
        try await withSimulator { sim in
            var knobs = RouteKnobs()
            var special = RouteKnobs()
            special.errorRate = 1
            knobs.symbols = ["MSFT": special]
            knobs.rateLimit = .init(requests: 3, perSeconds: 60)
            sim.setKnobs(knobs, for: .yahoo)
            let client = try RawHTTPClient(port: sim.port)
            #expect(try client.get("/v8/finance/chart/MSFT?range=5d&interval=1d").status == 503)
            let statuses = try (0..<4).map { _ in try client.get("/v8/finance/chart/AAPL?range=5d&interval=1d").status }
            #expect(statuses == [200, 200, 200, 429])
        }
    }

    @Test("sequential requests on one keep-alive connection count one connection; stats and reset over HTTP")
    func keepAliveAndStats() async throws {
        try await withSimulator { sim in
            let client = try RawHTTPClient(port: sim.port)
            for _ in 0..<20 { #expect(try client.get("/v2/stocks/AAPL/bars?timeframe=1Day&start=2026-01-01", headers: alpacaKeys).status == 200) }
            let stats = try #require(try client.get("/__sim/stats").json() as? [String: Any])
            let alpaca = try #require((stats["routes"] as? [String: Any])?["alpaca"] as? [String: Any])
            #expect(alpaca["requests"] as? Int == 20)
            #expect(alpaca["connections"] as? Int == 1)
            #expect((alpaca["by_symbol"] as? [String: Int])?["AAPL"] == 20)
            #expect(try client.post("/__sim/reset", json: "{}").status == 200)
            #expect(sim.stats.totalRequests == 0)
        }
    }

    @Test("a scenario file sets knobs per route and per symbol")
    func scenarioFile() throws {
        let json = #"""
            {"today": "2026-11-24", "unlisted": ["BAD"],
             "routes": {"alpha_vantage": {"rate_limit_note_rate": 0.5},
                        "alpaca": {"latency": {"uniform": {"min": 120, "max": 180}}, "too_many_requests_every": 5,
                                   "retry_after_seconds": 2, "page_size": 100,
                                   "symbols": {"AAPL": {"error_rate": 1, "error_status": 500}}}}}
            """#
        let scenario = try SimulatorScenario.load(json: Data(json.utf8))
        #expect(scenario.today == "2026-11-24")
        #expect(scenario.routes[.alphaVantage]?.rateLimitNoteRate == 0.5)
        let alpaca = try #require(scenario.routes[.alpaca])
        #expect(alpaca.latency == .uniform(min: 120, max: 180))
        #expect(alpaca.tooManyRequestsEvery == 5)
        #expect(alpaca.pageSize == 100)
        #expect(alpaca.symbols?["AAPL"]?.errorStatus == 500)
        #expect(throws: DecodingError.self) { _ = try SimulatorScenario.load(json: Data(#"{"routes": {"bogus": {}}}"#.utf8)) }
    }
}

@Suite("Simulator: YAML scenarios")
struct YAMLScenarioTests {
    @Test("a YAML scenario decodes to the same knobs as its JSON twin")
    func yamlMatchesJSON() throws {
        let yaml = """
        today: 2026-11-24
        unlisted: [XYZ, GONE]
        routes:
          alpaca:
            latency: { uniform: { min: 120, max: 180 } }
            too_many_requests_every: 5
            page_size: 100
            symbols:
              AAPL: { error_rate: 1, error_status: 502 }
          xai:
            latency: { logNormal: { median: 900, sigma: 0.3 } }
            rate_limit: { requests: 8, per_seconds: 1 }
        """
        let json = #"""
        {"today": "2026-11-24", "unlisted": ["XYZ", "GONE"], "routes": {
          "alpaca": {"latency": {"uniform": {"min": 120, "max": 180}}, "too_many_requests_every": 5, "page_size": 100,
                     "symbols": {"AAPL": {"error_rate": 1, "error_status": 502}}},
          "xai": {"latency": {"logNormal": {"median": 900, "sigma": 0.3}}, "rate_limit": {"requests": 8, "per_seconds": 1}}}}
        """#
        let fromYAML = try SimulatorScenario.load(yaml: yaml)
        #expect(fromYAML == (try SimulatorScenario.load(json: Data(json.utf8))))
        #expect(fromYAML.routes[.alpaca]?.symbols?["AAPL"]?.errorStatus == 502)
        #expect(fromYAML.today == "2026-11-24")
    }

    @Test("an unknown route in YAML is an error naming it")
    func unknownRoute() {
        #expect(throws: DecodingError.self) { try SimulatorScenario.load(yaml: "routes:\n  bloomberg: {}\n") }
    }
}
