import ArgoCore
import Synchronization

/// One upstream fetch that identical concurrent requests share. The first
/// caller (the leader) performs it in its own task and calls ``finish(_:)``;
/// the others ``wait()`` for that result. No task of its own is created, so
/// an uncontended fetch costs no more than the fetch.
final class SharedFlight: Sendable {
    typealias Outcome = Result<FetchResponse, FetchError>

    private struct State {
        var outcome: Outcome?
        var waiters: [CheckedContinuation<Outcome, Never>] = []
    }

    private let state = Mutex(State())

    /// The leader's result, once it has one.
    func wait() async -> Outcome {
        await withCheckedContinuation { continuation in
            let ready: Outcome? = state.withLock { state in
                if let outcome = state.outcome { return outcome }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Hands the result to every waiter (and to any that come later).
    func finish(_ outcome: Outcome) {
        let waiters = state.withLock { state in
            state.outcome = outcome
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: outcome) }
    }
}
