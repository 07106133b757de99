/// Massive.com (formerly Polygon.io) aggregates (UPSTREAMS.md §2):
/// `GET /v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{from}/{to}`, daily,
/// `t` in epoch ms, `v` a double, no `results` key when empty, `apiKey` or Bearer auth.
struct MassiveAPI: SimulatedAPI {
    let route = SimulatedRoute.massive

    func matches(_ request: SimulatedRequest) -> Bool { request.path.hasPrefix("/v2/aggs/") }

    func symbol(of request: SimulatedRequest) -> String? {
        let parts = request.path.split(separator: "/")
        return parts.count >= 4 ? String(parts[3]) : nil
    }

    func respond(to request: SimulatedRequest, market: SimulatedMarket, knobs: RouteKnobs) -> SimulatedResponse {
        var random = SplitMix64(seed: UInt64.random(in: 0...UInt64.max))
        let requestID = hexID(&random)
        guard !(request.query["apiKey"] ?? "").isEmpty || request.bearerToken != nil else {
            return .json(401, #"{"status":"ERROR","request_id":"\#(requestID)","error":"API Key was not provided"}"#)
        }
        let parts = request.path.split(separator: "/")
        guard parts.count == 9, parts[2] == "ticker", parts[4] == "range" else {
            return .json(404, #"{"status":"NOT_FOUND","request_id":"\#(requestID)","message":"Route not found"}"#)
        }
        let ticker = String(parts[3])
        guard parts[5] == "1", parts[6] == "day" else {
            return .json(400, #"{"status":"ERROR","request_id":"\#(requestID)","error":"The simulator serves 1/day aggregates only"}"#)
        }
        guard let from = Self.day(parts[7]) else {
            return .json(400, #"{"status":"ERROR","request_id":"\#(requestID)","error":"Could not parse the time parameter: 'from'. Use YYYY-MM-DD or Unix MS Timestamps"}"#)
        }
        guard let to = Self.day(parts[8]) else {
            return .json(400, #"{"status":"ERROR","request_id":"\#(requestID)","error":"Could not parse the time parameter: 'to'. Use YYYY-MM-DD or Unix MS Timestamps"}"#)
        }
        guard to >= from else {
            return .json(400, #"{"status":"ERROR","request_id":"\#(requestID)","error":"The parameter 'to' cannot be a time that occurs before 'from'"}"#)
        }
        let limit = min(max(Int(request.query["limit"] ?? "5000") ?? 5000, 1), 50_000)
        var bars = Array(market.bars(ticker, from: from, through: to).suffix(limit))
        if request.query["sort"] == "desc" { bars.reverse() }
        let adjusted = request.query["adjusted"] ?? "true"
        var body = #"{"ticker":"\#(ticker)","queryCount":\#(bars.count),"resultsCount":\#(bars.count),"adjusted":\#(adjusted == "false" ? "false" : "true")"#
        if !bars.isEmpty {
            body += #","results":["# + bars.map(Self.render).joined(separator: ",") + "]"
        }
        body += #","status":"OK","request_id":"\#(requestID)","count":\#(bars.count)}"#
        return .json(200, body)
    }

    static func render(_ bar: SimulatedBar) -> String {
        #"{"v":\#(Double(bar.volume)),"vw":\#(bar.vwap),"o":\#(bar.open),"c":\#(bar.close),"h":\#(bar.high),"l":\#(bar.low),"t":\#(bar.day.newYorkMidnight * 1000),"n":\#(bar.trades)}"#
    }

    /// `YYYY-MM-DD` or a millisecond timestamp.
    static func day(_ text: Substring) -> TradingDay? {
        if text.contains("-") { return TradingDay(iso: text) }
        guard let ms = Int(text) else { return nil }
        return TradingDay(daysSinceEpoch: Int((Double(ms) / 1000 - 4 * 3600) / 86_400))
    }

    func errorResponse(status: Int) -> SimulatedResponse {
        .json(status, #"{"status":"ERROR","request_id":"0000","error":"simulated upstream error (HTTP \#(status))"}"#)
    }

    func rateLimitResponse(retryAfter: Int?) -> SimulatedResponse {
        .json(429, #"{"status":"ERROR","request_id":"0000","error":"You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://polygon.io/pricing"}"#,
              headers: retryAfter.map { [("Retry-After", "\($0)")] } ?? [])
    }
}
