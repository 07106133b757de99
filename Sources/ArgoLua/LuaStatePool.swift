internal import CLuaGuard
import Foundation
import Synchronization

/// A fixed set of ``LuaState``s, each prepared the same way (plugins loaded),
/// that async code borrows one at a time.
///
/// Waiting for a free state suspends the task; it never blocks a thread. Waiters
/// are served in arrival order. Each state lives on a thread of its own
/// (``LuaThread``): it is made there, and every borrower's work runs there while
/// the borrowing task is suspended, so Lua never runs on the cooperative pool or
/// an event loop. Each call is bounded by the state's budget and time limit. A
/// state that a limit error left dirty, or that keeps far more freed memory than
/// it uses, is replaced by a freshly prepared one, on its thread, before anyone
/// else gets it.
///
/// A borrower may name a lane (a plugin, say). With a `laneShare`, a lane holds
/// at most that many states at once: a borrower whose lane is full waits, and
/// the states go to other lanes meanwhile, so one lane's slow calls cannot take
/// every state.
public final class LuaStatePool: Sendable {
    /// Makes and prepares one state.
    public typealias Factory = @Sendable () throws -> LuaState

    private let slots: [Slot]
    private let factory: Factory
    private let queue: Mutex<Queue>
    /// The most states one lane holds at once.
    public let laneShare: Int

    /// Creates `size` states with `factory` (default: one per core); a lane
    /// holds at most `laneShare` of them at once (default: all).
    public init(size: Int? = nil, laneShare: Int? = nil, factory: @escaping Factory) throws {
        let count = max(1, size ?? ProcessInfo.processInfo.activeProcessorCount)
        let share = max(1, min(count, laneShare ?? count))
        self.laneShare = share
        self.factory = factory
        slots = try (0..<count).map { index in
            let thread = LuaThread(name: "argo-lua-\(index)")
            do {
                return Slot(state: try thread.runAndWait(factory), thread: thread)
            } catch {
                thread.stop()
                throw error
            }
        }
        queue = Mutex(Queue(free: Array((0..<count).reversed()), laneShare: share))
    }

    deinit {
        for slot in slots { slot.thread.stop() }
    }

    /// How many states the pool holds.
    public var size: Int { slots.count }

    /// How many states are lent now.
    public var busy: Int { slots.count - queue.withLock { $0.free.count } }

    /// How many tasks are waiting for a state now.
    public var waiting: Int { queue.withLock { $0.first.count + $0.deferred.count } }

    /// How many states were replaced (a limit left them dirty, or they kept too much freed memory).
    public var replacements: Int { queue.withLock { $0.replacements } }

