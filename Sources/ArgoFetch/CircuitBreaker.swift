import Synchronization

/// A circuit breaker's state: closed (normal), open (skipping), half-open (one trial allowed).
public enum CircuitPhase: String, Sendable, Codable { case closed, open, halfOpen = "half_open" }

/// Per-source circuit breaker. `threshold` consecutive failed fetches open it;
/// while open, fetches fail at once as `circuit open`; after `cooldown` one
/// trial fetch is let through (half-open): success closes it, failure opens it
/// for another cooldown.
final class CircuitBreaker: Sendable {
    private struct State {
        var failures = 0
        var openedAt: Double? = nil
        var trialInFlight = false
        var opened = 0
    }

    private let state = Mutex(State())
    let threshold: Int
    let cooldown: Double

    init(threshold: Int, cooldown: Double) {
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
    }

    /// Whether a fetch may go out now; a half-open breaker admits one trial.
    func admit(now: Double) -> Bool {
        state.withLock { state in
            guard let openedAt = state.openedAt else { return true }
            guard now >= openedAt + cooldown, !state.trialInFlight else { return false }
            state.trialInFlight = true
            return true
        }
    }

    func recordSuccess() {
        state.withLock { state in
            state.failures = 0
            state.openedAt = nil
            state.trialInFlight = false
        }
    }

    func recordFailure(now: Double) {
        state.withLock { state in
            state.failures += 1
            if state.trialInFlight || (state.openedAt == nil && state.failures >= threshold) {
                if state.openedAt == nil || state.trialInFlight { state.opened += 1 }
                state.openedAt = now
            }
            state.trialInFlight = false
        }
    }

    /// A fetch that neither succeeded nor failed against the source (a 404, a plugin error) ends a trial without a verdict.
    func recordNeutral() { state.withLock { $0.trialInFlight = false } }

    func phase(now: Double) -> CircuitPhase {
        state.withLock { state in
            guard let openedAt = state.openedAt else { return .closed }
            return now >= openedAt + cooldown ? .halfOpen : .open
        }
    }

    /// Seconds until a trial is allowed (0 when closed or half-open).
    func remainingCooldown(now: Double) -> Double {
        state.withLock { state in state.openedAt.map { max(0, $0 + cooldown - now) } ?? 0 }
    }

    /// How many times the breaker opened.
    var timesOpened: Int { state.withLock { $0.opened } }
}
