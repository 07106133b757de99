import ArgoCore
import ArgoEngine
@testable import ArgoService
import Foundation
import Synchronization
import Testing

/// Reports of the cycles a run made, in order.
final class Reports: Sendable {
    private let reports = Mutex<[CycleReport]>([])
    var all: [CycleReport] { reports.withLock { $0 } }
    /// Appends and returns how many there are now.
    func append(_ report: CycleReport) -> Int { reports.withLock { $0.append(report); return $0.count } }
}

/// Runs `cycles` cycles through the real run loop, calling `between(n)` after cycle n (files are edited there).
func runCycles(_ harness: Harness, _ cycles: Int, between: @escaping @Sendable (Int) throws -> Void) async throws -> [CycleReport] {
    let reports = Reports()
    let failures = Mutex<[String]>([])
    let service = CycleService(reloader: try await harness.reloader(), store: nil, metrics: harness.metrics, logger: harness.logs.logger,
                               interval: .zero, cycles: cycles) { report in
        let count = reports.append(report)
        do { try between(count) } catch { failures.withLock { $0.append("\(error)") } }
    }
    try await service.run()
    #expect(failures.withLock { $0 }.isEmpty)
    return reports.all
}

@Suite("Service: hot reload between cycles")
struct ReloadTests {
    @Test("a plugin set aside for overrunning stays aside when another file changes, and comes back when its own does")
    func quarantineOutlivesReload() async throws {
        let spinner = """
            return {
              weight = 0.1, base_url = "https://query2.finance.yahoo.com",
              request = function(symbol, ctx)
                local _ = string.rep("a", 40):find(string.rep("a*", 12) .. "b")
                return { path = "/v8/finance/chart/" .. symbol, query = { range = "1mo" } }
              end,
              parse = function() return { direction = "LONG", confidence = 0.5, reasoning = "calm" } end,
            }
            """
        try await withHarness { harness in
            try spinner.write(to: harness.plugin("spinner"), atomically: true, encoding: .utf8)
            let reports = try await runCycles(harness, 4) { cycle in
                if cycle == 2 { try harness.edit(harness.plugin("sonar"), replacing: "return {", with: "-- edited\nreturn {") }
                if cycle == 3 {
                    try spinner.replacingOccurrences(of: "local _ = string.rep", with: "local _ = 1 or string.rep")
                        .write(to: harness.plugin("spinner"), atomically: true, encoding: .utf8)
                }
            }
            let errors = reports.map { report in report.signals.compactMap { $0.sources["spinner"]?.error } }
            #expect(errors[0].allSatisfy { $0.contains("spinner.lua:4:") && $0.contains("instruction limit in request") }, "\(errors[0])")
            #expect(!errors[2].isEmpty && errors[2].allSatisfy { $0.contains("spinner.lua is set aside") }, "\(errors[2])")
            #expect(reports[3].signals.allSatisfy { $0.sources["spinner"]?.status == .ok }, "\(errors[3])")
        }
    }

