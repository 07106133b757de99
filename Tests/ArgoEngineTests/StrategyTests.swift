@testable import ArgoEngine
import ArgoFetch
import ArgoSimulator
import Foundation
import Testing

@Suite("Engine: the seed's strategy, rebuilt for benchmarks")
struct StrategyTests {
    @Test("the seed's way (one after another, bars fetched twice, a connection per request) gives Argo's signals")
    func seedGivesSameSignals() async throws {
        let symbols = ["UPTR", "DNTR", "FLAT", "CRSH"]
        let argo = try await withEngine { engine, _ in await engine.runCycle(symbols: symbols) }
        try await withEngine { engine, sim in
            var settings = HTTPTransport.Configuration()
            settings.connectionPerRequest = true
            let transport = HTTPTransport(configuration: settings)
            let seed = SignalEngine(config: engine.config, host: engine.host, fetcher: Fetcher(transport: transport), sources: engine.sources,
                                    strategy: .seed)
            let report = await seed.runCycle(symbols: symbols)
            try await transport.shutdown()
            for (a, b) in zip(argo.signals, report.signals) {
                #expect(a.symbol == b.symbol && a.direction == b.direction && a.confidence == b.confidence && a.regime == b.regime, "\(a.symbol)")
            }
            let alpaca = try #require(sim.stats.routes["alpaca"])
            #expect(alpaca.requests == 8, "bars, then the 200-day window again, per symbol")
            #expect(alpaca.connections == 8, "a new connection per request")
            // One after another: no route's first request comes before the previous symbol's last answer,
            // so every route's first request follows the first response of the cycle.
            let first = sim.stats.routes.values.compactMap(\.firstResponseEvent).min() ?? 0
            let laterStarts = sim.stats.routes.filter { $0.key != "alpaca" }.values.compactMap(\.firstRequestEvent)
            #expect(laterStarts.allSatisfy { $0 > first })
        }
    }
}
