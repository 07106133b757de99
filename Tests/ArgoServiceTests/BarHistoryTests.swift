import ArgoCore
import ArgoService
import ArgoSimulator
import ArgoStore
import Foundation
import Testing

@Suite("The bar store is filled once, then read locally", .serialized)
struct BarHistoryTests {
    @Test("a second history of the same range sends no request; an older start fetches only the days before those held")
    func incremental() async throws {
        try await withHarness { harness in
            let reloader = try await harness.reloader()
            let store = try SignalStore(path: harness.storePath)
            let history = BarHistory(engine: reloader.engine, store: store)
            let first = try await history.history(symbol: "AAPL", from: "2024-06-03")
            #expect(first.bars.first.map { $0.date <= "2024-06-03" } == true && first.bars.count > 500)
            let requests = harness.simulator.stats.routes.values.map(\.requests).reduce(0, +)
            #expect(requests >= 1)

            let again = try await history.history(symbol: "AAPL", from: "2024-09-03")
            #expect(harness.simulator.stats.routes.values.map(\.requests).reduce(0, +) == requests, "held and fetched today: nothing to ask")
            #expect(again.bars == first.bars && again.source == first.source)

            let firstBytes = harness.simulator.stats.routes["alpaca"]?.bytesOut ?? 0
            let older = try await history.history(symbol: "AAPL", from: "2023-06-01")
            #expect(harness.simulator.stats.routes.values.map(\.requests).reduce(0, +) > requests)
            // About one year asked for, not the three and a half through today: ctx.through bounds the request.
            let olderBytes = (harness.simulator.stats.routes["alpaca"]?.bytesOut ?? 0) - firstBytes
            #expect(olderBytes > 0 && olderBytes < firstBytes * 3 / 4, "\(olderBytes) bytes for the older year, \(firstBytes) for the first fetch")
            #expect(older.source == first.source && older.bars.count > first.bars.count)
            let coverage = try #require(try await store.barCoverage(symbol: "AAPL").first)
            #expect(coverage.firstDay <= "2023-06-01")
            try store.close()
        }
    }
}
