@testable import ArgoSimulator
import Foundation
import Testing

@Suite("Simulator: Alpha Vantage")
struct AlphaVantageTests {
    @Test("RSI follows Wilder's smoothing (hand-computed on a short series)")
    func rsiByHand() {
        // Changes +1, -1, +2 with period 2: first averages 0.5 / 0.5 → RSI 50;
        // then gain (0.5·1 + 2)/2 = 1.25, loss (0.5·1 + 0)/2 = 0.25 → RS 5 → RSI 100 − 100/6.
        let rsi = SeriesMath.rsi([10, 11, 10, 12], 2)
        #expect(rsi[0] == nil && rsi[1] == nil)
        #expect(rsi[2] == 50)
        #expect(abs(rsi[3]! - (100 - 100.0 / 6)) < 1e-12)
        // EMA seeded with the SMA of its first values: (1+2+3)/3 = 2, then (4−2)·0.5 + 2 = 3.
        #expect(SeriesMath.ema([1, 2, 3, 4], 3) == [nil, nil, 2, 3])
    }

    @Test("indicator bodies: pretty-printed, newest first, values as strings, numeric time period")
    func rsiBody() async throws {
        try await withSimulator { sim in
            let client = try RawHTTPClient(port: sim.port)
            let response = try client.get("/query?function=RSI&symbol=AAPL&interval=daily&time_period=14&series_type=close&apikey=k")
            #expect(response.status == 200)
            #expect(response.text.hasPrefix("{\n    \"Meta Data\": {\n        \"1: Symbol\": \"AAPL\""))
            let object = try #require(try response.json() as? [String: Any])
            let meta = try #require(object["Meta Data"] as? [String: Any])
            #expect(meta["5: Time Period"] as? Int == 14)
            let series = try #require(object["Technical Analysis: RSI"] as? [String: [String: String]])
            let newest = try #require(series[sim.market.today.description]?["RSI"])
            #expect(newest.split(separator: ".").last?.count == 4)
            let firstKey = response.text.range(of: "\"Technical Analysis: RSI\": {\n        \"")!.upperBound
            #expect(response.text[firstKey...].hasPrefix(sim.market.today.description), "newest date first")
            let macd = try #require(try client.get("/query?function=MACD&symbol=AAPL&interval=daily&series_type=close&apikey=k").json() as? [String: Any])
            let entry = try #require((macd["Technical Analysis: MACD"] as? [String: [String: String]])?[sim.market.today.description])
            #expect(Set(entry.keys) == ["MACD", "MACD_Hist", "MACD_Signal"])
        }
    }

    @Test("failures are HTTP 200: a missing key, an unknown symbol, a rate-limit note")
    func failuresAreHTTP200() async throws {
        try await withSimulator { sim in
            let client = try RawHTTPClient(port: sim.port)
            let noKey = try client.get("/query?function=RSI&symbol=AAPL&time_period=14")
            #expect(noKey.status == 200)
            #expect(noKey.text.contains("\"Error Message\": \"the parameter apikey is invalid or missing"))
            let unknown = try client.get("/query?function=TIME_SERIES_DAILY&symbol=NOPE&apikey=k")
            #expect(unknown.text.contains("Invalid API call") && unknown.text.contains("for TIME_SERIES_DAILY."))
            var knobs = RouteKnobs()
            knobs.rateLimitNoteRate = 1
            sim.setKnobs(knobs, for: .alphaVantage)
            let note = try client.get("/query?function=RSI&symbol=AAPL&time_period=14&apikey=k")
            #expect(note.status == 200)
            #expect(note.text.contains("\"Information\": \"Thank you for using Alpha Vantage!"))
        }
    }

    @Test("TIME_SERIES_DAILY closes agree with the other vendors")
    func dailyAgrees() async throws {
        try await withSimulator { sim in
            let client = try RawHTTPClient(port: sim.port)
            let object = try #require(try client.get("/query?function=TIME_SERIES_DAILY&symbol=MSFT&outputsize=compact&apikey=k").json() as? [String: Any])
            let series = try #require(object["Time Series (Daily)"] as? [String: [String: String]])
            #expect(series.count == 100)
            for bar in sim.market.bars("MSFT").suffix(100) {
                #expect(Double(series[bar.day.description]?["4. close"] ?? "") == bar.close)
            }
        }
    }
}
