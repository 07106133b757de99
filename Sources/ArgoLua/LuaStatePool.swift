import Foundation
import Synchronization

/// A fixed set of ``LuaState``s, each prepared the same way (plugins loaded),
/// that async code borrows one at a time.
///
/// Waiting for a free state suspends the task; it never blocks a thread. Waiters
/// are served in arrival order. The borrowed state runs on the borrowing task's
/// thread (the cooperative pool), never on an event loop; each call is bounded by
/// the instruction budget. A state that a limit error left dirty, or that keeps
/// far more freed memory than it uses, is replaced by a freshly prepared one
/// before anyone else gets it.
public final class LuaStatePool: Sendable {
    /// Makes and prepares one state.
    public typealias Factory = @Sendable () throws -> LuaState

    private let slots: [Slot]
    private let factory: Factory
    private let queue: Mutex<Queue>

    /// Creates `size` states with `factory` (default: one per core).
    public init(size: Int? = nil, factory: @escaping Factory) throws {
        let count = max(1, size ?? ProcessInfo.processInfo.activeProcessorCount)
        self.factory = factory
        slots = try (0..<count).map { _ in Slot(state: try factory()) }
        queue = Mutex(Queue(free: Array((0..<count).reversed())))
    }

    /// How many states the pool holds.
    public var size: Int { slots.count }

    /// How many tasks are waiting for a state now.
    public var waiting: Int { queue.withLock { queue in queue.waiters[queue.head...].count { $0 != nil } } }

    /// How many states were replaced (a limit left them dirty, or they kept too much freed memory).
    public var replacements: Int { queue.withLock { $0.replacements } }

    /// Borrows a state for `body`, waiting (without blocking) until one is free.
    /// Throws `CancellationError` if the task is cancelled while waiting.
    public func withState<R>(_ body: (LuaState) throws -> R) async throws -> R {
        let index = try await checkOut()
        defer { checkIn(index) }
        return try body(slots[index].state)
    }

    // MARK: - Checkout

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Int, any Error>
    }

    private struct Queue {
        var free: [Int]
        var waiters: [Waiter?] = []
        var head = 0
        var nextWaiterID: UInt64 = 0
        var replacements = 0

        mutating func popWaiter() -> Waiter? {
            while head < waiters.count {
                let waiter = waiters[head]
                waiters[head] = nil
                head += 1
                if let waiter { return waiter }
            }
            waiters.removeAll(keepingCapacity: true)
            head = 0
            return nil
        }

        mutating func removeWaiter(id: UInt64) -> Waiter? {
            guard let position = waiters[head...].firstIndex(where: { $0?.id == id }) else { return nil }
            defer { waiters[position] = nil }
            return waiters[position]
        }
    }

    private func checkOut() async throws -> Int {
        if let index = queue.withLock({ $0.free.popLast() }) { return index }
        let id = queue.withLock { queue in
            defer { queue.nextWaiterID += 1 }
            return queue.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
                let immediate: Result<Int, any Error>? = queue.withLock { queue in
                    if let index = queue.free.popLast() { return .success(index) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    queue.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            queue.withLock { $0.removeWaiter(id: id) }?.continuation.resume(throwing: CancellationError())
        }
    }

    private func checkIn(_ index: Int) {
        let state = slots[index].state
        if state.needsReplacement || state.holdsIdleMemory, let fresh = try? factory() {
            slots[index].state = fresh
            queue.withLock { $0.replacements += 1 }
        }
        let waiter = queue.withLock { queue -> Waiter? in
            if let waiter = queue.popWaiter() { return waiter }
            queue.free.append(index)
            return nil
        }
        waiter?.continuation.resume(returning: index)
    }
}

/// One pooled state.
///
/// `@unchecked Sendable`: `state` is touched only by the one task that holds the
/// slot's index, which the pool's mutex hands out to one borrower at a time; the
/// mutex's lock and unlock order each borrower's accesses after the previous one's.
private final class Slot: @unchecked Sendable {
    var state: LuaState
    init(state: LuaState) { self.state = state }
}

