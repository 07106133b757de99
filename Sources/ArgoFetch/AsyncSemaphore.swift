import Synchronization

/// A counting semaphore for async code: `acquire` suspends (never blocks a
/// thread) until a permit is free, in arrival order, and gives up with
/// `CancellationError` when its task is cancelled.
public final class AsyncSemaphore: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var permits: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>

    public init(permits: Int) { state = Mutex(State(permits: max(1, permits))) }

    /// Tasks waiting for a permit now.
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Acquires a permit, or throws ``DeadlineReached`` at `deadline`. Only a
    /// caller that has to wait pays for the timer.
    func acquire(before deadline: ContinuousClock.Instant) async throws {
        if tryAcquire() { return }
        let acquired = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { [self] in
                try await acquire()
                return true
            }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            if first { return true }
            // The deadline came first; the waiter may still have been granted a permit
            // before its cancellation landed: give that one back.
            while let result = try? await group.next() {
                if result { release() }
            }
            return false
        }
        if !acquired { throw DeadlineReached() }
    }

    /// Takes a free permit without waiting; false when none is free.
    public func tryAcquire() -> Bool {
        state.withLock { state in
            guard state.permits > 0 else { return false }
            state.permits -= 1
            return true
        }
    }

    /// Acquires a permit, waiting in arrival order; throws `CancellationError` when the task is cancelled.
    public func acquire() async throws {
        try Task.checkCancellation()
        let id: UInt64? = state.withLock { state in
            if state.permits > 0 {
                state.permits -= 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, CancellationError>? = state.withLock { state in
                    // Cancelled before we queued: `onCancel` found nothing to remove.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    // A permit may have been released between the first check and here.
                    if state.permits > 0 {
                        state.permits -= 1
                        return .success(())
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    public func release() {
        let waiter: Waiter? = state.withLock { state in
            if state.waiters.isEmpty {
                state.permits += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume()
    }
}
