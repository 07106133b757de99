@testable import ArgoFetch
import ArgoSimulator
import Foundation
import Testing

@Suite("Fetch: retries, timeouts and deadlines against the simulator")
struct RetryTests {
    @Test("a 429 with Retry-After: 1 then a 200: ok after 2 attempts, having waited 1 s (test clock)", .timeLimit(.minutes(1)))
    func retryAfterHonoured() async throws {
        let clock = TestClock()
        try await withFetcher(clock: clock) { sim, fetcher in
            fetcher.configure(policy())
            sim.setKnobs(knobs { $0.tooManyRequestsEvery = 2; $0.retryAfterSeconds = 1 }, for: .alpaca)
            _ = try await fetcher.fetch(barsRequest(sim, "MSFT"), source: "alpaca", deadline: deadline(in: 10))  // call 1
            let fetch = Task { try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 10)) }  // calls 2 (429) and 3
            await clock.sleepers(atLeast: 1)
            #expect(clock.pendingWaits == [.seconds(1)], "the wait the upstream asked for")
            #expect(sim.stats.routes["alpaca"]?.requests == 2, "no retry before the wait ends")
            clock.advance(by: .seconds(1))
            let response = try await fetch.value
            #expect(response.status == 200)
            #expect(response.attempts == 2)
            #expect(sim.stats.routes["alpaca"]?.byStatus["429"] == 1)
            #expect(fetcher.stats(for: "alpaca")?.retries == 1)
        }
    }

    @Test("503 every time: transient after the configured attempts, each one sent")
    func transientAfterAttempts() async throws {
        try await withFetcher { sim, fetcher in
            fetcher.configure(policy { $0.maxAttempts = 3 })
            sim.setKnobs(knobs { $0.errorRate = 1; $0.errorStatus = 503 }, for: .alpaca)
            let error = await failure { try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 10)) }
            #expect(error?.kind == .transient)
            #expect(error?.attempts == 3)
            #expect(error?.status == 503)
            #expect(error?.description.hasPrefix("HTTP 503") == true)
            #expect(error?.description.hasSuffix("after 3 attempts") == true)
            #expect(sim.stats.routes["alpaca"]?.requests == 3)
            #expect(fetcher.stats(for: "alpaca")?.failures == ["transient": 1])
        }
    }

    @Test("other 4xx are never retried: a 404 is one attempt, not_found")
    func notFoundNotRetried() async throws {
        try await withFetcher { sim, fetcher in
            fetcher.configure(policy())
            sim.setKnobs(knobs { $0.errorRate = 1; $0.errorStatus = 404 }, for: .alpaca)
            let error = await failure { try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 10)) }
            #expect(error?.kind == .notFound)
            #expect(error?.attempts == 1)
            sim.setKnobs(knobs { $0.errorRate = 1; $0.errorStatus = 401 }, for: .alpaca)
            let auth = await failure { try await fetcher.fetch(barsRequest(sim, "MSFT"), source: "alpaca", deadline: deadline(in: 10)) }
            #expect(auth?.kind == .auth && auth?.attempts == 1)
            #expect(sim.stats.routes["alpaca"]?.requests == 2)
        }
    }

    @Test("a retry that would end past the deadline is not made")
    func noRetryPastDeadline() async throws {
        try await withFetcher { sim, fetcher in
            fetcher.configure(policy())
            sim.setKnobs(knobs { $0.tooManyRequestsEvery = 1; $0.retryAfterSeconds = 30 }, for: .alpaca)
            let start = ContinuousClock.now
            // 20 s leaves the first answer room on a busy machine, and is still shorter than the wait asked for.
            let error = await failure { try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 20)) }
            #expect(error?.kind == .rateLimited)
            #expect(error?.retryAfter == 30)
            #expect(error?.attempts == 1)
            #expect(start.duration(to: .now) < .seconds(25), "it did not wait the 30 s for a retry")
        }
    }
}
