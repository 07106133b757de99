import ArgoSimulator
import Foundation
import Testing

@Suite("Simulator: bar routes")
struct BarRoutesTests {
    @Test("Alpaca refuses a request without both keys with nginx's HTML 401")
    func alpacaAuth() async throws {
        try await withSimulator { sim in
            let client = try RawHTTPClient(port: sim.port)
            let response = try client.get("/v2/stocks/AAPL/bars?timeframe=1Day", headers: ["APCA-API-KEY-ID": "only-one"])
            #expect(response.status == 401)
            #expect(response.headers["content-type"] == "text/html")
            #expect(response.text.contains("401 Authorization Required"))
            #expect(response.text.contains("nginx"))
        }
    }

    @Test("Alpaca pages concatenate to the full series with no gap or duplicate")
    func alpacaPaging() async throws {
        var scenario = SimulatorScenario(today: "2026-11-24")
        var knobs = RouteKnobs()
        knobs.pageSize = 100
        scenario.routes[.alpaca] = knobs
        try await withSimulator(scenario) { sim in
            let client = try RawHTTPClient(port: sim.port)
            var token: String? = nil
            var days: [String] = []
            var pages = 0
            repeat {
                var target = "/v2/stocks/AAPL/bars?timeframe=1Day&start=2025-11-01&end=2026-11-24&limit=1000"
                if let token { target += "&page_token=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
                let response = try client.get(target, headers: alpacaKeys)
                #expect(response.status == 200)
                #expect(response.headers["x-ratelimit-limit"] == "200")
                let object = try #require(try response.json() as? [String: Any])
                #expect(object["symbol"] as? String == "AAPL")
                #expect(object.keys.contains("next_page_token"), "the key is present on every page, null on the last")
                let bars = try #require(object["bars"] as? [[String: Any]])
                for bar in bars {
                    #expect(Set(bar.keys) == ["t", "o", "h", "l", "c", "v", "n", "vw"])
                    days.append(try #require(bar["t"] as? String))
                }
                token = object["next_page_token"] as? String
                pages += 1
            } while token != nil
            let expected = sim.market.bars("AAPL", from: TradingDay(year: 2025, month: 11, day: 1), through: sim.market.today)
            #expect(pages == (expected.count + 99) / 100)
            #expect(days.count == expected.count)
            #expect(Set(days).count == days.count)
            #expect(days == days.sorted())
            #expect(days.last?.hasPrefix("2026-11-24T05:00:00Z") == true, "daily bars at New York midnight (EST)")
            #expect(days.contains("2026-07-02T04:00:00Z"), "EDT midnight in summer")
            #expect(!days.contains { $0.hasPrefix("2026-11-26") }, "Thanksgiving is no trading day")
        }
    }

    @Test("Alpaca: unknown symbol gives bars null; multi-symbol form groups by symbol; limit over 10000 is a 400")
    func alpacaShapes() async throws {
        try await withSimulator { sim in
            let client = try RawHTTPClient(port: sim.port)
            let unknown = try client.get("/v2/stocks/XYZ/bars?timeframe=1Day&start=2026-01-01", headers: alpacaKeys)
            #expect(unknown.text.contains(#""bars":null"#))
            let multi = try #require(try client.get("/v2/stocks/bars?symbols=MSFT,AAPL&timeframe=1Day&start=2026-11-01", headers: alpacaKeys).json() as? [String: Any])
            let grouped = try #require(multi["bars"] as? [String: [[String: Any]]])
            #expect(Set(grouped.keys) == ["AAPL", "MSFT"])
            let tooMany = try client.get("/v2/stocks/AAPL/bars?timeframe=1Day&limit=10001", headers: alpacaKeys)
            #expect(tooMany.status == 400)
        }
    }

    @Test("the same symbol has the same closes at Alpaca, Massive and Yahoo")
    func vendorsAgree() async throws {
        try await withSimulator { sim in
            let client = try RawHTTPClient(port: sim.port)
            let alpaca = try #require(try client.get("/v2/stocks/MSFT/bars?timeframe=1Day&start=2025-11-24&end=2026-11-24&limit=10000", headers: alpacaKeys).json() as? [String: Any])
            var byDay: [String: Double] = [:]
            for bar in alpaca["bars"] as! [[String: Any]] { byDay[String((bar["t"] as! String).prefix(10))] = bar["c"] as? Double }

            let massive = try #require(try client.get("/v2/aggs/ticker/MSFT/range/1/day/2025-11-24/2026-11-24?adjusted=true&sort=asc&limit=50000&apiKey=k").json() as? [String: Any])
            #expect(massive["status"] as? String == "OK")
            let results = try #require(massive["results"] as? [[String: Any]])
            #expect(results.count == byDay.count)
            for bar in results {
                let ms = bar["t"] as! Int
                let day = TradingDay(daysSinceEpoch: (ms / 1000 - 4 * 3600) / 86_400).description
                #expect(byDay[day] == bar["c"] as? Double, "\(day)")
                #expect(bar["v"] is Double)
            }

            let yahoo = try #require(try client.get("/v8/finance/chart/MSFT?range=1y&interval=1d").json() as? [String: Any])
            let result = ((yahoo["chart"] as! [String: Any])["result"] as! [[String: Any]])[0]
            let timestamps = result["timestamp"] as! [Int]
            let closes = ((result["indicators"] as! [String: Any])["quote"] as! [[String: Any]])[0]["close"] as! [Any]
            var compared = 0
            var nulls = 0
            for (ts, close) in zip(timestamps, closes) {
                #expect((ts - 13 * 3600 - 1800) % 86_400 == 0 || (ts - 14 * 3600 - 1800) % 86_400 == 0, "stamped at the session open")
                let day = TradingDay(daysSinceEpoch: ts / 86_400).description
                guard let close = close as? Double else { nulls += 1; continue }
                if let expected = byDay[day] { #expect(abs(expected - close) < 1e-4); compared += 1 }
            }
            #expect(compared > 200)
            #expect(compared + nulls == timestamps.count)
        }
    }

    @Test("Massive: vendor auth error, no results key when empty; Yahoo: chart.error 404 for an unknown symbol")
    func errorsAndEmpty() async throws {
        try await withSimulator { sim in
            let client = try RawHTTPClient(port: sim.port)
            let noKey = try client.get("/v2/aggs/ticker/AAPL/range/1/day/2026-01-01/2026-02-01")
            #expect(noKey.status == 401)
            #expect(noKey.text.contains(#""error":"API Key was not provided""#))
            let bearer = try client.get("/v2/aggs/ticker/AAPL/range/1/day/2026-01-01/2026-02-01", headers: ["Authorization": "Bearer k"])
            #expect(bearer.status == 200)
            let empty = try #require(try client.get("/v2/aggs/ticker/AAPL/range/1/day/2026-11-28/2026-11-29?apiKey=k").json() as? [String: Any])
            #expect(empty["resultsCount"] as? Int == 0)
            #expect(empty["results"] == nil)
            let yahoo = try client.get("/v8/finance/chart/NOPE?range=1y&interval=1d")
            #expect(yahoo.status == 404)
            #expect(yahoo.text.contains("No data found, symbol may be delisted"))
        }
    }

    @Test("scenario symbols have the shapes tests rely on")
    func scenarioShapes() {
        let market = SimulatedMarket(today: TradingDay(year: 2026, month: 11, day: 24))
        func change(_ symbol: String, over bars: Int) -> Double {
            let closes = market.bars(symbol).suffix(bars).map(\.close)
            return closes.last! / closes.first! - 1
        }
        #expect(change("UPTR", over: 200) > 0.3)
        #expect(change("DNTR", over: 200) < -0.3)
        #expect(abs(change("FLAT", over: 200)) < 0.15)
        #expect(change("CRSH", over: 21) < -0.3)
        // The crash comes with a volatility spike: daily returns over the last 20 bars
        // swing far more than over the 100 before them.
        func volatility(_ bars: ArraySlice<SimulatedBar>) -> Double {
            let closes = bars.map(\.close)
            let returns = zip(closes.dropFirst(), closes).map { $0 / $1 - 1 }
            let mean = returns.reduce(0, +) / Double(returns.count)
            return (returns.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(returns.count - 1)).squareRoot()
        }
        let crash = market.bars("CRSH")
        #expect(volatility(crash.suffix(21)) > 2 * volatility(crash.dropLast(20).suffix(101)))
        #expect(market.bars("AAPL") == market.bars("AAPL"))
        #expect(market.bars("AAPL").allSatisfy { $0.day.isTradingDay && $0.low <= min($0.open, $0.close) && $0.high >= max($0.open, $0.close) })
    }
}
