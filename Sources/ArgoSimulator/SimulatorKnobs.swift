/// The six upstream APIs the simulator serves, and the plugin guide's example vendor.
public enum SimulatedRoute: String, CaseIterable, Codable, Sendable {
    case alpaca, massive, yahoo
    case alphaVantage = "alpha_vantage"
    case xai, perplexity
    /// A made-up vendor for the plugin guide's worked example.
    case example
}

/// How long a route takes to answer.
public enum SimulatedLatency: Sendable, Equatable, Codable {
    case none
    case fixed(milliseconds: Double)
    /// Uniform between the two bounds.
    case uniform(min: Double, max: Double)
    /// Log-normal around a median, with `sigma` the log-space standard deviation.
    case logNormal(median: Double, sigma: Double)

    /// A delay in milliseconds, drawn with `random`.
    func draw(_ random: inout SplitMix64) -> Double {
        switch self {
        case .none: 0
        case .fixed(let ms): ms
        case .uniform(let low, let high): low + (high - low) * random.nextDouble()
        case .logNormal(let median, let sigma): median * _exp(sigma * random.gaussian())
        }
    }

    /// `fixed ± fraction`, uniform: the benchmark's "±20% jitter".
    public static func jittered(_ milliseconds: Double, by fraction: Double) -> SimulatedLatency {
        .uniform(min: milliseconds * (1 - fraction), max: milliseconds * (1 + fraction))
    }
}

/// What one route does besides answering: latency and faults. Every field is
/// optional in a scenario file; the defaults answer at once and never fail.
public struct RouteKnobs: Sendable, Equatable, Codable {
    public var latency: SimulatedLatency = .none
    /// Fraction of requests answered with `errorStatus` and the vendor's error body.
    public var errorRate: Double = 0
    public var errorStatus: Int = 503
    /// Every Nth request (1-based count per route) gets a 429 with `Retry-After`.
    public var tooManyRequestsEvery: Int? = nil
    /// Seconds in the `Retry-After` header of those 429s.
    public var retryAfterSeconds: Int = 1
    /// Fraction of requests answered 200 with a truncated, unparsable body.
    public var malformedRate: Double = 0
    /// Fraction of requests answered 200 with the vendor's rate-limit note (Alpha Vantage's `Information`).
    public var rateLimitNoteRate: Double = 0
    /// Fraction of requests accepted and never answered.
    public var hangRate: Double = 0
    /// Bars per page (Alpaca), overriding the request's `limit` when smaller.
    public var pageSize: Int? = nil
    /// A request budget: past `requests` per `perSeconds`, answers 429 (the vendor's body).
    public var rateLimit: RateLimit? = nil
    /// Overrides for particular symbols (their own knobs replace these for that symbol).
    public var symbols: [String: RouteKnobs]? = nil

    public struct RateLimit: Sendable, Equatable, Codable {
        public var requests: Int
        public var perSeconds: Double
        enum CodingKeys: String, CodingKey { case requests, perSeconds = "per_seconds" }
        public init(requests: Int, perSeconds: Double) {
            self.requests = requests
            self.perSeconds = perSeconds
        }
    }

    public init() {}

    enum CodingKeys: String, CodingKey {
        case latency, symbols
        case errorRate = "error_rate", errorStatus = "error_status"
        case tooManyRequestsEvery = "too_many_requests_every", retryAfterSeconds = "retry_after_seconds"
        case malformedRate = "malformed_rate", rateLimitNoteRate = "rate_limit_note_rate", hangRate = "hang_rate"
        case pageSize = "page_size", rateLimit = "rate_limit"
    }

