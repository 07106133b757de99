import ArgoCore
import ArgoService
@testable import ArgoSimulator
import ArgoStore
import Foundation
import Testing

@Suite("argo run's rolling scorecard, as Prometheus gauges", .serialized)
struct LiveScorecardTests {
    @Test("stored signals that called every next day right export a hit rate of 1 and a positive IC for the consensus at horizon 1")
    func gauges() async throws {
        try await withHarness { harness in
            let bars = SimulatedMarket(today: TradingDay.currentUTC()).bars("AAPL")
            let store = try SignalStore(path: harness.storePath)
            for index in bars.indices.suffix(30).dropLast(1) {
                let up = bars[index + 1].close > bars[index].close
                try await store.save(EvaluateCommandTests.cycle("c\(index)", symbol: "AAPL", day: "\(bars[index].day)", direction: up ? .long : .short))
            }
            let reloader = try await harness.reloader()
            let scorecard = LiveScorecard(store: store, metrics: harness.metrics, logger: harness.logs.logger)
            let report = try await scorecard.score(engine: reloader.engine)
            harness.metrics.recordScorecard(report)
            let text = String(decoding: harness.metrics.exposition(), as: UTF8.self)
            let lines = text.split(separator: "\n").filter { $0.hasPrefix("argo_scorecard_") && $0.contains("source=\"consensus\"") && $0.contains("horizon=\"1\"") }
            #expect(lines.contains { $0.hasPrefix("argo_scorecard_hit_rate") && $0.hasSuffix(" 1.0") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("argo_scorecard_observations") && $0.hasSuffix(" 29.0") }, "\(lines)")
            let ic = try #require(lines.first { $0.hasPrefix("argo_scorecard_ic") }?.split(separator: " ").last.flatMap { Double($0) })
            #expect(ic > 0.5, "\(lines)")
            try store.close()
        }
    }
}
