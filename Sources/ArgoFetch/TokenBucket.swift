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
        /// How many blocks so far: a reservation made before the latest block is void.
        var epoch = 0
        /// The same bucket counted at the moments requests actually leave (see ``release(now:)``).
        var sentTokens: Double
        var sentUpdated: Double
    }

    private let state: Mutex<State>

    convenience init(requests: Int, per seconds: Double, now: Double) {
        self.init(capacity: Double(max(1, requests)), rate: Double(max(1, requests)) / max(seconds, 1e-6), now: now)
    }

    init(capacity: Double, rate: Double, now: Double) {
        self.capacity = max(1, capacity)
        self.rate = rate
        state = Mutex(State(tokens: self.capacity, updated: now, sentTokens: self.capacity, sentUpdated: now))
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
        reservation(now: now, maxWait: maxWait)?.wait
    }

    /// ``reserve(now:maxWait:)`` with the epoch it was made in: a caller that
    /// slept finds out with ``isCurrent(_:)`` whether a block voided its place.
    func reservation(now: Double, maxWait: Double = .infinity) -> (wait: Double, epoch: Int)? {
        state.withLock { state in
            if now > state.updated {
                state.tokens = min(capacity, state.tokens + (now - state.updated) * rate)
                state.updated = now
            }
            let tokens = state.tokens - 1
            let wait = (state.updated - now) + (tokens < 0 ? -tokens / rate : 0)
            guard wait <= maxWait else { return nil }
            state.tokens = tokens
            return (max(0, wait), state.epoch)
        }
    }

    /// Called when a reserved request is about to leave: returns 0 and counts it
    /// when sending now keeps the requests actually sent within the bucket, or
    /// the seconds to wait before asking again. Reservations fix when a request
    /// is due, but a busy process wakes its sleepers late and several at once;
    /// counted at the moment of sending, late requests go out spread at the
    /// rate instead of together, and the vendor's bucket never sees a bunch.
    func release(now: Double) -> Double {
        state.withLock { state in
            if now > state.sentUpdated {
                state.sentTokens = min(capacity, state.sentTokens + (now - state.sentUpdated) * rate)
                state.sentUpdated = now
            }
            guard state.sentTokens < 1 else {
                state.sentTokens -= 1
                return 0
            }
            return (1 - state.sentTokens) / rate
        }
    }

    /// Whether no block happened since a reservation of `epoch`.
    func isCurrent(_ epoch: Int) -> Bool { state.withLock { $0.epoch == epoch } }

    /// Returns a token reserved but not used (the caller gave up).
    func giveBack() {
        state.withLock { $0.tokens = min(capacity, $0.tokens + 1) }
    }

    /// Issues nothing before `time`; then one request, then the normal rate.
    /// Every reservation made before is void: its holder takes a new place
    /// (``isCurrent(_:)``), so the queue it was in is forgotten.
    func block(until time: Double) {
        state.withLock { state in
            guard time > state.updated else { return }
            state.updated = time
            state.tokens = 1
            state.epoch += 1
            state.sentUpdated = max(state.sentUpdated, time)
            state.sentTokens = min(state.sentTokens, 1)
        }
    }
}
