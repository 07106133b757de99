@testable import ArgoCore
@testable import ArgoFetch
import Foundation
import Synchronization
import Testing

@Suite("Fetch: retry rules, token bucket, URLs")
struct RulesTests {
    @Test("Retry-After as seconds or an HTTP date; X-RateLimit-Reset as epoch or delta")
    func retryAfterParsing() {
        let now = Date(timeIntervalSince1970: 1_764_000_000)  // 2025-11-24T16:00:00Z
        #expect(RetryRules.retryAfter("2", wallNow: now) == 2)
        #expect(RetryRules.retryAfter("Mon, 24 Nov 2025 16:00:30 GMT", wallNow: now) == 30)
        #expect(RetryRules.retryAfter("Monday, 24-Nov-25 16:00:10 GMT", wallNow: now) == 10)
        #expect(RetryRules.retryAfter("soon", wallNow: now) == nil)
        #expect(RetryRules.rateLimitReset("1764000005", wallNow: now) == 5)
        #expect(RetryRules.rateLimitReset("7", wallNow: now) == 7)
        #expect(RetryRules.requestedWait(headers: [("x-ratelimit-reset", "1764000003")], wallNow: now) == 3)
    }

    @Test("statuses: 408/429/5xx retryable, 401/403 auth, 404 not found, other 4xx never retried")
    func classification() {
        #expect(RetryRules.kind(ofStatus: 200) == nil)
        #expect(RetryRules.kind(ofStatus: 429) == .rateLimited)
        #expect(RetryRules.kind(ofStatus: 503) == .transient)
        #expect(RetryRules.kind(ofStatus: 408) == .timeout)
        #expect(RetryRules.kind(ofStatus: 403) == .auth)
        #expect(RetryRules.kind(ofStatus: 404) == .notFound)
        #expect(RetryRules.kind(ofStatus: 422) == .badResponse)
        #expect(FetchError(.badResponse, "").isRetryable == false)
        #expect(FetchError(.transient, "").isRetryable)
    }

    @Test("backoff is capped exponential with full jitter")
    func backoff() {
        #expect(RetryRules.backoff(retry: 1, base: 0.2, cap: 5, unit: 1) == 0.2)
        #expect(RetryRules.backoff(retry: 3, base: 0.2, cap: 5, unit: 1) == 0.8)
        #expect(RetryRules.backoff(retry: 10, base: 0.2, cap: 5, unit: 1) == 5)
        #expect(RetryRules.backoff(retry: 3, base: 0.2, cap: 5, unit: 0) == 0)
    }

    @Test("token bucket: a burst of capacity, then the rate; a block holds issuing until the reset")
    func tokenBucket() {
        let bucket = TokenBucket(requests: 5, per: 1, now: 0)
        let waits = (0..<7).map { _ in bucket.reserve(now: 0)! }
        #expect(waits[0..<5].allSatisfy { $0 == 0 })
        #expect(abs(waits[5] - 0.2) < 1e-9 && abs(waits[6] - 0.4) < 1e-9)
        #expect(bucket.reserve(now: 0, maxWait: 0.1) == nil, "a wait past maxWait takes nothing")
        let blocked = TokenBucket(requests: 5, per: 1, now: 0)
        blocked.block(until: 10)
        #expect(blocked.reserve(now: 1) == 9)
        #expect(abs(blocked.reserve(now: 1)! - 9.2) < 1e-9)
    }

