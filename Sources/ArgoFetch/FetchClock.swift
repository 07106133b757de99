/// The clock the fetch policies read and wait on: cache TTLs, breaker cooldowns,
/// rate-limit waits and retry backoff. It wraps any `Clock` measured in
/// `Duration`: the process's `ContinuousClock`, or a clock a test moves by hand,
/// so that no test waits for real time to pass.
struct PolicyClock: Sendable {
    private let elapsed: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration) async throws -> Void

    init(_ clock: any Clock<Duration>) {
        (elapsed, sleeper) = Self.erase(clock)
    }

    private static func erase<C: Clock<Duration>>(_ clock: C) -> (@Sendable () -> Duration, @Sendable (Duration) async throws -> Void) {
        let origin = clock.now
        return ({ origin.duration(to: clock.now) }, { try await clock.sleep(for: $0) })
    }

    /// Seconds since the clock was wrapped; never goes back.
    var now: Double { elapsed().seconds }

    /// Suspends for `seconds` of this clock's time (negative and NaN: not at all).
    func sleep(seconds: Double) async throws {
        try await sleeper(.seconds(clamping: seconds))
    }
}

extension Duration {
    /// The duration in seconds, as a double.
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }

    /// A duration of `seconds` (negative and NaN become zero).
    static func seconds(clamping seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return .zero }
        return .nanoseconds(Int64(min(seconds, 9e9) * 1e9))
    }
}