    @Test("a weight changed in Config/consensus.lua between cycles changes the next consensus")
    func weightChange() async throws {
        try await withHarness { harness in
            let reports = try await runCycles(harness, 2) { cycle in
                if cycle == 1 {
                    try harness.edit(URL(fileURLWithPath: harness.consensusPath), replacing: "yfinance = 0.15,", with: "yfinance = 3.0,")
                }
            }
            let (first, second) = (reports[0], reports[1])
            for signal in first.signals { #expect(signal.sources["yfinance"]?.weight == 0.15) }
            for signal in second.signals {
                #expect(signal.sources["yfinance"]?.weight == 3.0)
                // The vote recomputed from this cycle's own results and weights: net = Σ w·c·d / Σ w.
                let live = signal.sources.values.filter { $0.status == .ok || $0.status == .cached }
                let total = live.reduce(0) { $0 + ($1.weight ?? 0) }
                let net = live.reduce(0) { $0 + ($1.weight ?? 0) * ($1.confidence ?? 0) * ($1.direction?.sign ?? 0) } / total
                #expect(abs(signal.rawConfidence - abs(net)) < 0.002, "\(signal.symbol)")
            }
            #expect(first.signals.map(\.rawConfidence) != second.signals.map(\.rawConfidence))
            #expect(harness.logs.all.contains { $0.contains(" reload ") && $0.contains("consensus.lua updated") })
        }
    }

    @Test("a syntax error written into a plugin keeps the previous version running and logs file:line once")
    func syntaxError() async throws {
        try await withHarness { harness in
            let reports = try await runCycles(harness, 3) { cycle in
                if cycle == 1 { try "return {\n  name = \"yfinance\",\n  request = function(symbol\n".write(to: harness.plugin("yfinance"), atomically: true, encoding: .utf8) }
            }
            for report in reports {
                for signal in report.signals {
                    let status = signal.sources["yfinance"]?.status
                    #expect(status == .ok || status == .cached, "cycle \(report.cycle.id) \(signal.symbol): \(String(describing: status))")
                }
            }
            let errors = harness.logs.all.filter { $0.contains("reload rejected") }
            #expect(errors.count == 1, "reported once, not every cycle: \(errors)")
            let line = try #require(errors.first)
            #expect(line.contains("yfinance.lua:4:") && line.contains("keeping the previous version"), "\(line)")
            #expect(String(decoding: harness.metrics.exposition(), as: UTF8.self).contains("argo_reloads_total{result=\"rejected\"} 1"))
        }
    }

    @Test("an edit that fails the plugin's own examples is refused, naming the example")
    func failingExample() async throws {
        try await withHarness { harness in
            let reports = try await runCycles(harness, 2) { cycle in
                if cycle == 1 { try harness.edit(harness.plugin("yfinance"), replacing: "last_close = 271.9", with: "last_close = 999.9") }
            }
            #expect(reports[1].signals.allSatisfy { $0.sources["yfinance"]?.status != .error })
            let line = try #require(harness.logs.all.first { $0.contains("reload rejected") })
            #expect(line.contains("yfinance.lua: example 1 (AAPL): expected last close 999.9, got 271.9"), "\(line)")
        }
    }

    @Test("deleting a plugin removes its source at the next cycle; putting it back adds it")
    func removeAndAdd() async throws {
        try await withHarness { harness in
            let saved = try String(contentsOf: harness.plugin("sonar"), encoding: .utf8)
            let reports = try await runCycles(harness, 3) { cycle in
                if cycle == 1 { try FileManager.default.removeItem(at: harness.plugin("sonar")) }
                if cycle == 2 { try saved.write(to: harness.plugin("sonar"), atomically: true, encoding: .utf8) }
            }
            #expect(reports[0].signals.allSatisfy { $0.sources["sonar"] != nil })
            #expect(reports[1].signals.allSatisfy { $0.sources["sonar"] == nil && $0.sources.count == 5 })
            #expect(reports[2].signals.allSatisfy { $0.sources["sonar"]?.status == .ok || $0.sources["sonar"]?.status == .cached })
            let changes = harness.logs.all.filter { $0.contains(" reload ") }
            #expect(changes.contains { $0.contains("sonar.lua removed") } && changes.contains { $0.contains("sonar.lua added") }, "\(changes)")
        }
    }

    @Test("Config/argo.yaml edits apply at the next cycle; a bad value is refused with file:line and the last good settings stay")
    func settings() async throws {
        try await withHarness { harness in
            let reports = try await runCycles(harness, 3) { cycle in
                if cycle == 1 { try writeConfig(in: harness.directory, symbols: ["NVDA"]) }
                if cycle == 2 { try writeConfig(in: harness.directory, symbols: ["TSLA"], extra: "  interval: soon") }
            }
            #expect(reports.map { $0.signals.map(\.symbol) } == [["AAPL", "MSFT"], ["NVDA"], ["NVDA"]])
            let line = try #require(harness.logs.all.first { $0.contains("reload rejected") })
            #expect(line.contains("argo.yaml:7: 'cycle.interval' must be a duration") && line.contains("keeping the previous settings"), "\(line)")
        }
    }

    @Test("a library change that breaks working plugins is refused as a whole")
    func libraryChange() async throws {
        try await withHarness { harness in
            let library = harness.directory.appendingPathComponent("plugins/lib/technical.lua")
            let reports = try await runCycles(harness, 2) { cycle in
                if cycle == 1 { try "error('broken on purpose')\n".write(to: library, atomically: true, encoding: .utf8) }
            }
            #expect(reports[1].signals.allSatisfy { $0.sources["alpaca"]?.status != .error })
            let line = try #require(harness.logs.all.first { $0.contains("reload rejected") })
            #expect(line.contains("lib: change refused") && line.contains("keeping the previous library"), "\(line)")
        }
    }
}
