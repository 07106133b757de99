/// Thrown by ``withDeadline(_:_:)`` when the deadline came first.
struct DeadlineReached: Error {}

/// Runs `operation`, cancelling it when `deadline` passes; then throws
/// ``DeadlineReached``. The operation must respond to cancellation (HTTP
/// requests, sleeps and semaphore waits here all do), so nothing it started
/// outlives the deadline.
func withDeadline<T: Sendable>(
    _ deadline: ContinuousClock.Instant, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard deadline > .now else { throw DeadlineReached() }
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(until: deadline, clock: .continuous)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw DeadlineReached() }
        return value
    }
}