    /// Every key is optional; a missing one keeps its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        latency = try c.decodeIfPresent(SimulatedLatency.self, forKey: .latency) ?? .none
        errorRate = try c.decodeIfPresent(Double.self, forKey: .errorRate) ?? 0
        errorStatus = try c.decodeIfPresent(Int.self, forKey: .errorStatus) ?? 503
        tooManyRequestsEvery = try c.decodeIfPresent(Int.self, forKey: .tooManyRequestsEvery)
        retryAfterSeconds = try c.decodeIfPresent(Int.self, forKey: .retryAfterSeconds) ?? 1
        malformedRate = try c.decodeIfPresent(Double.self, forKey: .malformedRate) ?? 0
        rateLimitNoteRate = try c.decodeIfPresent(Double.self, forKey: .rateLimitNoteRate) ?? 0
        hangRate = try c.decodeIfPresent(Double.self, forKey: .hangRate) ?? 0
        pageSize = try c.decodeIfPresent(Int.self, forKey: .pageSize)
        rateLimit = try c.decodeIfPresent(RateLimit.self, forKey: .rateLimit)
        symbols = try c.decodeIfPresent([String: RouteKnobs].self, forKey: .symbols)
    }

    /// The knobs in force for one symbol.
    func resolved(for symbol: String?) -> RouteKnobs {
        guard let symbol, let special = symbols?[symbol] else { return self }
        return special
    }
}

/// A whole simulator setup: today's date, the knobs per route.
public struct SimulatorScenario: Sendable, Equatable, Codable {
    /// `YYYY-MM-DD`: the last day with a bar is the latest trading day on or before it.
    public var today: String? = nil
    public var routes: [SimulatedRoute: RouteKnobs] = [:]
    /// Symbols that do not exist at any vendor.
    public var unlisted: [String]? = nil

    public init(today: String? = nil, routes: [SimulatedRoute: RouteKnobs] = [:]) {
        self.today = today
        self.routes = routes
    }

    enum CodingKeys: String, CodingKey { case today, routes, unlisted }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        today = try c.decodeIfPresent(String.self, forKey: .today)
        unlisted = try c.decodeIfPresent([String].self, forKey: .unlisted)
        let named = try c.decodeIfPresent([String: RouteKnobs].self, forKey: .routes) ?? [:]
        for (name, knobs) in named {
            guard let route = SimulatedRoute(rawValue: name) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .routes, in: c,
                    debugDescription: "unknown route '\(name)' (known: \(SimulatedRoute.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            routes[route] = knobs
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(today, forKey: .today)
        try c.encodeIfPresent(unlisted, forKey: .unlisted)
        try c.encode(Dictionary(uniqueKeysWithValues: routes.map { ($0.key.rawValue, $0.value) }), forKey: .routes)
    }
}

import Foundation

@inline(__always) func _exp(_ x: Double) -> Double { Foundation.exp(x) }

extension SimulatorScenario {
    /// Reads a scenario from JSON, e.g.
    /// `{"today": "2026-11-24", "routes": {"alpaca": {"latency": {"uniform": {"min": 120, "max": 180}},
    /// "too_many_requests_every": 5, "symbols": {"AAPL": {"error_rate": 1}}}}}`.
    public static func load(json data: Data) throws -> SimulatorScenario {
        try JSONDecoder().decode(SimulatorScenario.self, from: data)
    }
}

import Yams

extension SimulatorScenario {
    /// Reads a scenario from YAML, the same keys as JSON:
    /// ```yaml
    /// today: 2026-11-24
    /// routes:
    ///   alpaca:
    ///     latency: { uniform: { min: 120, max: 180 } }
    ///     too_many_requests_every: 5
    /// ```
    public static func load(yaml text: String) throws -> SimulatorScenario {
        try YAMLDecoder().decode(SimulatorScenario.self, from: text)
    }

    /// Reads a scenario file: YAML for `.yaml`/`.yml`, JSON otherwise.
    public static func load(contentsOf url: URL) throws -> SimulatorScenario {
        let data = try Data(contentsOf: url)
        switch url.pathExtension.lowercased() {
        case "yaml", "yml": return try load(yaml: String(decoding: data, as: UTF8.self))
        default: return try load(json: data)
        }
    }
}
