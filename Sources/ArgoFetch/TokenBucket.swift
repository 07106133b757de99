import Synchronization

/// A token bucket that hands out reservations: a caller takes a token now and
/// learns how long to wait until it is due, then sleeps (suspending, never
/// blocking a thread). Tokens may go negative, which queues callers in arrival
/// order without a waiter list. ``block(until:)`` stops issuing until a reset
/// time an upstream announced (a 429's `Retry-After`, `X-RateLimit-Reset`).
final class TokenBucket: Sendable {
    let capacity: Double
    /// Tokens per second.
    let rate: Double

    private struct State {
        var tokens: Double
        /// The time the tokens were counted at; in the future while blocked.
        var updated: Double
    }

    private let state: Mutex<State>

    convenience init(requests: Int, per seconds: Double, now: Double) {
        self.init(capacity: Double(max(1, requests)), rate: Double(max(1, requests)) / max(seconds, 1e-6), now: now)
    }

    init(capacity: Double, rate: Double, now: Double) {
        self.capacity = max(1, capacity)
        self.rate = rate
        state = Mutex(State(tokens: self.capacity, updated: now))
    }

    /// The share of a vendor's allowed rate a source is paced at.
    static let rateShare = 0.95
    /// The share of the vendor's burst a source uses at once.
    static let burstShare = 0.5

    /// A bucket that stays inside a vendor's allowance of `requests` per
    /// `seconds` however the network bunches requests: paced exactly at the
    /// limit, two requests that leave on time but arrive together find the
    /// vendor's own bucket empty and get a 429 (and a `Retry-After` that stops
    /// the whole source). Half the burst and 95% of the rate leave the vendor's
    /// bucket a reserve that absorbs that jitter.
    static func within(requests: Int, per seconds: Double, now: Double) -> TokenBucket {
        let requests = Double(max(1, requests))
        return TokenBucket(capacity: (requests * burstShare).rounded(.up), rate: requests / max(seconds, 1e-6) * rateShare, now: now)
    }

    /// Takes a token; returns the seconds to wait before using it (0: now).
    /// With `maxWait`, takes nothing and returns nil when the wait would be longer.
    func reserve(now: Double, maxWait: Double = .infinity) -> Double? {
        state.withLock { state in
            if now > state.updated {
                state.tokens = min(capacity, state.tokens + (now - state.updated) * rate)
                state.updated = now
            }
            let tokens = state.tokens - 1
            let wait = (state.updated - now) + (tokens < 0 ? -tokens / rate : 0)
            guard wait <= maxWait else { return nil }
            state.tokens = tokens
            return max(0, wait)
        }
    }

    /// Returns a token reserved but not used (the caller gave up).
    func giveBack() {
        state.withLock { $0.tokens = min(capacity, $0.tokens + 1) }
    }

    /// Issues nothing before `time`; then one request, then the normal rate.
    func block(until time: Double) {
        state.withLock { state in
            guard time > state.updated else { return }
            state.updated = time
            state.tokens = min(state.tokens, 1)
        }
    }
}
