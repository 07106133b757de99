import ArgoEngine
import ArgoStore
import Foundation
import GRDB
import Testing

/// A directory with a `Config/` copy whose settings point at the repository's
/// plugins and a history database inside the directory.
func withRunDirectory<R>(symbols: [String], _ body: (URL, String) async throws -> R) async throws -> R {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("argo-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory.appendingPathComponent("Config"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.copyItem(at: Repo.consensus, to: directory.appendingPathComponent("Config/consensus.lua"))
    try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("plugins"), withDestinationURL: Repo.plugins)
    try writeConfig(in: directory, symbols: symbols)
    return try await body(directory, directory.appendingPathComponent("Config/argo.yaml").path)
}

/// A stored cycle's row counts, read straight from SQLite.
func storedCounts(_ path: String) throws -> (integrity: String, cycles: [(symbols: Int, signals: Int, results: Int)]) {
    let queue = try DatabaseQueue(path: path)
    defer { try? queue.close() }
    return try queue.read { db in
        let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
        let rows = try Row.fetchAll(db, sql: """
            SELECT c.symbols AS symbols,
                   (SELECT COUNT(*) FROM signal s WHERE s.cycle_seq = c.seq) AS signals,
                   (SELECT COUNT(*) FROM source_result r WHERE r.cycle_seq = c.seq) AS results
            FROM cycle c ORDER BY c.seq
            """)
        return (integrity, rows.map { ($0["symbols"], $0["signals"], $0["results"]) })
    }
}

/// Runs `argo` to the end (a short command such as `history`): exit status and standard output.
/// The blocking read and wait happen on a thread of their own, never on one of the few
/// Swift concurrency threads every other test of the process is sharing.
func runArgo(_ arguments: [String]) async throws -> (Int32, Data) {
    let output = Pipe()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Repo.argo)
    process.arguments = arguments
    process.standardOutput = output
    try process.run()
    let reader = output.fileHandleForReading
    return await withCheckedContinuation { continuation in
        Thread {
            let data = reader.readDataToEndOfFile()
            process.waitUntilExit()
            continuation.resume(returning: (process.terminationStatus, data))
        }.start()
    }
}

@Suite("argo run and argo history, as processes", .serialized)
struct RunCommandTests {
    @Test("argo run --cycles 3 --interval 0s --demo stores 3 cycles, argo history reads them back, and no key is in the database or the logs")
    func threeCycles() async throws {
        // Keys set in the environment are the ones sent (--demo only fills in missing ones).
        let keys = ["APCA_API_KEY_ID": "PKTESTKEY7Q2", "APCA_API_SECRET_KEY": "alpacaSecret-91xZ", "XAI_API_KEY": "xai-Secret-5521",
                    "PERPLEXITY_API_KEY": "pplx-Secret-8830", "ALPHAVANTAGE_API_KEY": "AVSECRET4410", "MASSIVE_API_KEY": "massiveSecret77"]
        try await withRunDirectory(symbols: ["AAPL", "MSFT", "NVDA"]) { directory, config in
            let run = try ChildProcess(arguments: ["run", "--cycles", "3", "--interval", "0s", "--demo", "--config", config], environment: keys)
            let status = await run.waitForExit()
            #expect(status == 0, "\(run.errorLines.suffix(5))")
            #expect(run.errorLines.filter { $0.contains(" info cycle ") && $0.contains("stored=yes") }.count == 3)

            let (historyStatus, output) = try await runArgo(["history", "--cycles", "--format", "json", "--config", config])
            #expect(historyStatus == 0)
            let listed = try #require(try JSONSerialization.jsonObject(with: output) as? [[String: Any]])
            #expect(listed.count == 3)
            #expect(listed.allSatisfy { $0["symbols"] as? Int == 3 && $0["symbol_errors"] as? Int == 0 && $0["duration_ms"] is Double })
            let counts = try storedCounts(directory.appendingPathComponent("history/argo.sqlite").path)
            #expect(counts.integrity == "ok")
            #expect(counts.cycles.count == 3)
            #expect(counts.cycles.allSatisfy { $0.symbols == 3 && $0.signals == 3 && $0.results == 18 })
            // The simulator's prices never join the bar store (no rolling scorecard under --demo).
            let bars = try DatabaseQueue(path: directory.appendingPathComponent("history/argo.sqlite").path)
            let barCount = try await bars.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM bar") }
            #expect(barCount == 0)
            try bars.close()
            let stored = try Data(contentsOf: directory.appendingPathComponent("history/argo.sqlite"))
            let logs = run.errorLines.joined(separator: "\n")
            for secret in keys.values {
                #expect(stored.range(of: Data(secret.utf8)) == nil, "\(secret) stored")
                #expect(!logs.contains(secret), "\(secret) logged")
            }
        }
    }

