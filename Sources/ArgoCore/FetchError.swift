/// Why a fetch failed, as the engine needs to know it: whether to retry, fall
/// back to the next market-data source, or give up. A plugin's `parse` raises the
/// same kinds (an HTTP-200 rate-limit note becomes ``Kind/rateLimited``).
public struct FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// 429, or a vendor's rate-limit note; `retryAfter` says for how long.
        case rateLimited = "rate_limited"
        /// 401/403: the key is missing, wrong or without rights.
        case auth
        /// 404: no such symbol or route.
        case notFound = "not_found"
        /// The attempt or the deadline ran out.
        case timeout
        /// Connection failures, 408, 5xx: worth another try.
        case transient
        /// A response that cannot be used: an unexpected status, a malformed or oversized body.
        case badResponse = "bad_response"
        /// The plugin failed: a Lua error, a broken request.
        case plugin
        /// The source failed too often and is skipped until its cooldown ends.
        case circuitOpen = "circuit_open"
    }

    public var kind: Kind
    /// One line for people, secrets already removed.
    public var message: String
    /// The HTTP status of the last attempt, if one answered.
    public var status: Int?
    /// Seconds the upstream asked to wait (`Retry-After`, a reset header).
    public var retryAfter: Double?
    /// Attempts made (0 when none was: cache, circuit, deadline before the first).
    public var attempts: Int

    public init(_ kind: Kind, _ message: String, status: Int? = nil, retryAfter: Double? = nil, attempts: Int = 0) {
        self.kind = kind
        self.message = message
        self.status = status
        self.retryAfter = retryAfter
        self.attempts = attempts
    }

    /// Whether another attempt may succeed.
    public var isRetryable: Bool {
        switch kind {
        case .rateLimited, .timeout, .transient: true
        case .auth, .notFound, .badResponse, .plugin, .circuitOpen: false
        }
    }

    /// Whether this failure counts against the source's circuit breaker: the
    /// source itself misbehaving, not a symbol it does not know.
    public var countsAgainstSource: Bool {
        switch kind {
        case .rateLimited, .timeout, .transient, .auth: true
        case .notFound, .badResponse, .plugin, .circuitOpen: false
        }
    }

    public var description: String {
        var text = message
        if attempts > 1 { text += " after \(attempts) attempts" }
        return text
    }
}

extension FetchError {
    /// The longest wait an upstream (or a plugin's `retry_after`) can impose: one odd
    /// header must not silence a source for days. Five minutes.
    public static let maxRetryAfter = 300.0

    /// `seconds` within 0 and ``maxRetryAfter``; a number that is not finite is the cap.
    public static func cappedRetryAfter(_ seconds: Double) -> Double {
        seconds.isFinite ? min(max(0, seconds), maxRetryAfter) : maxRetryAfter
    }
}
