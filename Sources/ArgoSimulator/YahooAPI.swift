/// Yahoo Finance chart v8 (UPSTREAMS.md §3): `GET /v8/finance/chart/{symbol}`,
/// `range=` or `period1=&period2=`, parallel arrays with occasional `null` rows,
/// float32 price artefacts, bars stamped at the session open, `chart.error` 404
/// for unknown symbols, plain-text 429.
struct YahooAPI: SimulatedAPI {
    let route = SimulatedRoute.yahoo

    func matches(_ request: SimulatedRequest) -> Bool { request.path.hasPrefix("/v8/finance/chart/") }

    func symbol(of request: SimulatedRequest) -> String? {
        request.path.split(separator: "/").last.map(String.init)
    }

    /// Whether the row of `bar` is a gap (all nulls): about 1 in 120, fixed per symbol and day.
    static func isGap(_ symbol: String, _ bar: SimulatedBar) -> Bool {
        fnv1a("\(symbol)|\(bar.day.daysSinceEpoch)") % 120 == 7
    }

    func respond(to request: SimulatedRequest, market: SimulatedMarket, knobs: RouteKnobs) -> SimulatedResponse {
        guard let symbol = symbol(of: request), market.isListed(symbol) else {
            return .json(404, #"{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}"#)
        }
        let interval = request.query["interval"] ?? "1d"
        guard interval == "1d" else {
            return .json(422, #"{"chart":{"result":null,"error":{"code":"Unprocessable Entity","description":"The simulator serves 1d data only"}}}"#)
        }
        let bars: ArraySlice<SimulatedBar>
        if let p1 = request.query["period1"].flatMap(Int.init) {
            let p2 = request.query["period2"].flatMap(Int.init) ?? Int.max
            bars = market.bars(symbol).filter { $0.day.sessionOpen >= p1 && $0.day.sessionOpen < p2 }[...]
        } else {
            let range = request.query["range"] ?? "1mo"
            guard let start = Self.start(of: range, today: market.today) else {
                return .json(400, #"{"chart":{"result":null,"error":{"code":"Bad Request","description":"Invalid input - range \#(range) is not supported"}}}"#)
            }
            bars = market.bars(symbol, from: start, through: market.today)
        }
        let last = market.bars(symbol).last
        let meta = #"{"currency":"USD","symbol":"\#(symbol)","exchangeName":"NMS","fullExchangeName":"NasdaqGS","instrumentType":"EQUITY","firstTradeDate":345479400,"regularMarketTime":\#(market.today.sessionOpen + 23_400),"hasPrePostMarketData":true,"gmtoffset":\#(market.today.isNewYorkDaylightTime ? -14400 : -18000),"timezone":"\#(market.today.isNewYorkDaylightTime ? "EDT" : "EST")","exchangeTimezoneName":"America/New_York","regularMarketPrice":\#(Self.f32(last?.close ?? 0)),"chartPreviousClose":\#(Self.f32(bars.first?.open ?? 0)),"priceHint":2,"dataGranularity":"1d","range":"\#(request.query["range"] ?? "")","validRanges":["1d","5d","1mo","3mo","6mo","1y","2y","5y","10y","ytd","max"]}"#
        guard !bars.isEmpty else {
            return .json(200, #"{"chart":{"result":[{"meta":\#(meta),"indicators":{"quote":[{}],"adjclose":[{}]}}],"error":null}}"#)
        }
        var timestamps: [String] = [], opens: [String] = [], highs: [String] = [], lows: [String] = []
        var closes: [String] = [], volumes: [String] = []
        for bar in bars {
            timestamps.append("\(bar.day.sessionOpen)")
            if Self.isGap(symbol, bar) {
                opens.append("null"); highs.append("null"); lows.append("null"); closes.append("null"); volumes.append("null")
            } else {
                opens.append(Self.f32(bar.open)); highs.append(Self.f32(bar.high)); lows.append(Self.f32(bar.low))
                closes.append(Self.f32(bar.close)); volumes.append("\(bar.volume)")
            }
        }
        func list(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }
        let body = #"{"chart":{"result":[{"meta":\#(meta),"timestamp":\#(list(timestamps)),"indicators":{"quote":[{"open":\#(list(opens)),"volume":\#(list(volumes)),"close":\#(list(closes)),"high":\#(list(highs)),"low":\#(list(lows))}],"adjclose":[{"adjclose":\#(list(closes))}]}}],"error":null}}"#
        return .json(200, body)
    }

    /// A price as Yahoo prints it: through float32, with its artefacts.
    static func f32(_ value: Double) -> String { "\(Double(Float(value)))" }

    static func start(of range: String, today: TradingDay) -> TradingDay? {
        let (y, m, d) = today.civil
        func monthsBack(_ months: Int) -> TradingDay {
            let total = y * 12 + (m - 1) - months
            return TradingDay(year: total / 12, month: total % 12 + 1, day: min(d, 28))
        }
        switch range {
        case "1d": return today
        case "5d": return today.adding(days: -7)
        case "1mo": return monthsBack(1)
        case "3mo": return monthsBack(3)
        case "6mo": return monthsBack(6)
        case "1y": return monthsBack(12)
        case "2y": return monthsBack(24)
        case "5y": return monthsBack(60)
        case "10y": return monthsBack(120)
        case "ytd": return TradingDay(year: y, month: 1, day: 1)
        case "max": return TradingDay(daysSinceEpoch: 0)
        default: return nil
        }
    }

    func errorResponse(status: Int) -> SimulatedResponse {
        .json(status, #"{"chart":{"result":null,"error":{"code":"Internal Server Error","description":"simulated upstream error (HTTP \#(status))"}}}"#)
    }

    func rateLimitResponse(retryAfter: Int?) -> SimulatedResponse {
        var response = SimulatedResponse.text(429, "Edge: Too Many Requests")
        if let retryAfter { response.headers.append(("Retry-After", "\(retryAfter)")) }
        return response
    }
}
