import Foundation
import Testing

@Suite("argo history: --since, --changes, csv and ndjson", .serialized)
struct HistoryFormatsTests {
    @Test("two identical demo cycles: --changes keeps the first, csv has a column per source, ndjson a line per signal, --since filters")
    func formats() async throws {
        try await withOwnCopy { _, config in
            for _ in 0..<2 {
                let cycle = try await argoRun(["cycle", "--demo", "-q", "--config", config, "--symbols", "AAPL,MSFT"])
                #expect(cycle.status == 0, "\(cycle.errors)")
            }
            let all = try await argoRun(["history", "--format", "ndjson", "--config", config])
            let lines = all.output.split(separator: "\n")
            #expect(lines.count == 4, "\(all.output)")
            let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect((first["sources"] as? [String: Any])?["yfinance"] != nil, "per-source results in each line")

            // The demo is deterministic: the second cycle repeats the first, so only the first cycle's signals changed.
            let changes = try await argoRun(["history", "--changes", "--format", "json", "--config", config])
            let changed = try #require(try JSONSerialization.jsonObject(with: Data(changes.output.utf8)) as? [[String: Any]])
            #expect(changed.count == 2)
            #expect(Set(changed.compactMap { $0["cycle_id"] as? String }).count == 1)
            #expect(changed.allSatisfy { $0["previous_direction"] == nil })

            let csv = try await argoRun(["history", "--format", "csv", "--config", config])
            let rows = csv.output.split(separator: "\n")
            #expect(rows.count == 5)
            let header = rows[0].split(separator: ",").map(String.init)
            #expect(header.contains("yfinance_direction") && header.contains("alpaca_confidence") && header.contains("previous_direction"))
            #expect(rows.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == header.count })

            let future = try await argoRun(["history", "--since", "2999-01-01", "--format", "json", "--config", config])
            #expect((try JSONSerialization.jsonObject(with: Data(future.output.utf8)) as? [Any])?.isEmpty == true, "\(future.output)")
            let bad = try await argoRun(["history", "--since", "yesterday", "--config", config])
            #expect(bad.status == 2)
        }
    }
}
