/// What the simulator has seen, per route: `GET /__sim/stats` serves it as JSON.
public struct SimulatorStats: Sendable, Equatable, Codable {
    public struct Route: Sendable, Equatable, Codable {
        public var requests = 0
        /// Connections whose first request went to this route.
        public var connections = 0
        /// Of those, the ones that spoke HTTP/2.
        public var http2Connections = 0
        /// HTTP/1.1 connections of this route open now, and the most that were open at once.
        public var openConnections = 0
        public var maxOpenConnections = 0
        public var bytesIn = 0
        public var bytesOut = 0
        public var bySymbol: [String: Int] = [:]
        public var byStatus: [String: Int] = [:]
        public var hung = 0
        /// Sequence numbers (one counter for every request arrival and response
        /// written, all routes) of this route's first request and first response:
        /// the order of events across routes, without clocks.
        public var firstRequestEvent: Int? = nil
        public var firstResponseEvent: Int? = nil

        enum CodingKeys: String, CodingKey {
            case requests, connections, hung, http2Connections = "http2_connections"
            case firstRequestEvent = "first_request_event", firstResponseEvent = "first_response_event"
            case bytesIn = "bytes_in", bytesOut = "bytes_out", bySymbol = "by_symbol", byStatus = "by_status"
        }
    }

    public var routes: [String: Route] = [:]
    /// The event counter behind the `first_…_event` numbers.
    public var events = 0
    /// Per symbol, the longest latency drawn for any of its requests (ms): the
    /// symbol's critical-path floor, whatever the client does.
    public var slowestMsBySymbol: [String: Double] = [:]

    enum CodingKeys: String, CodingKey { case routes, events, slowestMsBySymbol = "slowest_ms_by_symbol" }

    public subscript(route: SimulatedRoute) -> Route { routes[route.rawValue] ?? Route() }

    /// All requests, all routes.
    public var totalRequests: Int { routes.values.reduce(0) { $0 + $1.requests } }
    /// All accepted connections, all routes.
    public var totalConnections: Int { routes.values.reduce(0) { $0 + $1.connections } }
}
