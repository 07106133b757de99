/// Monotonic seconds, for TTLs and cooldowns. Tests drive a manual clock
/// instead of sleeping; production uses ``SystemFetchClock``.
public protocol FetchClock: Sendable {
    /// Seconds since an arbitrary, fixed origin; never goes back.
    var now: Double { get }
}

/// The process's continuous clock.
public struct SystemFetchClock: FetchClock {
    private static let origin = ContinuousClock.now
    public init() {}
    public var now: Double { Self.origin.duration(to: .now).seconds }
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
