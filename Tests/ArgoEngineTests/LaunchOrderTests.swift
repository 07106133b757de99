@testable import ArgoEngine
import Testing

@Suite("Engine: the first wave starts slowest source first")
struct LaunchOrderTests {
    @Test("sources are held until the whole wave has arrived, then let go slowest first, arrival order among equals")
    func slowestFirst() async {
        let order = LaunchOrder(expected: 6, ranks: ["alpaca": 150, "yahoo": 300, "sonar": 1_200, "xai": 800])
        let arrivals = ["alpaca", "yahoo", "sonar", "xai", "sonar", "alpaca"]
        let places = await withTaskGroup(of: (Int, Int?).self) { group in
            for (index, source) in arrivals.enumerated() {
                // One at a time, so that arrival order is known.
                while order.parkedCount < index { await Task.yield() }
                group.addTask { (index, await order.turn(source: source)) }
            }
            return await group.reduce(into: [Int: Int?]()) { $0[$1.0] = $1.1 }
        }
        // sonar (arrived 2nd and 4th), xai, yahoo, alpaca (arrived 0th and 5th).
        #expect(places == [2: 0, 4: 1, 3: 2, 1: 3, 0: 4, 5: 5])
        #expect(await order.turn(source: "sonar") == nil, "a late arrival passes straight through")
    }

    @Test("when the wave never fills, releaseAll lets the parked ones go, still slowest first")
    func patience() async {
        let order = LaunchOrder(expected: 10, ranks: ["fast": 1, "slow": 9])
        async let fast = order.turn(source: "fast")
        while order.parkedCount < 1 { await Task.yield() }
        async let slow = order.turn(source: "slow")
        while order.parkedCount < 2 { await Task.yield() }
        order.releaseAll()
        #expect(await (slow, fast) == (0, 1))
    }

    @Test("ranks: a source's timeout before it has answered (Sonar's is the longest), its mean latency after")
    func ranks() async throws {
        try await withEngine { engine, _ in
            let before = LaunchOrder.ranks(of: engine.sources, fetcher: engine.fetcher)
            for source in engine.sources { #expect(before[source.name] == source.policy.timeout * 1000) }
            #expect(before["sonar"]! > before["alpaca"]!)
            _ = await engine.runCycle(symbols: ["AAPL", "MSFT"])
            let after = LaunchOrder.ranks(of: engine.sources, fetcher: engine.fetcher)
            let latency = try #require(engine.fetcher.stats(for: "alpaca")?.latency)
            #expect(after["alpaca"] == latency.sumMs / Double(latency.count))
        }
    }
}
