/// A seventh, made-up vendor for the plugin guide's worked example
/// (docs/plugins.md): `GET /example/v1/momentum/{symbol}` with an `X-Api-Key`
/// header answers `{"symbol", "as_of", "momentum_20d", "momentum_60d"}` (fractions).
struct ExampleMomentumAPI: SimulatedAPI {
    let route = SimulatedRoute.example

    func matches(_ request: SimulatedRequest) -> Bool { request.path.hasPrefix("/example/v1/momentum/") }

    func symbol(of request: SimulatedRequest) -> String? { request.path.split(separator: "/").last.map(String.init) }

    func respond(to request: SimulatedRequest, market: SimulatedMarket, knobs: RouteKnobs) -> SimulatedResponse {
        guard !(request.headers["x-api-key"] ?? "").isEmpty else { return .json(401, #"{"error":"missing X-Api-Key"}"#) }
        guard let symbol = symbol(of: request), market.isListed(symbol) else { return .json(404, #"{"error":"unknown symbol"}"#) }
        let closes = market.bars(symbol).map(\.close)
        guard closes.count > 60 else { return .json(404, #"{"error":"not enough history"}"#) }
        let last = closes[closes.count - 1]
        let m20 = last / closes[closes.count - 21] - 1, m60 = last / closes[closes.count - 61] - 1
        return .json(200, #"{"symbol":"\#(symbol)","as_of":"\#(market.today)","momentum_20d":\#(format(m20, decimals: 4)),"momentum_60d":\#(format(m60, decimals: 4))}"#)
    }

    func rateLimitResponse(retryAfter: Int?) -> SimulatedResponse {
        var response = SimulatedResponse.json(429, #"{"error":"slow down"}"#)
        if let retryAfter { response.headers.append(("Retry-After", "\(retryAfter)")) }
        return response
    }
}
