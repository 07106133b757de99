import Foundation
import Testing

@Suite("argo backtest, through the real binary", .serialized)
struct BacktestCommandTests {
    @Test("--demo: a scorecard per source and for the consensus, JSON in the contract's shape, the left-out sources named")
    func demo() async throws {
        try await withOwnCopy { _, config in
            let table = try await argoRun(["backtest", "--demo", "-q", "--from", "2025-06-02", "--symbols", "AAPL", "--config", config])
            #expect(table.status == 0, "\(table.errors)")
            #expect(table.output.contains("consensus") && table.output.contains("left out: xai_grok"), "\(table.output)")

            let run = try await argoRun(["backtest", "--demo", "-q", "--from", "2025-06-02", "--to", "2025-12-31", "--symbols", "AAPL,MSFT",
                                         "--horizons", "1,5", "--format", "json", "--signals", "--config", config])
            #expect(run.status == 0, "\(run.errors)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
            let header = try #require(report["backtest"] as? [String: Any])
            #expect(header["from"] as? String == "2025-06-02" && header["to"] as? String == "2025-12-31")
            #expect(header["symbols"] as? [String] == ["AAPL", "MSFT"] && header["horizons"] as? [Int] == [1, 5])
            #expect((header["excluded"] as? [[String: Any]])?.compactMap { $0["source"] as? String }.sorted() == ["alpha_vantage", "sonar", "xai_grok"])
            let scores = try #require(report["scores"] as? [[String: Any]])
            let keys: Set<String> = ["source", "horizon", "regime", "observations", "directional", "abstain_rate", "hit_rate", "hit_rate_ci",
                                     "mean_return_long", "mean_return_short", "ic", "ic_t", "brier"]
            #expect(scores.allSatisfy { Set($0.keys) == keys }, "\(scores.first ?? [:])")
            let signals = try #require(report["signals"] as? [[String: Any]])
            #expect(signals.allSatisfy { ($0["date"] as? String ?? "") >= "2025-06-02" && ($0["date"] as? String ?? "") <= "2025-12-31" })
            #expect(Set(signals.compactMap { $0["source"] as? String }).contains("consensus"))

            let bad = try await argoRun(["backtest", "--demo", "--from", "June", "--config", config])
            #expect(bad.status == 2)
        }
    }
}
