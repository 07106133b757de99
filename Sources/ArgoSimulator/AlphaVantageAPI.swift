/// Alpha Vantage (UPSTREAMS.md §4): `GET /query?function=RSI|MACD|SMA|EMA|TIME_SERIES_DAILY&…&apikey=…`.
/// Pretty-printed with 4-space indents, values as strings, newest date first, and
/// every failure an HTTP 200 with `Error Message` or `Information`.
struct AlphaVantageAPI: SimulatedAPI {
    let route = SimulatedRoute.alphaVantage

    func matches(_ request: SimulatedRequest) -> Bool { request.path == "/query" }

    func symbol(of request: SimulatedRequest) -> String? { request.query["symbol"] }

    static func errorMessage(_ text: String) -> SimulatedResponse {
        .json(200, "{\n    \"Error Message\": \"\(text)\"\n}")
    }

    func respond(to request: SimulatedRequest, market: SimulatedMarket, knobs: RouteKnobs) -> SimulatedResponse {
        guard !(request.query["apikey"] ?? "").isEmpty else {
            return Self.errorMessage("the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds.")
        }
        let function = request.query["function"] ?? ""
        let invalid = Self.errorMessage("Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for \(function).")
        guard let symbol = request.query["symbol"], market.isListed(symbol) else { return invalid }
        let bars = market.bars(symbol)
        let closes = bars.map(\.close)
        let refreshed = market.today.description
        func period(_ name: String, _ fallback: Int) -> Int { Int(request.query[name] ?? "") ?? fallback }
        func indicatorBody(name: String, title: String, meta: [(String, String)], entries: [(TradingDay, [(String, Double)])]) -> String {
            var lines = ["{", "    \"Meta Data\": {"]
            let allMeta = [("1: Symbol", "\"\(symbol)\""), ("2: Indicator", "\"\(title)\""), ("3: Last Refreshed", "\"\(refreshed)\""), ("4: Interval", "\"daily\"")] + meta
            lines += allMeta.enumerated().map { "        \"\($0.element.0)\": \($0.element.1)\($0.offset == allMeta.count - 1 ? "" : ",")" }
            lines += ["    },", "    \"Technical Analysis: \(name)\": {"]
            for (offset, (day, values)) in entries.enumerated() {
                lines.append("        \"\(day)\": {")
                lines += values.enumerated().map { "            \"\($0.element.0)\": \"\(format($0.element.1, decimals: 4))\"\($0.offset == values.count - 1 ? "" : ",")" }
                lines.append("        }\(offset == entries.count - 1 ? "" : ",")")
            }
            lines += ["    }", "}"]
            return lines.joined(separator: "\n")
        }
        func newestFirst(_ series: [Double?], key: String) -> [(TradingDay, [(String, Double)])] {
            zip(bars, series).compactMap { bar, value in value.map { (bar.day, [(key, $0)]) } }.reversed()
        }
        switch function {
        case "SMA", "EMA", "RSI":
            let n = period("time_period", 14)
            guard n > 0 else { return invalid }
            let series = function == "SMA" ? SeriesMath.sma(closes, n) : function == "EMA" ? SeriesMath.ema(closes, n) : SeriesMath.rsi(closes, n)
            let title = ["SMA": "Simple Moving Average (SMA)", "EMA": "Exponential Moving Average (EMA)", "RSI": "Relative Strength Index (RSI)"][function]!
            return .json(200, indicatorBody(name: function, title: title,
                meta: [("5: Time Period", "\(n)"), ("6: Series Type", "\"\(request.query["series_type"] ?? "close")\""), ("7: Time Zone", "\"US/Eastern Time\"")],
                entries: newestFirst(series, key: function)))
        case "MACD":
            let (fast, slow, signal) = (period("fastperiod", 12), period("slowperiod", 26), period("signalperiod", 9))
            guard fast > 0, slow > 0, signal > 0 else { return invalid }
            let series = SeriesMath.macd(closes, fast: fast, slow: slow, signal: signal)
            let entries: [(TradingDay, [(String, Double)])] = zip(bars, series).compactMap { bar, v in
                v.map { (bar.day, [("MACD", $0.0), ("MACD_Hist", $0.2), ("MACD_Signal", $0.1)]) }
            }.reversed()
            return .json(200, indicatorBody(name: "MACD", title: "Moving Average Convergence/Divergence (MACD)",
                meta: [("5.1: Fast Period", "\(fast)"), ("5.2: Slow Period", "\(slow)"), ("5.3: Signal Period", "\(signal)"),
                       ("6: Series Type", "\"\(request.query["series_type"] ?? "close")\""), ("7: Time Zone", "\"US/Eastern Time\"")],
                entries: entries))
        case "TIME_SERIES_DAILY":
            let full = request.query["outputsize"] == "full"
            let shown = full ? bars[...] : bars.suffix(100)
            var lines = ["{", "    \"Meta Data\": {",
                "        \"1. Information\": \"Daily Prices (open, high, low, close) and Volumes\",",
                "        \"2. Symbol\": \"\(symbol)\",", "        \"3. Last Refreshed\": \"\(refreshed)\",",
                "        \"4. Output Size\": \"\(full ? "Full size" : "Compact")\",", "        \"5. Time Zone\": \"US/Eastern\"",
                "    },", "    \"Time Series (Daily)\": {"]
            for (offset, bar) in shown.reversed().enumerated() {
                lines += ["        \"\(bar.day)\": {",
                    "            \"1. open\": \"\(format(bar.open, decimals: 4))\",", "            \"2. high\": \"\(format(bar.high, decimals: 4))\",",
                    "            \"3. low\": \"\(format(bar.low, decimals: 4))\",", "            \"4. close\": \"\(format(bar.close, decimals: 4))\",",
                    "            \"5. volume\": \"\(bar.volume)\"", "        }\(offset == shown.count - 1 ? "" : ",")"]
            }
            lines += ["    }", "}"]
            return .json(200, lines.joined(separator: "\n"))
        default:
            return invalid
        }
    }

    func errorResponse(status: Int) -> SimulatedResponse {
        .json(status, "{\n    \"Error Message\": \"simulated upstream error (HTTP \(status))\"\n}")
    }

    /// Alpha Vantage never answers 429: its limit is an HTTP-200 `Information` note.
    func rateLimitResponse(retryAfter: Int?) -> SimulatedResponse {
        .json(200, "{\n    \"Information\": \"Thank you for using Alpha Vantage! Please consider spreading out your free API requests more sparingly (1 request per second). You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to lift the free key rate limit (25 requests per day), raise the per-second burst limit, and instantly unlock all premium endpoints\"\n}")
    }
}
