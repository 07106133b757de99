import ArgoCore
@testable import ArgoFetch
import ArgoSimulator
import Testing

@Suite("Fetch: connection pooling, coalescing, cache, rate limits")
struct PoolingTests {
    @Test("200 sequential requests to one host use 1 connection")
    func sequentialReuseOneConnection() async throws {
        try await withFetcher { sim, fetcher in
            fetcher.configure(policy())
            for index in 0..<200 {
                let response = try await fetcher.fetch(barsRequest(sim, "S\(index)"), source: "alpaca", deadline: deadline(in: 10))
                #expect(response.status == 200)
            }
            #expect(sim.stats.routes["alpaca"]?.requests == 200)
            #expect(sim.stats.routes["alpaca"]?.connections == 1)
        }
    }

    @Test("200 concurrent requests with a pool of 8 open at most 8 connections")
    func concurrentBoundedByPool() async throws {
        try await withFetcher(connectionsPerHost: 8) { sim, fetcher in
            fetcher.configure(policy { $0.maxConcurrency = 256 })
            sim.setKnobs(knobs { $0.latency = .fixed(milliseconds: 20) }, for: .alpaca)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<200 {
                    group.addTask { try await fetcher.fetch(barsRequest(sim, "C\(index)"), source: "alpaca", deadline: deadline(in: 30)).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 200 && statuses.allSatisfy { $0 == 200 })
            // At once: a connection whose exchange a slow machine cut by its timeout is replaced, never added to.
            let route = try #require(sim.stats.routes["alpaca"])
            #expect(route.maxOpenConnections <= 8, "\(route.maxOpenConnections) open at once")
            #expect(route.connections > 1, "concurrent requests do use the pool")
        }
    }

    @Test("max_concurrency bounds requests in flight, and so connections")
    func maxConcurrencyBoundsConnections() async throws {
        try await withFetcher(connectionsPerHost: 64) { sim, fetcher in
            fetcher.configure(policy { $0.maxConcurrency = 3 })
            sim.setKnobs(knobs { $0.latency = .fixed(milliseconds: 20) }, for: .alpaca)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<30 {
                    group.addTask { _ = try await fetcher.fetch(barsRequest(sim, "M\(index)"), source: "alpaca", deadline: deadline(in: 30)) }
                }
                try await group.waitForAll()
            }
            #expect((sim.stats.routes["alpaca"]?.connections ?? 99) <= 3)
        }
    }

