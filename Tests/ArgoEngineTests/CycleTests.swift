@testable import ArgoEngine
import ArgoSimulator
import Foundation
import Testing

@Suite("Engine: whole cycles against the simulator")
struct CycleTests {
    @Test("a cycle: every source live, the chain stops at Alpaca, the regime follows the shape, one request per source and symbol")
    func fullCycle() async throws {
        try await withEngine { engine, sim in
            let report = await engine.runCycle(symbols: ["UPTR", "DNTR", "FLAT", "CRSH"])
            #expect(report.signals.map(\.symbol) == ["UPTR", "DNTR", "FLAT", "CRSH"])
            #expect(report.errors.isEmpty)
            let regimes = Dictionary(uniqueKeysWithValues: report.signals.map { ($0.symbol, $0.regime) })
            #expect(regimes == ["UPTR": .bull, "DNTR": .bear, "FLAT": .chop, "CRSH": .crisis])
            let up = try #require(report.signals.first)
            #expect(up.direction == .long)
            #expect(up.sources["alpaca"]?.status == .ok)
            #expect(up.sources["massive"] == .skipped("not needed: alpaca delivered"))
            for name in ["yfinance", "alpha_vantage", "xai_grok", "sonar"] { #expect(up.sources[name]?.status == .ok, "\(name)") }
            #expect((up.marketData?.bars ?? 0) >= 200)
            #expect(up.marketData?.asOf == sim.market.today.description, "the last bar is the simulator's today")
            #expect(report.signals[1].direction == .short)
            let stats = sim.stats.routes
            #expect(stats["alpaca"]?.requests == 4, "bars fetched once per symbol")
            #expect(stats["massive"] == nil)
            #expect(stats["alpha_vantage"]?.requests == 8, "RSI and MACD per symbol")
            #expect(stats["xai"]?.requests == 4 && stats["perplexity"]?.requests == 4)
            #expect(report.stats.httpRequests == 4 + 4 + 8 + 4 + 4)
        }
    }

    @Test("Alpaca failing: Massive delivers; Alpaca's error says why, after its attempts")
    func fallback() async throws {
        try await withEngine(knobs: [.alpaca: knobs { $0.errorRate = 1; $0.errorStatus = 503 }]) { engine, sim in
            let report = await engine.runCycle(symbols: ["AAPL"])
            let signal = try #require(report.signals.first)
            #expect(signal.sources["alpaca"]?.status == .error)
            #expect(signal.sources["alpaca"]?.errorKind == "transient")
            #expect(signal.sources["alpaca"]?.attempts == 3)
            #expect(signal.sources["massive"]?.status == .ok)
            #expect(signal.marketData?.source == "massive")
            #expect(signal.regime != .unknown)
            #expect(sim.stats.routes["massive"]?.requests == 1)
        }
    }

    @Test("Alpaca's paging is followed: a 100-bar page size still yields every bar")
    func paging() async throws {
        try await withEngine(knobs: [.alpaca: knobs { $0.pageSize = 100 }]) { engine, sim in
            let report = await engine.runCycle(symbols: ["MSFT"])
            let signal = try #require(report.signals.first)
            #expect((signal.marketData?.bars ?? 0) >= 260)
            #expect((sim.stats.routes["alpaca"]?.requests ?? 0) >= 3)
        }
    }

    @Test("an unknown symbol fails alone, in errors with no direction; the others are unaffected")
    func unknownSymbol() async throws {
        try await withEngine(environment: testEnvironment.filter { !$0.key.contains("XAI") && !$0.key.contains("PERPLEXITY") }) { engine, _ in
            let report = await engine.runCycle(symbols: ["XYZ", "AAPL"])
            #expect(report.errors.map(\.symbol) == ["XYZ"])
            #expect(report.errors.first?.error.contains("not_found") == true || report.errors.first?.error.contains("no bars") == true)
            #expect(report.signals.map(\.symbol) == ["AAPL"])
            let aapl = try #require(report.signals.first)
            #expect(aapl.sources["xai_grok"]?.status == .disabled)
            #expect(aapl.sources["xai_grok"]?.reason == "missing XAI_API_KEY")
            #expect(aapl.sources["alpaca"]?.status == .ok)
        }
    }

    @Test("a symbol whose market data failed gets no direction, however many sentiment sources answered")
    func noMarketData() async throws {
        try await withEngine(knobs: [.alpaca: knobs { $0.errorRate = 1; $0.errorStatus = 404 }, .massive: knobs { $0.errorRate = 1; $0.errorStatus = 404 }]) { engine, _ in
            let report = await engine.runCycle(symbols: ["AAPL"])
            #expect(report.signals.isEmpty)
            let error = try #require(report.errors.first)
            #expect(error.symbol == "AAPL" && error.error.hasPrefix("no market data"))
        }
    }

    @Test("Alpha Vantage's HTTP-200 rate-limit note is a typed rate_limited failure, and is not cached")
    func rateLimitNote() async throws {
        try await withEngine(knobs: [.alphaVantage: knobs { $0.rateLimitNoteRate = 1 }]) { engine, sim in
            let report = await engine.runCycle(symbols: ["AAPL"])
            #expect(report.signals.first?.sources["alpha_vantage"]?.errorKind == "rate_limited")
            sim.setKnobs(RouteKnobs(), for: .alphaVantage)
            let second = await engine.runCycle(symbols: ["AAPL"])
            #expect(second.signals.first?.sources["alpha_vantage"]?.status == .ok, "the note was not served from the cache")
            #expect(second.signals.first?.sources["alpaca"]?.status == .cached, "Alpaca's bars were, inside their 10 s TTL")
        }
    }

    @Test("no secret appears in the JSON report, even in errors")
    func noSecrets() async throws {
        try await withEngine(knobs: [.alpaca: knobs { $0.errorRate = 1; $0.errorStatus = 500 }]) { engine, _ in
            let report = await engine.runCycle(symbols: ["AAPL", "XYZ"])
            let text = String(decoding: try report.json(), as: UTF8.self)
            for secret in testEnvironment.values { #expect(!text.contains(secret), "\(secret)") }
        }
    }

    @Test("the JSON report has the contract's shape (section 5)")
    func jsonShape() async throws {
        try await withEngine(environment: testEnvironment.filter { $0.key != "XAI_API_KEY" }) { engine, _ in
            let report = await engine.runCycle(symbols: ["AAPL", "XYZ"])
            let object = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
            let cycle = try #require(object["cycle"] as? [String: Any])
            #expect(cycle["id"] is String && cycle["started_at"] is String && cycle["duration_ms"] is Double && cycle["symbols"] as? Int == 2)
            #expect(ISO8601DateFormatter().date(from: cycle["started_at"] as? String ?? "") != nil)
            let signals = try #require(object["signals"] as? [[String: Any]])
            let aapl = signals[0]
            for key in ["symbol", "direction", "confidence", "raw_confidence", "regime", "market_data", "sources", "reasoning"] {
                #expect(aapl[key] != nil, "signals[].\(key)")
            }
            #expect(["LONG", "SHORT", "NEUTRAL"].contains(aapl["direction"] as? String ?? ""))
            let market = try #require(aapl["market_data"] as? [String: Any])
            #expect(market["source"] as? String == "alpaca" && market["bars"] is Int && market["last_close"] is Double && market["as_of"] is String)
            let sources = try #require(aapl["sources"] as? [String: [String: Any]])
            let alpaca = try #require(sources["alpaca"])
            for key in ["status", "direction", "confidence", "weight", "latency_ms", "attempts", "reasoning"] { #expect(alpaca[key] != nil, "alpaca.\(key)") }
            #expect(sources["massive"]?["status"] as? String == "skipped" && sources["massive"]?["reason"] is String)
            #expect(sources["xai_grok"]?["status"] as? String == "disabled")
            let statuses = Set(sources.values.compactMap { $0["status"] as? String })
            #expect(statuses.isSubset(of: ["ok", "cached", "error", "skipped", "disabled"]))
            let errors = try #require(object["errors"] as? [[String: String]])
            #expect(errors.map { $0["symbol"] } == ["XYZ"] && errors[0]["error"] != nil)
            let stats = try #require(object["stats"] as? [String: Int])
            #expect(stats["http_requests"] != nil && stats["cache_hits"] != nil && stats["retries"] != nil)
        }
    }
}
