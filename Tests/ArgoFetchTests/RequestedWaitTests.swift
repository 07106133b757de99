import ArgoCore
@testable import ArgoFetch
import Foundation
import Testing

@Suite("Fetch: an upstream's wait is capped")
struct RequestedWaitTests {
    @Test("Retry-After and reset headers are sanity-checked and capped at five minutes", arguments: [
        ("retry-after", "30", 30.0),
        ("retry-after", "99999999999", FetchError.maxRetryAfter),
        ("retry-after", "-5", 0),
        ("x-ratelimit-reset", "4102444800", FetchError.maxRetryAfter),  // 2100-01-01
        ("x-ratelimit-reset", "12", 12),
    ])
    func capped(name: String, value: String, expected: Double) {
        let wait = RetryRules.requestedWait(headers: [(name: name, value: value)], wallNow: Date(timeIntervalSince1970: 1_780_000_000))
        #expect(wait == expected)
    }

    @Test("a value that is no number is ignored; a plugin's infinite retry_after is capped")
    func oddValues() {
        #expect(RetryRules.requestedWait(headers: [(name: "retry-after", value: "soon")], wallNow: Date()) == nil)
        #expect(FetchError.cappedRetryAfter(.infinity) == FetchError.maxRetryAfter)
        #expect(FetchError.cappedRetryAfter(.nan) == FetchError.maxRetryAfter)
    }
}