    @Test("argo history prints JSON signals for a symbol, newest first")
    func historyJSON() async throws {
        try await withRunDirectory(symbols: ["AAPL", "MSFT"]) { _, config in
            let run = try ChildProcess(arguments: ["run", "--cycles", "2", "--interval", "0s", "--demo", "--config", config])
            #expect(await run.waitForExit() == 0)
            let (status, data) = try await runArgo(["history", "AAPL", "--format", "json", "--config", config])
            #expect(status == 0)
            let entries = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
            #expect(entries.count == 2)
            #expect(entries.allSatisfy { $0["symbol"] as? String == "AAPL" && ($0["sources"] as? [String: Any])?.count == 6 })
            let started = entries.compactMap { $0["started_at"] as? String }
            #expect(started == started.sorted(by: >))
        }
    }

    @Test("SIGKILL at any point of a busy run leaves a database that passes integrity_check with only whole cycles")
    func killMidWrite() async throws {
        let symbols = (1...40).map { "S\($0)" }
        try await withRunDirectory(symbols: symbols) { directory, config in
            // Each round kills a fresh run right after its n-th stored cycle, while the next one is being
            // computed and written (interval 0s: cycles back to back, 40 symbols × 6 sources per transaction).
            var before = 0
            for round in 1...3 {
                let run = try ChildProcess(arguments: ["run", "--interval", "0s", "--demo", "--config", config])
                let reached = await run.waitForLines(round) { $0.contains(" info cycle ") && $0.contains("stored=yes") }
                #expect(reached, "\(run.errorLines.suffix(5))")
                run.send(SIGKILL)
                #expect(await run.waitForExit() == SIGKILL)
                let counts = try storedCounts(directory.appendingPathComponent("history/argo.sqlite").path)
                #expect(counts.integrity == "ok")
                #expect(counts.cycles.count >= before + round)
                before = counts.cycles.count
                for cycle in counts.cycles {
                    #expect(cycle.symbols == 40 && cycle.signals == 40 && cycle.results == 240, "a partial cycle: \(cycle)")
                }
            }
        }
    }

    @Test("SIGTERM stops a waiting run gracefully: exit 0, the cycle stored, the database closed")
    func gracefulStop() async throws {
        try await withRunDirectory(symbols: ["AAPL"]) { directory, config in
            let run = try ChildProcess(arguments: ["run", "--interval", "1h", "--demo", "--config", config])
            #expect(await run.waitForLines(1) { $0.contains(" info cycle ") && $0.contains("stored=yes") })
            run.send(SIGTERM)
            #expect(await run.waitForExit() == 0)
            #expect(run.errorLines.last?.contains(" notice stopped") == true, "\(run.errorLines.suffix(3))")
            let path = directory.appendingPathComponent("history/argo.sqlite").path
            // A clean close checkpoints the write-ahead log into the database file.
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            #expect(wal == 0)
            #expect(try storedCounts(path).cycles.count == 1)
        }
    }
}
