/// A request as the routes see it.
public struct SimulatedRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var headers: [String: String]  // lower-cased names
    public var body: [UInt8]

    /// Splits `path?query` and percent-decodes the query.
    init(method: String, uri: String, headers: [(String, String)], body: [UInt8]) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts[0])
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = percentDecoded(kv[0])
                query[key] = kv.count > 1 ? percentDecoded(kv[1]) : ""
            }
        }
        self.query = query
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        self.headers = lowered
        self.body = body
    }

    /// The bearer token of the `Authorization` header, if any.
    var bearerToken: String? {
        guard let value = headers["authorization"], value.lowercased().hasPrefix("bearer ") else { return nil }
        let token = value.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

/// A response the server writes, or holds back (`hang`).
public struct SimulatedResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Milliseconds to wait before answering.
    public var delay: Double = 0
    /// Never answer.
    public var hang = false

    init(status: Int, contentType: String = "application/json", headers: [(String, String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = [("Content-Type", contentType)] + headers
        self.body = body
    }

    static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> SimulatedResponse {
        SimulatedResponse(status: status, headers: headers, body: Array(text.utf8))
    }

    static func text(_ status: Int, _ text: String, contentType: String = "text/plain") -> SimulatedResponse {
        SimulatedResponse(status: status, contentType: contentType, body: Array(text.utf8))
    }
}

/// How one upstream API answers: its routes, its auth, its error bodies.
protocol SimulatedAPI: Sendable {
    var route: SimulatedRoute { get }
    /// Whether this API serves the request's path.
    func matches(_ request: SimulatedRequest) -> Bool
    /// The symbol the request is about, for per-symbol counters and knobs.
    func symbol(of request: SimulatedRequest) -> String?
    /// The normal answer (auth and validation included), without faults.
    func respond(to request: SimulatedRequest, market: SimulatedMarket, knobs: RouteKnobs) -> SimulatedResponse
    /// The vendor's answer for an injected error with `status`.
    func errorResponse(status: Int) -> SimulatedResponse
    /// The vendor's rate-limit answer (a 429, or an HTTP-200 note for Alpha Vantage).
    func rateLimitResponse(retryAfter: Int?) -> SimulatedResponse
}

extension SimulatedAPI {
    func errorResponse(status: Int) -> SimulatedResponse {
        .json(status, #"{"message":"simulated upstream error (HTTP \#(status))"}"#)
    }
}

import Foundation

private func percentDecoded(_ text: Substring) -> String {
    let plus = text.replacingOccurrences(of: "+", with: " ")
    return plus.removingPercentEncoding ?? plus
}

/// `value` with `decimals` digits after the point, as vendors print prices and `%.Nf` prints them, without
/// Foundation's formatter: the simulator writes thousands of these per body.
/// Values that are not finite or too large for the fast path go to `String(format:)`.
func format(_ value: Double, decimals: Int) -> String {
    guard value.isFinite, (0...9).contains(decimals), abs(value) < 1e9 else { return String(format: "%.\(decimals)f", value) }
    let scaled = (abs(value) * powersOfTen[decimals]).rounded(.toNearestOrEven)
    let units = UInt64(scaled)
    let divisor = UInt64(powersOfTen[decimals])
    var text = value.sign == .minus ? "-" : ""
    text += String(units / divisor)
    guard decimals > 0 else { return text }
    let fraction = String(units % divisor)
    text += "."
    text += String(repeating: "0", count: decimals - fraction.count)
    text += fraction
    return text
}

private let powersOfTen: [Double] = (0...9).map { pow(10, Double($0)) }

/// A random lowercase hex id (request ids).
func hexID(_ random: inout SplitMix64, length: Int = 32) -> String {
    var text = ""
    while text.count < length { text += String(random.next(), radix: 16) }
    return String(text.prefix(length))
}
