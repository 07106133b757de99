import ArgoCore
@testable import ArgoFetch
import Testing

@Suite("Fetch: the response cache's bounds")
struct CacheTests {
    func response(_ bytes: Int, status: Int = 200) -> FetchResponse {
        FetchResponse(status: status, headers: [], body: [UInt8](repeating: 1, count: bytes), attempts: 1, latency: 0, cacheKey: "")
    }

    @Test("past its byte bound, expired entries go first, then those closest to expiring, down to 90%")
    func byteBound() {
        let cache = ResponseCache(maxBytes: 100_000)
        cache.put(source: "bars", key: "old", response(25_000), ttl: 5, now: 0)
        cache.put(source: "av", key: "long", response(25_000), ttl: 60, now: 0)
        cache.put(source: "bars", key: "short", response(25_000), ttl: 10, now: 0)
        #expect(cache.count == 3 && cache.bytes <= 100_000)
        // At t=6 "old" has expired: it goes, and nothing else has to.
        cache.put(source: "bars", key: "new", response(25_000), ttl: 10, now: 6)
        #expect(cache.get(source: "bars", key: "old", now: 6) == nil)
        #expect(cache.get(source: "av", key: "long", now: 6) != nil && cache.get(source: "bars", key: "short", now: 6) != nil)
        // Nothing expired now: the entry closest to expiring ("short", at 10) makes room.
        cache.put(source: "av", key: "more", response(25_000), ttl: 60, now: 7)
        #expect(cache.get(source: "bars", key: "short", now: 7) == nil)
        #expect(cache.get(source: "bars", key: "new", now: 7) != nil && cache.get(source: "av", key: "more", now: 7) != nil)
        #expect(cache.bytes <= 90_000)
    }

    @Test("a response bigger than the whole bound, a non-2xx or a zero TTL is not kept; a zero bound keeps nothing")
    func notKept() {
        let cache = ResponseCache(maxBytes: 10_000)
        cache.put(source: "s", key: "big", response(20_000), ttl: 60, now: 0)
        cache.put(source: "s", key: "error", response(10, status: 503), ttl: 60, now: 0)
        cache.put(source: "s", key: "no-ttl", response(10), ttl: 0, now: 0)
        #expect(cache.count == 0 && cache.bytes == 0)
        let off = ResponseCache(maxBytes: 0)
        off.put(source: "s", key: "k", response(1), ttl: 60, now: 0)
        #expect(off.count == 0)
    }

    @Test("an entry bound; replacing a key or dropping a source gives its bytes back")
    func entriesAndSources() {
        let cache = ResponseCache(maxBytes: 1 << 30, maxEntries: 10)
        for index in 0..<11 { cache.put(source: "s", key: "k\(index)", response(10), ttl: Double(100 + index), now: 0) }
        #expect(cache.count == 9, "down to 90% of 10 entries, the soonest expiring gone")
        #expect(cache.get(source: "s", key: "k0", now: 1) == nil && cache.get(source: "s", key: "k10", now: 1) != nil)
        let before = cache.bytes
        cache.put(source: "s", key: "k10", response(1_000), ttl: 50, now: 1)
        #expect(cache.bytes == before + 990)
        cache.put(source: "other", key: "k", response(10), ttl: 50, now: 1)
        cache.removeAll(source: "s")
        #expect(cache.count == 1 && cache.get(source: "other", key: "k", now: 1) != nil)
        cache.remove(source: "other", key: "k")
        #expect(cache.count == 0 && cache.bytes == 0)
    }

    @Test("through the fetcher: a cache of 0 MiB sends every request upstream")
    func fetcherWithoutCache() async throws {
        try await withFetcher(cacheBytes: 0) { sim, fetcher in
            fetcher.configure(policy { $0.cacheTTL = 60 })
            for _ in 0..<3 { _ = try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 10)) }
            #expect(sim.stats.routes["alpaca"]?.requests == 3)
            #expect(fetcher.stats(for: "alpaca")?.cacheHits == 0)
        }
    }

    @Test("a response is cached only if still fresh when it could next be asked for", arguments: [
        (NextUse.anytime, 1), (.after(.seconds(5)), 1), (.after(.seconds(20)), 2), (.never, 2),
    ])
    func nextUse(next: NextUse, upstream: Int) async throws {
        try await withFetcher { sim, fetcher in
            fetcher.configure(policy { $0.cacheTTL = 10 })
            fetcher.expectNextUse(next)
            for _ in 0..<2 { _ = try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 10)) }
            #expect(sim.stats.routes["alpaca"]?.requests == upstream, "\(next): a 10 s entry")
            #expect(fetcher.stats(for: "alpaca")?.cacheHits == 2 - upstream)
            #expect(fetcher.cache.count == 2 - upstream)
        }
    }
}
