import ArgoCore
import ArgoEngine
@testable import ArgoStore
import Foundation
import GRDB
import Testing

@Suite("Store: signal history in SQLite")
struct SignalStoreTests {
    static func report(id: String, symbols: [String], failing: String? = nil) -> CycleReport {
        let signals = symbols.map { symbol in
            SymbolSignal(
                symbol: symbol, direction: symbol == failing ? .neutral : .long, confidence: 0.61, rawConfidence: 0.55, regime: .bull,
                marketData: symbol == failing ? nil : MarketDataSummary(source: "alpaca", bars: 260, lastClose: 101.25, asOf: "2026-11-24"),
                sources: [
                    "alpaca": symbol == failing
                        ? SourceOutcome(status: .error, latencyMs: 12.5, attempts: 3, error: "HTTP 503", errorKind: "transient")
                        : SourceOutcome(status: .ok, direction: .long, confidence: 0.7, weight: 0.3, latencyMs: 88.1, attempts: 1, reasoning: "trend up"),
                    "massive": .skipped("not needed: alpaca delivered"),
                    "sonar": .disabled("PERPLEXITY_API_KEY is not set"),
                ],
                reasoning: "weighted vote", insufficient: symbol == failing ? true : nil)
        }
        let errors = failing.map { [CycleReport.SymbolError(symbol: $0, error: "no market data (alpaca: HTTP 503)")] } ?? []
        return CycleReport(
            cycle: .init(id: id, startedAt: "2026-11-24T14:00:00Z", durationMs: 812.4, symbols: symbols.count, deadlineS: 20),
            signals: signals, errors: errors, stats: .init(httpRequests: 12, cacheHits: 2, retries: 1, coalesced: 0))
    }

    static func withStorePath(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("argo-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory.appendingPathComponent("nested/argo.sqlite").path)
    }

    @Test("a stored cycle reads back equal: signals, every source result, market data")
    func roundTrip() async throws {
        try await Self.withStorePath { path in
            let store = try SignalStore(path: path)
            let report = Self.report(id: "c1", symbols: ["AAPL", "MSFT"], failing: "MSFT")
            try await store.save(report)
            let entries = try await store.history(limit: 10)
            #expect(entries.map(\.signal) == report.signals)
            #expect(entries.allSatisfy { $0.cycleId == "c1" && $0.startedAt == "2026-11-24T14:00:00Z" })
            let cycles = try await store.cycles()
            #expect(cycles.count == 1)
            #expect(cycles[0].symbolErrors == 1 && cycles[0].sourceErrors == 1 && cycles[0].httpRequests == 12 && cycles[0].durationMs == 812.4)
            try store.close()
        }
    }

    @Test("history is newest first, filters by symbol and honours the limit")
    func ordering() async throws {
        try await Self.withStorePath { path in
            let store = try SignalStore(path: path)
            for index in 1...3 { try await store.save(Self.report(id: "c\(index)", symbols: ["AAPL", "MSFT"])) }
            let aapl = try await store.history(symbol: "AAPL", limit: 2)
            #expect(aapl.map(\.cycleId) == ["c3", "c2"])
            #expect(aapl.allSatisfy { $0.signal.symbol == "AAPL" })
            let all = try await store.history(limit: 3)
            #expect(all.map(\.cycleId) == ["c3", "c3", "c2"])
            #expect(try await store.cycles(limit: 2).map(\.id) == ["c3", "c2"])
            #expect(try await store.history(symbol: "NVDA").isEmpty)
        }
    }

    @Test("a cycle that cannot be written leaves nothing of itself behind")
    func wholeCyclesOnly() async throws {
        try await Self.withStorePath { path in
            let store = try SignalStore(path: path)
            try await store.save(Self.report(id: "c1", symbols: ["AAPL"]))
            // The same symbol twice breaks the signal primary key after the cycle row is inserted: the transaction rolls back.
            var broken = Self.report(id: "c2", symbols: ["NVDA", "TSLA"])
            broken.signals.append(broken.signals[0])
            await #expect(throws: StoreError.self) { try await store.save(broken) }
            #expect(try await store.cycles().map(\.id) == ["c1"])
            #expect(try await store.history().map(\.signal.symbol) == ["AAPL"])
            #expect(try await store.integrityCheck() == "ok")
        }
    }

    @Test("reopening keeps the history; a database from a newer argo is refused, naming the file")
    func migrations() async throws {
        try await Self.withStorePath { path in
            let store = try SignalStore(path: path)
            try await store.save(Self.report(id: "c1", symbols: ["AAPL"]))
            try store.close()
            let reopened = try #require(try SignalStore.existing(path: path))
            #expect(try await reopened.cycles().count == 1)
            try reopened.close()

            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
            }
            try queue.close()
            #expect {
                _ = try SignalStore(path: path)
            } throws: { error in
                "\(error)".hasPrefix(path) && "\(error)".contains("newer version of argo")
            }
        }
    }

    @Test("no file yet: reading finds nothing and creates nothing; a file that is not a database is one clear error")
    func missingAndBroken() async throws {
        try await Self.withStorePath { path in
            #expect(try SignalStore.existing(path: path) == nil)
            #expect(!FileManager.default.fileExists(atPath: path))
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data("this is not SQLite, just text long enough to look like a header......................................".utf8)
                .write(to: URL(fileURLWithPath: path))
            #expect {
                _ = try SignalStore(path: path)
            } throws: { error in
                "\(error)".hasPrefix(path + ": ")
            }
        }
    }
}
