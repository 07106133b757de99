@testable import ArgoCore
@testable import ArgoFetch
import ArgoSimulator
import Foundation
import Testing

@Suite("Fetch: circuit breaker and secrets")
struct BreakerAndSecretsTests {
    @Test("after N failed fetches the circuit opens, costs nothing, and a trial after the cooldown closes it")
    func breaker() async throws {
        let clock = TestClock()
        try await withFetcher(clock: clock) { sim, fetcher in
            fetcher.configure(policy { $0.maxAttempts = 1; $0.breakerThreshold = 3; $0.breakerCooldown = 30 })
            sim.setKnobs(knobs { $0.errorRate = 1; $0.errorStatus = 502 }, for: .alpaca)
            for index in 0..<3 {
                let error = await failure { try await fetcher.fetch(barsRequest(sim, "B\(index)"), source: "alpaca", deadline: deadline(in: 5)) }
                #expect(error?.kind == .transient)
            }
            let open = await failure { try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 5)) }
            #expect(open?.kind == .circuitOpen)
            #expect(open?.message.hasPrefix("circuit open") == true)
            #expect(sim.stats.routes["alpaca"]?.requests == 3, "an open circuit sends nothing")
            #expect(fetcher.stats(for: "alpaca")?.circuit == .open)
            clock.advance(by: .seconds(31))
            #expect(fetcher.stats(for: "alpaca")?.circuit == .halfOpen)
            sim.setKnobs(RouteKnobs(), for: .alpaca)
            let trial = try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 5))
            #expect(trial.status == 200)
            #expect(fetcher.stats(for: "alpaca")?.circuit == .closed)
        }
    }

    @Test("a 404 (unknown symbol) does not count against the source")
    func notFoundIsNeutral() async throws {
        try await withFetcher { sim, fetcher in
            fetcher.configure(policy { $0.breakerThreshold = 2 })
            sim.setKnobs(knobs { $0.errorRate = 1; $0.errorStatus = 404 }, for: .alpaca)
            for index in 0..<4 {
                _ = await failure { try await fetcher.fetch(barsRequest(sim, "N\(index)"), source: "alpaca", deadline: deadline(in: 5)) }
            }
            #expect(fetcher.stats(for: "alpaca")?.circuit == .closed)
        }
    }

    @Test("a secret in a header, the path or the query never shows in errors, stats or cache keys")
    func secretsRedacted() async throws {
        let secret = "sk-live-S3CRET/value+1"
        try await withFetcher { sim, fetcher in
            fetcher.configure(policy("massive") { $0.secrets = [secret]; $0.maxAttempts = 1 })
            // The simulator's 404 for an unknown route echoes the path back, secret included.
            let request = FetchRequest(
                baseURL: sim.baseURL, path: "/v9/echo/\(secret)", query: [.init("apiKey", secret)],
                headers: [.init("Authorization", "Bearer \(secret)")])
            let error = try #require(await failure { try await fetcher.fetch(request, source: "massive", deadline: deadline(in: 5)) })
            #expect(error.kind == .notFound)
            #expect(error.message.contains(Redactor.placeholder), "the echo was there, redacted: \(error.message)")
            for text in [error.message, error.description, "\(error)", request.cacheKey(redactor: fetcher.redactor(for: "massive"))] {
                #expect(!text.contains(secret))
                #expect(!text.contains(FetchRequest.encodeQuery(secret)))
            }
            let stats = String(decoding: try JSONEncoder().encode(fetcher.allStats), as: UTF8.self)
            #expect(!stats.contains(secret))
        }
    }
}
