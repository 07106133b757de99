/// How the executor treats one source: limits, retries, cache, breaker, secrets.
/// Built from the plugin's defaults and `Config/argo.yaml`.
public struct SourcePolicy: Sendable, Equatable {
    public var name: String
    /// Seconds one attempt may take (connect to last body byte).
    public var timeout: Double = 10
    /// Seconds a successful response is reused; 0 disables the cache.
    public var cacheTTL: Double = 0
    /// Requests per period the vendor allows; nil for no limit.
    public var rateLimit: RateLimit? = nil
    /// Requests in flight at once (and so pooled connections to the host).
    public var maxConcurrency: Int = 8
    /// Attempts per fetch, the first included.
    public var maxAttempts: Int = 3
    /// Backoff before retry n is uniform in [0, min(cap, base·2^(n-1))] (full jitter).
    public var backoffBase: Double = 0.2
    public var backoffCap: Double = 5
    /// Consecutive failed fetches that open the circuit, and how long it stays open.
    public var breakerThreshold: Int = 5
    public var breakerCooldown: Double = 30
    /// The largest body accepted.
    public var maxBodyBytes: Int = 32 << 20
    /// Values that must never appear in errors, stats or keys (the source's env values).
    public var secrets: [String] = []

    public struct RateLimit: Sendable, Equatable {
        public var requests: Int
        public var per: Double
        public init(requests: Int, per: Double) {
            self.requests = requests
            self.per = per
        }
    }

    public init(name: String) { self.name = name }
}
