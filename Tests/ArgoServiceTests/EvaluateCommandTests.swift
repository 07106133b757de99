import ArgoCore
@testable import ArgoSimulator
import ArgoStore
import Foundation
import Testing

@Suite("argo evaluate, through the real binary", .serialized)
struct EvaluateCommandTests {
    /// A stored cycle whose one signal was made on `day`, with the consensus and alpaca calling `direction`.
    static func cycle(_ id: String, symbol: String, day: String, direction: Direction) -> CycleReport {
        let outcome = SourceOutcome(status: .ok, direction: direction, confidence: 0.7, weight: 0.25)
        let signal = SymbolSignal(symbol: symbol, direction: direction, confidence: 0.6, rawConfidence: 0.6, regime: .bull,
                                  marketData: MarketDataSummary(source: "alpaca", bars: 260, lastClose: 1, asOf: day),
                                  sources: ["alpaca": outcome], reasoning: "test")
        return CycleReport(cycle: .init(id: id, startedAt: day + "T21:00:00Z", durationMs: 1, symbols: 1, deadlineS: 20),
                           signals: [signal], errors: [], stats: .init())
    }

    @Test("signals that called every next day right score a hit rate of 1; a horizon the history is too young for is named")
    func knownAnswer() async throws {
        try await withOwnCopy { directory, config in
            // The demo's prices: the same deterministic market the simulator serves today.
            let bars = SimulatedMarket(today: TradingDay.currentUTC()).bars("AAPL")
            let store = try SignalStore(path: directory.appendingPathComponent("history/argo.sqlite").path)
            let days = bars.indices.suffix(40).dropLast(1)
            for index in days {
                let up = bars[index + 1].close > bars[index].close
                try await store.save(Self.cycle("c\(index)", symbol: "AAPL", day: "\(bars[index].day)", direction: up ? .long : .short))
            }
            try store.close()
            let run = try await argoRun(["evaluate", "--demo", "-q", "--horizons", "1,252", "--format", "json", "--config", config])
            #expect(run.status == 0, "\(run.errors)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
            let header = try #require(report["evaluate"] as? [String: Any])
            #expect(header["days"] as? Int == days.count)
            let scores = try #require(report["scores"] as? [[String: Any]])
            for source in ["alpaca", "consensus"] {
                let row = try #require(scores.first { $0["source"] as? String == source && $0["horizon"] as? Int == 1 && $0["regime"] as? String == "ALL" })
                #expect(row["hit_rate"] as? Double == 1 && row["observations"] as? Int == days.count, "\(row)")
            }
            let notes = try #require(report["notes"] as? [String])
            #expect(notes.contains { $0.hasPrefix("horizon 252: the history is too young") }, "\(notes)")
        }
    }
}
