/// A response the executor got (or the cache kept): status, headers with
/// lower-cased names, the whole body, and how it was obtained.
public struct FetchResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Attempts this response took (0 when it came from the cache).
    public var attempts: Int
    /// Seconds from the first attempt to the end of the body.
    public var latency: Double
    /// Served from the TTL cache.
    public var fromCache = false
    /// Shared with a concurrent identical request.
    public var coalesced = false
    /// The cache key (secrets redacted): what ``Fetcher/forget(_:source:)`` takes
    /// when a parse finds the body unusable after all.
    public var cacheKey: String

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8], attempts: Int, latency: Double, cacheKey: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.attempts = attempts
        self.latency = latency
        self.cacheKey = cacheKey
    }

    /// The first header with this (case-insensitive) name.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }
}
