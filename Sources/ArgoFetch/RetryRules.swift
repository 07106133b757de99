import ArgoCore
import Foundation

/// What a status or an upstream hint means for retrying: the classification of
/// statuses into failure kinds, `Retry-After` and reset headers, and the
/// capped exponential backoff with full jitter.
public enum RetryRules {
    /// The failure kind of a non-2xx status; nil for success.
    static func kind(ofStatus status: Int) -> FetchError.Kind? {
        switch status {
        case 200..<300: nil
        case 401, 403: .auth
        case 404, 410: .notFound
        case 408: .timeout
        case 429: .rateLimited
        case 500..<600: .transient
        default: .badResponse
        }
    }

    /// Seconds to wait from a `Retry-After` value: delta seconds, or an HTTP date
    /// (IMF-fixdate, RFC 850 or asctime) relative to `wallNow`.
    static func retryAfter(_ value: String, wallNow: Date) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds.isFinite { return max(0, seconds) }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) { return max(0, date.timeIntervalSince(wallNow)) }
        }
        return nil
    }

    /// Seconds until an `X-RateLimit-Reset` time: Unix seconds (Alpaca) when the
    /// value is large, otherwise seconds from now.
    static func rateLimitReset(_ value: String, wallNow: Date) -> Double? {
        guard let number = Double(value.trimmingCharacters(in: .whitespaces)), number.isFinite else { return nil }
        return number > 1_000_000_000 ? max(0, number - wallNow.timeIntervalSince1970) : max(0, number)
    }

    /// How long the upstream asked us to wait, from a response's headers, at most ``FetchError/maxRetryAfter``.
    static func requestedWait(headers: [(name: String, value: String)], wallNow: Date) -> Double? {
        if let value = headers.first(where: { $0.name == "retry-after" })?.value, let wait = retryAfter(value, wallNow: wallNow) {
            return FetchError.cappedRetryAfter(wait)
        }
        if let value = headers.first(where: { $0.name == "x-ratelimit-reset" })?.value {
            return rateLimitReset(value, wallNow: wallNow).map(FetchError.cappedRetryAfter)
        }
        return nil
    }


    /// Whether the response says the budget is spent (`X-RateLimit-Remaining: 0`).
    static func budgetExhausted(headers: [(name: String, value: String)]) -> Bool {
        headers.first { $0.name == "x-ratelimit-remaining" }.map { $0.value.trimmingCharacters(in: .whitespaces) == "0" } ?? false
    }

    /// Full-jitter backoff before retry `retry` (1 for the first retry):
    /// uniform in [0, min(cap, base · 2^(retry−1))].
    static func backoff(retry: Int, base: Double, cap: Double, unit: Double) -> Double {
        let ceiling = min(cap, base * pow(2, Double(max(0, retry - 1))))
        return ceiling * unit
    }
}
