import Foundation
import Synchronization

/// The simulator's mutable state: knobs, counters, per-route call counts and rate
/// buckets, and the random source faults draw from. Thread-safe.
final class SimulatorState: Sendable {
    /// What to do with one request.
    enum Decision: Equatable {
        case normal
        case tooManyRequests(retryAfter: Int?)
        case error(status: Int)
        case malformed
        case rateLimitNote
        case hang
    }

    private struct Mutable {
        var knobs: [SimulatedRoute: RouteKnobs]
        var stats = SimulatorStats()
        var calls: [SimulatedRoute: Int] = [:]
        var buckets: [String: (tokens: Double, updated: Double)] = [:]
        var random = SplitMix64(seed: 0x5EED)
    }

    private let mutable: Mutex<Mutable>

    init(knobs: [SimulatedRoute: RouteKnobs]) {
        mutable = Mutex(Mutable(knobs: knobs))
    }

    func knobs(for route: SimulatedRoute) -> RouteKnobs { mutable.withLock { $0.knobs[route] ?? RouteKnobs() } }

    func setKnobs(_ knobs: RouteKnobs, for route: SimulatedRoute) { mutable.withLock { $0.knobs[route] = knobs } }

    /// Counts the request and decides its fate and delay (milliseconds).
    func decide(route: SimulatedRoute, symbol: String?, bytesIn: Int) -> (Decision, delay: Double) {
        let now = ProcessInfo.processInfo.systemUptime
        return mutable.withLock { state in
            let knobs = (state.knobs[route] ?? RouteKnobs()).resolved(for: symbol)
            var stats = state.stats.routes[route.rawValue] ?? SimulatorStats.Route()
            stats.requests += 1
            stats.bytesIn += bytesIn
            state.stats.events += 1
            if stats.firstRequestEvent == nil { stats.firstRequestEvent = state.stats.events }
            if let symbol { stats.bySymbol[symbol, default: 0] += 1 }
            state.stats.routes[route.rawValue] = stats
            state.calls[route, default: 0] += 1
            let call = state.calls[route]!
            let delay = knobs.latency.draw(&state.random)
            if let symbol { state.stats.slowestMsBySymbol[symbol] = max(state.stats.slowestMsBySymbol[symbol] ?? 0, delay) }
            if let limit = knobs.rateLimit {
                let key = route.rawValue + "|" + (knobs == state.knobs[route] ? "" : symbol ?? "")
                var bucket = state.buckets[key] ?? (Double(limit.requests), now)
                let rate = Double(limit.requests) / limit.perSeconds
                bucket.tokens = min(Double(limit.requests), bucket.tokens + (now - bucket.updated) * rate)
                bucket.updated = now
                let allowed = bucket.tokens >= 1
                if allowed { bucket.tokens -= 1 }
                state.buckets[key] = bucket
                if !allowed {
                    let seconds = (1 - bucket.tokens) / rate  // a scenario's rate of 0 would make it infinite
                    let wait = seconds.isFinite ? Int(min(seconds, 86_400).rounded(.up)) : 86_400
                    return (.tooManyRequests(retryAfter: max(1, wait)), delay)
                }
            }
            if let every = knobs.tooManyRequestsEvery, every > 0, call % every == 0 {
                return (.tooManyRequests(retryAfter: knobs.retryAfterSeconds), delay)
            }
            if knobs.errorRate > 0, state.random.nextDouble() < knobs.errorRate { return (.error(status: knobs.errorStatus), delay) }
            if knobs.hangRate > 0, state.random.nextDouble() < knobs.hangRate {
                state.stats.routes[route.rawValue]?.hung += 1
                return (.hang, delay)
            }
            if knobs.malformedRate > 0, state.random.nextDouble() < knobs.malformedRate { return (.malformed, delay) }
            if knobs.rateLimitNoteRate > 0, state.random.nextDouble() < knobs.rateLimitNoteRate { return (.rateLimitNote, delay) }
            return (.normal, delay)
        }
    }

    func recordConnection(route: SimulatedRoute, http2: Bool) {
        mutable.withLock {
            $0.stats.routes[route.rawValue, default: SimulatorStats.Route()].connections += 1
            if http2 {
                $0.stats.routes[route.rawValue, default: SimulatorStats.Route()].http2Connections += 1
            } else {
                $0.stats.routes[route.rawValue]!.openConnections += 1
                $0.stats.routes[route.rawValue]!.maxOpenConnections = max($0.stats.routes[route.rawValue]!.maxOpenConnections,
                                                                         $0.stats.routes[route.rawValue]!.openConnections)
            }
        }
    }

    /// An HTTP/1.1 connection counted by ``recordConnection(route:http2:)`` closed.
    func recordClose(route: SimulatedRoute) {
        mutable.withLock { $0.stats.routes[route.rawValue]?.openConnections -= 1 }
    }

    func recordResponse(route: SimulatedRoute, status: Int, bytes: Int) {
        mutable.withLock {
            $0.stats.routes[route.rawValue, default: SimulatorStats.Route()].bytesOut += bytes
            $0.stats.routes[route.rawValue, default: SimulatorStats.Route()].byStatus["\(status)", default: 0] += 1
            $0.stats.events += 1
            if $0.stats.routes[route.rawValue]?.firstResponseEvent == nil { $0.stats.routes[route.rawValue]?.firstResponseEvent = $0.stats.events }
        }
    }

    var stats: SimulatorStats { mutable.withLock { $0.stats } }

    /// Clears counters, call counts and rate buckets; knobs stay.
    func reset() {
        mutable.withLock {
            $0.stats = SimulatorStats()
            $0.calls = [:]
            $0.buckets = [:]
        }
    }
}
