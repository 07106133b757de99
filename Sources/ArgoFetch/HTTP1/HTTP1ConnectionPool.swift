import NIOCore
import Synchronization

/// The connections to one origin: at most `limit` open (connecting included),
/// idle ones reused newest first, and requests past the limit queued in order
/// until a connection is released, closes, or their deadline passes.
final class HTTP1ConnectionPool: Sendable {
    /// What a lease gives: an idle connection, or leave to open a new one
    /// (already counted against the limit; report back with ``opened(_:)`` or ``openFailed()``).
    enum Grant: Sendable {
        case reuse(HTTP1Connection)
        case connect
    }

    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Grant, any Error>
        var timer: Scheduled<Void>?
    }

    private struct State {
        var idle: [(connection: HTTP1Connection, since: NIODeadline)] = []
        /// Connections counted against the limit: connecting or open.
        var open = 0
        var live: [ObjectIdentifier: HTTP1Connection] = [:]
        var waiters = CircularBuffer<Waiter>()
        var nextWaiterID = 0
        var shutDown = false

        /// A grant for the first waiter, if any and if one can be given.
        mutating func grantForWaiter(limit: Int) -> (Waiter, Grant)? {
            guard !waiters.isEmpty else { return nil }
            if let connection = popIdle() { return (waiters.removeFirst(), .reuse(connection)) }
            guard open < limit else { return nil }
            open += 1
            return (waiters.removeFirst(), .connect)
        }

        mutating func popIdle() -> HTTP1Connection? {
            while let (connection, _) = idle.popLast() {
                if connection.isActive { return connection }
            }
            return nil
        }
    }

    let limit: Int
    private let state = Mutex(State())
    private let timerLoop: any EventLoop

    /// - Parameter refusing: a pool of a client already shut down, which refuses every lease.
    init(limit: Int, timerLoop: any EventLoop, refusing: Bool = false) {
        self.limit = max(1, limit)
        self.timerLoop = timerLoop
        if refusing { state.withLock { $0.shutDown = true } }
    }

    /// An idle connection, leave to open one, or a place in the queue until
    /// one of those is free. Fails at `deadline` or when the pool shuts down.
    func lease(deadline: NIODeadline) async throws -> Grant {
        let immediate: Result<Grant, any Error>? = state.withLock { state in
            if state.shutDown { return .failure(HTTP1ClientError.shutDown) }
            if let connection = state.popIdle() { return .success(.reuse(connection)) }
            guard state.open < limit else { return nil }
            state.open += 1
            return .success(.connect)
        }
        if let immediate { return try immediate.get() }
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let now: Result<Grant, any Error>? = state.withLock { state in
                    if state.shutDown { return .failure(HTTP1ClientError.shutDown) }
                    if let connection = state.popIdle() { return .success(.reuse(connection)) }
                    if state.open < limit {
                        state.open += 1
                        return .success(.connect)
                    }
                    let timer = timerLoop.scheduleTask(deadline: deadline) { [self] in expire(id, HTTP1ClientError.deadline) }
                    state.waiters.append(Waiter(id: id, continuation: continuation, timer: timer))
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            expire(id, CancellationError())
        }
    }

    /// A connection opened after a `.connect` grant: counted live until it closes.
    func opened(_ connection: HTTP1Connection) {
        state.withLock { $0.live[ObjectIdentifier(connection)] = connection }
        connection.channel.closeFuture.whenComplete { [self] _ in closed(connection) }
    }

    /// A `.connect` grant that did not end in a connection: its place goes to the next waiter.
    func openFailed() {
        let next = state.withLock { state in
            state.open -= 1
            return state.grantForWaiter(limit: limit)
        }
        hand(next)
    }

    /// Gives a connection back after its exchange: kept for the next request
    /// when `reusable` and still open, closed otherwise.
    func release(_ connection: HTTP1Connection, reusable: Bool) {
        guard reusable, connection.isActive else {
            connection.channel.close(promise: nil)
            return
        }
        enum Next { case hand(Waiter), keep, close }
        let next: Next = state.withLock { state in
            guard !state.shutDown, state.live[ObjectIdentifier(connection)] != nil else { return .close }
            if !state.waiters.isEmpty { return .hand(state.waiters.removeFirst()) }
            state.idle.append((connection, .now()))
            return .keep
        }
        switch next {
        case .hand(let waiter): hand((waiter, .reuse(connection)))
        case .keep: break
        case .close: connection.channel.close(promise: nil)
        }
    }

    /// Closes idle connections unused since before `cutoff`.
    func closeIdle(before cutoff: NIODeadline) {
        let stale = state.withLock { state in
            let count = state.idle.prefix { $0.since < cutoff }.count
            defer { state.idle.removeFirst(count) }
            return state.idle.prefix(count).map(\.connection)
        }
        for connection in stale { connection.channel.close(promise: nil) }
    }

    /// Refuses new leases, fails the queue, and closes every connection; returns when all are closed.
    func shutdown() async {
        let (waiters, connections) = state.withLock { state in
            state.shutDown = true
            state.idle = []
            defer { state.waiters.removeAll() }
            return (Array(state.waiters), Array(state.live.values))
        }
        for waiter in waiters {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: HTTP1ClientError.shutDown)
        }
        for connection in connections {
            try? await connection.channel.close()
        }
    }

    /// Connections open or being opened (for tests).
    var openCount: Int { state.withLock { $0.open } }

    private func closed(_ connection: HTTP1Connection) {
        let next = state.withLock { state in
            guard state.live.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return nil as (Waiter, Grant)? }
            state.open -= 1
            state.idle.removeAll { $0.connection === connection }
            return state.shutDown ? nil : state.grantForWaiter(limit: limit)
        }
        hand(next)
    }

    private func expire(_ id: Int, _ error: any Error) {
        let waiter: Waiter? = state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        guard let waiter else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume(throwing: error)
    }

    private func hand(_ grant: (Waiter, Grant)?) {
        guard let (waiter, grant) = grant else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume(returning: grant)
    }
}
