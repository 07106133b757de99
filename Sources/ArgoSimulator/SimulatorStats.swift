/// What the simulator has seen, per route: `GET /__sim/stats` serves it as JSON.
public struct SimulatorStats: Sendable, Equatable, Codable {
    public struct Route: Sendable, Equatable, Codable {
        public var requests = 0
        /// Connections whose first request went to this route.
        public var connections = 0
        public var bytesIn = 0
        public var bytesOut = 0
        public var bySymbol: [String: Int] = [:]
        public var byStatus: [String: Int] = [:]
        public var hung = 0

        enum CodingKeys: String, CodingKey {
            case requests, connections, hung
            case bytesIn = "bytes_in", bytesOut = "bytes_out", bySymbol = "by_symbol", byStatus = "by_status"
        }
    }

    public var routes: [String: Route] = [:]

    public subscript(route: SimulatedRoute) -> Route { routes[route.rawValue] ?? Route() }

    /// All requests, all routes.
    public var totalRequests: Int { routes.values.reduce(0) { $0 + $1.requests } }
    /// All accepted connections, all routes.
    public var totalConnections: Int { routes.values.reduce(0) { $0 + $1.connections } }
}
