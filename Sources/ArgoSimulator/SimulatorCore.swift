import Foundation
import Synchronization

/// Routes a request to its API, applies the knobs, counts, and caches rendered
/// bodies (market data never changes while the simulator runs, so a body is
/// rendered once per distinct request), up to ``responseCacheBytes``.
final class SimulatorCore: Sendable {
    let market: SimulatedMarket
    let state: SimulatorState
    let apis: [any SimulatedAPI]
    private let cache = BoundedCache<SimulatedResponse>(capacity: SimulatorCore.responseCacheBytes) { $0.body.count + 256 }
    /// What the rendered bodies kept for repeated requests may take.
    static let responseCacheBytes = 32 << 20
    /// Answers every request with `Connection: close`, as an upstream without keep-alive does.
    let closesConnections = Atomic<Bool>(false)

    init(market: SimulatedMarket, knobs: [SimulatedRoute: RouteKnobs]) {
        self.market = market
        state = SimulatorState(knobs: knobs)
        apis = [AlpacaAPI(), MassiveAPI(), YahooAPI(), AlphaVantageAPI(), XAIAPI(), PerplexityAPI(), ExampleMomentumAPI()]
    }

    /// The route a request belongs to (for connection accounting), if any.
    func route(of request: SimulatedRequest) -> SimulatedRoute? {
        apis.first { $0.matches(request) }?.route
    }

    /// The answer to one request.
    func handle(_ request: SimulatedRequest) -> (SimulatedResponse, route: SimulatedRoute?) {
        if request.path.hasPrefix("/__sim/") { return (control(request), nil) }
        guard let api = apis.first(where: { $0.matches(request) }) else {
            return (.json(404, #"{"error":"no simulated upstream serves \#(request.method) \#(request.path)"}"#), nil)
        }
        let symbol = api.symbol(of: request)
        let (decision, delay) = state.decide(route: api.route, symbol: symbol, bytesIn: request.body.count)
        var response: SimulatedResponse
        switch decision {
        case .normal: response = normalResponse(api, request, symbol: symbol)
        case .tooManyRequests(let retryAfter): response = api.rateLimitResponse(retryAfter: retryAfter)
        case .error(let status): response = api.errorResponse(status: status)
        case .rateLimitNote: response = api.rateLimitResponse(retryAfter: nil)
        case .malformed:
            let whole = normalResponse(api, request, symbol: symbol)
            response = SimulatedResponse(status: 200, body: Array(whole.body.prefix(max(1, whole.body.count / 2))))
        case .hang:
            response = .json(200, "")
            response.hang = true
        }
        response.delay = delay
        return (response, api.route)
    }

    private func normalResponse(_ api: any SimulatedAPI, _ request: SimulatedRequest, symbol: String?) -> SimulatedResponse {
        let knobs = state.knobs(for: api.route).resolved(for: symbol)
        guard request.method == "GET" else { return api.respond(to: request, market: market, knobs: knobs) }
        let key = api.route.rawValue + " " + request.path + "?" + request.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
            + "|" + (request.headers["apca-api-key-id"].map { _ in "k" } ?? "") + (request.bearerToken.map { _ in "b" } ?? "") + "|\(knobs.pageSize ?? 0)"
        if let cached = cache[key] { return cached }
        let response = api.respond(to: request, market: market, knobs: knobs)
        if response.status == 200 { cache.insert(response, for: key) }
        return response
    }

    /// Bytes the response cache holds now.
    var cachedBytes: Int { cache.totalCost }

    /// `GET /__sim/stats`, `POST /__sim/reset`.
    private func control(_ request: SimulatedRequest) -> SimulatedResponse {
        switch (request.method, request.path) {
        case ("GET", "/__sim/stats"):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = (try? encoder.encode(state.stats)) ?? Data("{}".utf8)
            return SimulatedResponse(status: 200, body: Array(data))
        case ("POST", "/__sim/reset"):
            state.reset()
            return .json(200, #"{"ok":true}"#)
        default:
            return .json(404, #"{"error":"unknown control route"}"#)
        }
    }
}