    @Test("a block voids the places handed out before it: the queue restarts after the reset")
    func blockVoidsReservations() throws {
        let bucket = TokenBucket(requests: 2, per: 1, now: 0)
        let queued = try (0..<6).map { _ in try #require(bucket.reservation(now: 0)) }
        #expect(abs(queued[5].wait - 2.0) < 1e-9, "2 at once, then 4 at 2 a second")
        #expect(bucket.isCurrent(queued[5].epoch))
        bucket.block(until: 5)
        #expect(!bucket.isCurrent(queued[5].epoch), "a caller waking from that sleep must take a new place")
        let fresh = try #require(bucket.reservation(now: 1))
        #expect(fresh.wait == 4, "the first new place is at the reset, not behind the 4 voided ones")
        #expect(bucket.isCurrent(fresh.epoch))
        let sending = TokenBucket(requests: 2, per: 1, now: 0)
        #expect(sending.release(now: 0) == 0 && sending.release(now: 0) == 0, "the burst leaves at once")
        #expect(sending.release(now: 0) == 0.5, "late sleepers waking together leave spread at the rate")
        #expect(sending.release(now: 0.5) == 0)
        #expect(TokenBucket.within(requests: 10, per: 1, now: 0).capacity == 5)
        #expect(abs(TokenBucket.within(requests: 10, per: 1, now: 0).rate - 9.5) < 1e-9)
    }

    @Test("URLs: trailing slashes, percent-encoded path and query; the cache key sorts the query")
    func urls() {
        let request = FetchRequest(baseURL: "http://127.0.0.1:9/", path: "v2/stocks/BRK.B/bars",
                                   query: [.init("symbols", "A B&C"), .init("limit", "10")])
        #expect(request.url == "http://127.0.0.1:9/v2/stocks/BRK.B/bars?symbols=A%20B%26C&limit=10")
        // Paths: escaped as Foundation escapes them (a space, '?', '#', '%', non-ASCII), untouched otherwise.
        for path in ["/v8/finance/chart/AAPL", "/a b/c?d#e", "/caf\u{e9}/\u{1F600}", "/100%/x", "/~user/a-b_c.d!$&'()*+,;=:@"] {
            let expected = path.addingPercentEncoding(withAllowedCharacters: FetchRequest.pathAllowed)!
            #expect(FetchRequest(baseURL: "http://127.0.0.1:9", path: path).url == "http://127.0.0.1:9" + expected, "\(path)")
        }
        var swapped = request
        swapped.query.reverse()
        #expect(request.cacheKey(redactor: Redactor(secrets: [])) == swapped.cacheKey(redactor: Redactor(secrets: [])))
    }
}

@Suite("Fetch: in-flight semaphore")
struct SemaphoreTests {
    @Test("a waiter past its deadline gives up without leaking a permit")
    func deadlineDoesNotLeak() async throws {
        let semaphore = AsyncSemaphore(permits: 1)
        try await semaphore.acquire(before: .now + .seconds(1))
        await #expect(throws: DeadlineReached.self) { try await semaphore.acquire(before: .now + .milliseconds(50)) }
        #expect(semaphore.waiting == 0)
        semaphore.release()
        #expect(semaphore.tryAcquire(), "the permit released is free again")
        #expect(!semaphore.tryAcquire(), "and only one")
    }

    @Test("waiters are served in arrival order")
    func fifo() async throws {
        let semaphore = AsyncSemaphore(permits: 1)
        try await semaphore.acquire()
        let order = OrderLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<5 {
                group.addTask {
                    try await semaphore.acquire()
                    order.append(index)
                    semaphore.release()
                }
                while semaphore.waiting < index + 1 { await Task.yield() }
            }
            semaphore.release()
            try await group.waitForAll()
        }
        #expect(order.items == [0, 1, 2, 3, 4])
    }
}

final class OrderLog: Sendable {
    private let storage = Mutex<[Int]>([])
    func append(_ value: Int) { storage.withLock { $0.append(value) } }
    var items: [Int] { storage.withLock { $0 } }
}

@Suite("Fetch: redaction")
struct RedactorTests {
    @Test("every occurrence, plain or percent-encoded, at either end; a longer secret first; short ones ignored")
    func redacts() {
        let redactor = Redactor(secrets: ["abc", "key/with+plus", "sk-123456", "sk-123456-long"])
        #expect(redactor.redact("sk-123456 and sk-123456") == "[REDACTED] and [REDACTED]")
        #expect(redactor.redact("x=sk-123456-long&y=sk-123456") == "x=[REDACTED]&y=[REDACTED]")
        #expect(redactor.redact("q=key/with%2Bplus") == "q=[REDACTED]", "the percent-encoded form too")
        #expect(redactor.redact("key/with+plus") == "[REDACTED]")
        #expect(redactor.redact("abc is too short to hide") == "abc is too short to hide")
        #expect(redactor.redact("café sk-123456 ü") == "café [REDACTED] ü")
        #expect(Redactor(secrets: []).redact("sk-123456") == "sk-123456")
    }
}
