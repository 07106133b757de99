import Foundation
import Testing

@Suite("argo backtest, through the real binary", .serialized)
struct BacktestCommandTests {
    @Test("--demo: a scorecard per source and for the consensus, JSON in the contract's shape, the left-out sources named")
    func demo() async throws {
        try await withOwnCopy { _, config in
            let table = try await argoRun(["backtest", "--demo", "-q", "--from", "2025-06-02", "--symbols", "AAPL", "--config", config])
            #expect(table.status == 0, "\(table.errors)")
            #expect(table.output.contains("consensus"), "\(table.output)")
            #expect(table.output.split(separator: "\n").contains { $0.hasPrefix("left out: ") && $0.contains("xai_grok") && $0.contains("past day") }, "\(table.output)")

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

    @Test("weights suggest: fitted on earlier days, judged on later ones, written into consensus.lua with its comments kept")
    func weightsSuggest() async throws {
        try await withOwnCopy { directory, config in
            let consensus = directory.appendingPathComponent("Config/consensus.lua")
            let before = try String(contentsOf: consensus, encoding: .utf8)
            let run = try await argoRun(["weights", "suggest", "--demo", "-q", "--from", "2023-01-03", "--symbols", "AAPL,MSFT,NVDA",
                                         "--write", "--config", config])
            #expect(run.status == 0, "\(run.errors)")
            #expect(run.output.contains("fitted on 2023-01-03") && run.output.contains("out of sample"), "\(run.output)")
            let after = try String(contentsOf: consensus, encoding: .utf8)
            let comments = { (text: String) in text.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") } }
            #expect(comments(after) == comments(before), "every comment kept")
            #expect(after.split(separator: "\n").count == before.split(separator: "\n").count)
            if run.output.contains("wrote ") { #expect(after != before) }
            // The file still loads as the consensus.
            let check = try await argoRun(["sources", "check", "--config", config])
            #expect(check.status == 0, "\(check.output)")

            let young = try await argoRun(["weights", "suggest", "--history", "--config", config])
            #expect(young.status == 1 && young.errors.contains("too few days"), "\(young.errors)")
        }
    }
}