    @Test("with no cap per host, a source's max_concurrency sizes the pool: 16 requests in flight on 16 connections")
    func poolSizedBySource() async throws {
        try await withFetcher(connectionsPerHost: nil) { sim, fetcher in
            fetcher.configure(policy { $0.maxConcurrency = 16 })
            sim.setKnobs(knobs { $0.latency = .fixed(milliseconds: 50) }, for: .alpaca)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<64 {
                    group.addTask { _ = try await fetcher.fetch(barsRequest(sim, "P\(index)"), source: "alpaca", deadline: deadline(in: 30)) }
                }
                try await group.waitForAll()
            }
            let connections = sim.stats.routes["alpaca"]?.connections ?? 0
            #expect(connections > 8 && connections <= 16, "\(connections) connections: more than the old default of 8, no more than the source allows")
        }
    }

    @Test("100 concurrent identical requests make 1 upstream request")
    func coalescing() async throws {
        try await withFetcher { sim, fetcher in
            fetcher.configure(policy())  // no cache: coalescing alone
            sim.setKnobs(knobs { $0.latency = .fixed(milliseconds: 300) }, for: .alpaca)
            let shared = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<100 {
                    group.addTask { try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 10)).coalesced }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(sim.stats.routes["alpaca"]?.requests == 1)
            #expect(shared.count { $0 } == 99)
            #expect(fetcher.stats(for: "alpaca")?.coalesced == 99)
            #expect(fetcher.stats(for: "alpaca")?.attempts == 1)
        }
    }

    @Test("cache: a hit inside the TTL, a miss after it (test clock); failures are not cached")
    func cacheTTL() async throws {
        let clock = TestClock()
        try await withFetcher(clock: clock) { sim, fetcher in
            fetcher.configure(policy { $0.cacheTTL = 10 })
            let first = try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 10))
            #expect(!first.fromCache)
            clock.advance(by: .milliseconds(9_900))
            let second = try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 10))
            #expect(second.fromCache && second.body == first.body)
            #expect(sim.stats.routes["alpaca"]?.requests == 1)
            clock.advance(by: .milliseconds(200))
            let third = try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 10))
            #expect(!third.fromCache)
            #expect(sim.stats.routes["alpaca"]?.requests == 2)
            // A different secret is the same request for the cache key's purposes only after redaction; a different query is not.
            sim.setKnobs(knobs { $0.errorRate = 1; $0.errorStatus = 404 }, for: .alpaca)
            _ = await failure { try await fetcher.fetch(barsRequest(sim, "MSFT"), source: "alpaca", deadline: deadline(in: 10)) }
            _ = await failure { try await fetcher.fetch(barsRequest(sim, "MSFT"), source: "alpaca", deadline: deadline(in: 10)) }
            #expect(sim.stats.routes["alpaca"]?.bySymbol["MSFT"] == 2, "a failure is not cached")
            // A body the plugin rejects is forgotten.
            fetcher.forget(third, source: "alpaca")
            sim.setKnobs(RouteKnobs(), for: .alpaca)
            let fourth = try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 10))
            #expect(!fourth.fromCache)
            #expect(fetcher.stats(for: "alpaca")?.cacheHits == 1)
        }
    }

    @Test("a rate limit of 5 per second holds over 20 requests (test clock)", .timeLimit(.minutes(1)))
    func rateLimitHolds() async throws {
        let clock = TestClock()
        // The bucket keeps inside the vendor's allowance: half its burst at once, then 95% of its rate.
        let burst = Int((5 * TokenBucket.burstShare).rounded(.up)), rate = 5 * TokenBucket.rateShare
        try await withFetcher(clock: clock) { sim, fetcher in
            fetcher.configure(policy("yahoo") { $0.rateLimit = .init(requests: 5, per: 1) })
            let done = Counter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        let request = FetchRequest(baseURL: sim.baseURL, path: "/v8/finance/chart/R\(index)", query: [.init("range", "1mo"), .init("interval", "1d")])
                        _ = try await fetcher.fetch(request, source: "yahoo", deadline: deadline(in: 30))
                        done.increment()
                    }
                }
                // The burst goes at once; every other request waits its turn.
                await clock.sleepers(atLeast: 20 - burst)
                while done.value < burst { await Task.yield() }
                #expect(sim.stats.routes["yahoo"]?.requests == burst)
                let waits = clock.pendingWaits
                #expect(waits.count == 20 - burst)
                #expect(waits.last.map { abs($0.seconds - Double(20 - burst) / rate) < 0.01 } == true, "the last waits \(waits.last ?? .zero)")
                // Time passes in 50 ms steps: never more than the burst and the rate allow by then.
                var elapsed = Duration.zero
                while done.value < 20, elapsed < .seconds(10) {
                    clock.advance(by: .milliseconds(50))
                    elapsed += .milliseconds(50)
                    while done.value + clock.pendingWaits.count < 20 { await Task.yield() }
                    let allowed = burst + Int(rate * elapsed.seconds)
                    #expect((sim.stats.routes["yahoo"]?.requests ?? 0) <= allowed, "after \(elapsed)")
                }
                try await group.waitForAll()
                #expect(abs(elapsed.seconds - Double(20 - burst) / rate) < 0.1, "done after \(elapsed), when the last was due")
            }
            #expect(sim.stats.routes["yahoo"]?.requests == 20)
            #expect((fetcher.stats(for: "yahoo")?.rateLimitWait ?? 0) > 3)
        }
    }

    @Test("a rate-limit wait past the deadline fails at once as rate_limited, without a request")
    func rateLimitPastDeadline() async throws {
        try await withFetcher { sim, fetcher in
            fetcher.configure(policy { $0.rateLimit = .init(requests: 1, per: 60) })
            _ = try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 20))
            let error = await failure { try await fetcher.fetch(barsRequest(sim, "MSFT"), source: "alpaca", deadline: deadline(in: 2)) }
            #expect(error?.kind == .rateLimited)
            #expect(sim.stats.routes["alpaca"]?.requests == 1)
        }
    }
}