    /// Borrows a state for `body`, waiting (without blocking) until one is free
    /// and `lane` holds fewer than ``laneShare``, and runs `body` on the state's
    /// thread. Calls in `body` end by `deadline` (each call's time limit is cut
    /// to it). A `deferred` borrower (a plugin whose last calls overran) gets a
    /// state only when no other borrower that could take it waits.
    /// Throws `CancellationError` if the task is cancelled while waiting; once
    /// `body` runs, it runs to its end, which the limits bound.
    public func withState<R>(
        deadline: ContinuousClock.Instant? = nil, deferred: Bool = false, lane: String? = nil,
        _ body: @escaping (LuaState) throws -> R
    ) async throws -> R {
        let index = try await checkOut(deferred: deferred, lane: lane)
        let slot = slots[index]
        if clua_on_lua_thread() != 0 {
            // Already on a Lua thread (a task that prefers ``LuaExecutor``): run here.
            defer { checkIn(index, lane: lane) }
            return try run(body, in: slot, deadline: deadline)
        }
        let job = LuaJob(body: body)
        let outcome = ResultBox<R>()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            slot.thread.run {
                outcome.result = Result { try self.run(job.body, in: slot, deadline: deadline) }
                continuation.resume()
            }
        }
        checkIn(index, lane: lane)
        return try outcome.result!.get()
    }

    /// Runs `body` with the slot's state on this (Lua) thread, then replaces the state if it must not be reused.
    private func run<R>(_ body: (LuaState) throws -> R, in slot: Slot, deadline: ContinuousClock.Instant?) throws -> R {
        let state = slot.state
        state.deadline = deadline
        defer {
            state.deadline = nil
            renew(slot)
        }
        return try body(state)
    }

    // MARK: - Checkout

    private struct Waiter {
        let id: UInt64
        let lane: String?
        let continuation: CheckedContinuation<Int, any Error>
    }

    /// One lane's waiters in arrival order (nil: cancelled while waiting).
    private struct LaneLine {
        var waiters: [Waiter?] = []
        var head = 0

        /// The id of the first waiter still waiting; drops cancelled ones ahead of it.
        mutating func frontID() -> UInt64? {
            while head < waiters.count, waiters[head] == nil { head += 1 }
            if head == waiters.count {
                waiters.removeAll(keepingCapacity: true)
                head = 0
                return nil
            }
            if head >= 1024, head * 2 >= waiters.count {
                waiters.removeFirst(head)
                head = 0
            }
            return waiters[head]!.id
        }

        /// Takes the first waiter; call after ``frontID()`` returned one.
        mutating func popFront() -> Waiter {
            defer {
                waiters[head] = nil
                head += 1
            }
            return waiters[head]!
        }

        mutating func remove(id: UInt64) -> Waiter? {
            guard let position = waiters[head...].firstIndex(where: { $0?.id == id }) else { return nil }
            defer { waiters[position] = nil }
            return waiters[position]
        }
    }

    /// Waiters in arrival order, a line per lane, so that serving the first
    /// waiter whose lane is under its share looks at each lane's first waiter
    /// only, however many wait behind a full lane.
    private struct Line {
        var lanes: [String?: LaneLine] = [:]
        private(set) var count = 0

        mutating func append(_ waiter: Waiter) {
            lanes[waiter.lane, default: LaneLine()].waiters.append(waiter)
            count += 1
        }

        /// The earliest waiter of the lanes `eligible` accepts, taken out of the line.
        mutating func pop(where eligible: (String?) -> Bool) -> Waiter? {
            guard count > 0 else { return nil }
            var earliest: (index: Dictionary<String?, LaneLine>.Index, id: UInt64)?
            for index in lanes.indices where eligible(lanes.keys[index]) {
                if let id = lanes.values[index].frontID(), id < earliest?.id ?? .max { earliest = (index, id) }
            }
            guard let earliest else { return nil }
            count -= 1
            return lanes.values[earliest.index].popFront()
        }

        mutating func remove(id: UInt64, lane: String?) -> Waiter? {
            guard let waiter = lanes[lane]?.remove(id: id) else { return nil }
            count -= 1
            return waiter
        }
    }

    private struct Queue {
        var free: [Int]
        /// Borrowers served first, and those served only when none of the first wait.
        var first = Line()
        var deferred = Line()
        var nextWaiterID: UInt64 = 0
        var replacements = 0
        /// States each lane holds now.
        var held: [String: Int] = [:]
        let laneShare: Int

        func mayTake(_ lane: String?) -> Bool { lane.map { held[$0, default: 0] < laneShare } ?? true }

        /// A free state for `lane`, if there is one and the lane is under its share.
        mutating func take(for lane: String?) -> Int? {
            guard !free.isEmpty, mayTake(lane) else { return nil }
            if let lane { held[lane, default: 0] += 1 }
            return free.popLast()
        }

        mutating func give(_ index: Int, from lane: String?) {
            if let lane {
                held[lane, default: 1] -= 1
                if held[lane] == 0 { held[lane] = nil }
            }
            free.append(index)
        }

        /// Free states handed to the waiters that may take them: the first line before the deferred one, in arrival order.
        mutating func assign() -> [(Waiter, Int)] {
            var handed: [(Waiter, Int)] = []
            while !free.isEmpty {
                let held = held, share = laneShare
                let eligible = { (lane: String?) in lane.map { held[$0, default: 0] < share } ?? true }
                guard let waiter = first.pop(where: eligible) ?? deferred.pop(where: eligible) else { break }
                handed.append((waiter, take(for: waiter.lane)!))
            }
            return handed
        }

        mutating func removeWaiter(id: UInt64, lane: String?) -> Waiter? {
            first.remove(id: id, lane: lane) ?? deferred.remove(id: id, lane: lane)
        }
    }

    private func checkOut(deferred: Bool, lane: String?) async throws -> Int {
        if let index = queue.withLock({ $0.take(for: lane) }) { return index }
        let id = queue.withLock { queue in
            defer { queue.nextWaiterID += 1 }
            return queue.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
                let immediate: Result<Int, any Error>? = queue.withLock { queue in
                    if let index = queue.take(for: lane) { return .success(index) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    let waiter = Waiter(id: id, lane: lane, continuation: continuation)
                    if deferred { queue.deferred.append(waiter) } else { queue.first.append(waiter) }
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            queue.withLock { $0.removeWaiter(id: id, lane: lane) }?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Replaces the slot's state when it must not be reused; on the slot's thread.
    private func renew(_ slot: Slot) {
        let state = slot.state
        guard state.needsReplacement || state.holdsIdleMemory, let fresh = try? factory() else { return }
        slot.state = fresh
        queue.withLock { $0.replacements += 1 }
    }

    private func checkIn(_ index: Int, lane: String?) {
        let handed = queue.withLock { queue in
            queue.give(index, from: lane)
            return queue.assign()
        }
        for (waiter, index) in handed { waiter.continuation.resume(returning: index) }
    }
}

/// One pooled state and its thread.
///
/// `@unchecked Sendable`: `state` is touched only on `thread`, for the one task
/// that holds the slot's index, which the pool's mutex hands out to one borrower
/// at a time.
private final class Slot: @unchecked Sendable {
    var state: LuaState
    let thread: LuaThread
    init(state: LuaState, thread: LuaThread) {
        self.state = state
        self.thread = thread
    }
}

