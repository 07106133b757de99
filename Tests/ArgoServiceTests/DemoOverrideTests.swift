import Foundation
import Testing

@Suite("--demo beside a source in development", .serialized)
struct DemoOverrideTests {
    @Test("a base_url the settings give survives --demo: that source goes to its own server, the rest to the simulator")
    func explicitBaseURL() async throws {
        try await withOwnCopy { _, config in
            // Nothing listens on port 1: the override is kept if and only if yfinance fails to connect.
            let run = try await argoRun(["cycle", "--demo", "--no-store", "-q", "--format", "json", "--config", config, "--symbols", "AAPL"],
                                        environment: ["ARGO_SOURCES_YFINANCE_BASE_URL": "http://127.0.0.1:1"])
            #expect(run.status == 0, "\(run.errors)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
            let signal = try #require((report["signals"] as? [[String: Any]])?.first)
            let sources = try #require(signal["sources"] as? [String: [String: Any]])
            #expect(sources["yfinance"]?["status"] as? String == "error", "\(sources["yfinance"] ?? [:])")
            #expect(sources["alpaca"]?["status"] as? String == "ok")
        }
    }

    @Test("cycle --explain shows each source's share and an adjustment that ends at the table's confidence")
    func explain() async throws {
        try await withOwnCopy { _, config in
            let run = try await argoRun(["cycle", "--demo", "--no-store", "-q", "--explain", "--config", config, "--symbols", "AAPL,MSFT"])
            #expect(run.status == 0, "\(run.errors)")
            let lines = run.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for symbol in ["AAPL", "MSFT"] {
                let head = try #require(lines.firstIndex { $0.hasPrefix("\(symbol)  ") && $0.contains("(raw ") }, "\(run.output)")
                let confidence = try #require(lines[head].split(separator: " ").dropFirst(2).first)  // "AAPL", "LONG", "1.00"
                let block = lines[head...].prefix { !$0.isEmpty }
                #expect(block.contains { $0.contains("alpaca") && $0.contains("weight 0.25 × confidence") }, "\(block)")
                let regime = try #require(block.last { $0.contains("regime ") && $0.contains("→") })
                let adjusted = try #require(Double(regime.split(separator: " ").last ?? ""))
                #expect(String(format: "%.2f", adjusted) == confidence, "\(regime) against \(confidence)")
            }
            let json = try await argoRun(["cycle", "--demo", "--no-store", "--explain", "--format", "json", "--config", config])
            #expect(json.status == 2)
        }
    }

    @Test("--version prints the version; -q keeps the logs to warnings, -v adds debug lines; both at once is a usage error")
    func conventions() async throws {
        let version = try await argoRun(["--version"])
        #expect(version.status == 0 && version.output.hasPrefix("argo "), "\(version.output)")
        try await withOwnCopy { _, config in
            // argo run logs notice and info lines per cycle; -q keeps only warnings and errors.
            let loud = try await argoRun(["run", "--demo", "--no-store", "--cycles", "1", "--interval", "0s", "--symbols", "AAPL", "--config", config])
            #expect(loud.status == 0 && loud.errors.contains(" info cycle "), "\(loud.errors)")
            let quiet = try await argoRun(["run", "--demo", "--no-store", "--cycles", "1", "--interval", "0s", "-q", "--symbols", "AAPL", "--config", config])
            #expect(quiet.status == 0 && !quiet.errors.contains(" info ") && !quiet.errors.contains(" notice "), "\(quiet.errors)")
            let verbose = try await argoRun(["cycle", "--demo", "--no-store", "-v", "--symbols", "AAPL", "--config", config])
            #expect(verbose.status == 0 && verbose.errors.contains(" debug "), "\(verbose.errors.prefix(400))")
            let both = try await argoRun(["cycle", "--demo", "-v", "-q", "--config", config])
            #expect(both.status == 2)
        }
    }
}
