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
}
