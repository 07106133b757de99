import Synchronization

/// What one source's fetches did, for the cycle report and metrics.
public struct SourceStatsSnapshot: Sendable, Codable, Equatable {
    /// Fetches asked for (cache hits and coalesced ones included).
    public var requests = 0
    /// HTTP requests sent (first tries and retries).
    public var attempts = 0
    public var retries = 0
    public var cacheHits = 0
    public var coalesced = 0
    /// Seconds spent waiting for the rate limit.
    public var rateLimitWait = 0.0
    /// Failed fetches by kind (after retries).
    public var failures: [String: Int] = [:]
    public var bytesIn = 0
    public var bytesOut = 0
    /// Latency of fetches that went upstream, first attempt to last byte.
    public var latency = LatencyHistogram()
    public var circuit: CircuitPhase = .closed

    public init() {}

    enum CodingKeys: String, CodingKey {
        case requests, attempts, retries, coalesced, failures, latency, circuit
        case cacheHits = "cache_hits", rateLimitWait = "rate_limit_wait_s", bytesIn = "bytes_in", bytesOut = "bytes_out"
    }
}

/// Latencies in fixed buckets (milliseconds, upper bounds), plus count, sum and max.
public struct LatencyHistogram: Sendable, Codable, Equatable {
    public static let bounds: [Double] = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000]
    /// Counts per bucket; the last one is over the largest bound.
    public var buckets = [Int](repeating: 0, count: bounds.count + 1)
    public var count = 0
    public var sumMs = 0.0
    public var maxMs = 0.0

    enum CodingKeys: String, CodingKey { case buckets, count, sumMs = "sum_ms", maxMs = "max_ms" }

    public mutating func record(milliseconds ms: Double) {
        let index = Self.bounds.firstIndex { ms <= $0 } ?? Self.bounds.count
        buckets[index] += 1
        count += 1
        sumMs += ms
        maxMs = max(maxMs, ms)
    }

    /// The mean latency in milliseconds; nil when empty.
    public var meanMs: Double? { count > 0 ? sumMs / Double(count) : nil }

    /// The upper bound of the bucket holding quantile `q` (0...1); nil when empty.
    public func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for (index, bucket) in buckets.enumerated() {
            seen += bucket
            if seen >= rank { return index < Self.bounds.count ? Self.bounds[index] : maxMs }
        }
        return maxMs
    }
}

/// Thread-safe accumulation of a ``SourceStatsSnapshot``.
final class SourceStats: Sendable {
    private let state = Mutex(SourceStatsSnapshot())

    func update(_ change: (inout SourceStatsSnapshot) -> Void) { state.withLock { change(&$0) } }

    var snapshot: SourceStatsSnapshot { state.withLock { $0 } }

    func reset() { state.withLock { $0 = SourceStatsSnapshot() } }
}
