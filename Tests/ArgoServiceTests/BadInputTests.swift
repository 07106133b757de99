import Foundation
import Testing

/// Bad numbers, bad symbols and broken outputs, as a user meets them: each is one
/// error line and an exit status, never a trap, and nothing stored is lost.
@Suite("Bad numbers, symbols and outputs give errors, not crashes", .serialized)
struct BadInputTests {
    @Test("a duration too long to represent, from the environment, is one error naming the variable")
    func hugeDeadline() async throws {
        try await withRunDirectory(symbols: ["AAPL"]) { directory, config in
            let child = try ChildProcess(arguments: ["cycle", "--demo", "--no-store", "--config", config],
                                         environment: ["ARGO_CYCLE_DEADLINE": "1e300s"], directory: directory)
            #expect(await child.waitForExit() == 1)
            #expect(child.errorLines.contains { $0.contains("ARGO_CYCLE_DEADLINE") && $0.contains("must be from 0.001s to 3600s") },
                    "\(child.errorLines)")
        }
    }

    @Test("argo run --interval 1e300s is a usage error")
    func hugeInterval() async throws {
        let child = try ChildProcess(arguments: ["run", "--demo", "--interval", "1e300s"])
        #expect(await child.waitForExit() == 2)
        #expect(child.errorLines.contains { $0.contains("--interval must be a duration from 0s to 86400s") }, "\(child.errorLines)")
    }

    @Test("a symbol that cannot be a ticker is a usage error")
    func badSymbol() async throws {
        let child = try ChildProcess(arguments: ["cycle", "--demo", "--no-store", "--symbols", "AAPL,../../etc"])
        #expect(await child.waitForExit() == 2)
        #expect(child.errorLines.contains { $0.contains("'../../ETC' is not a ticker symbol") }, "\(child.errorLines)")
    }

    @Test("a full standard output ends with exit status 1 and one line, not a trap")
    func fullOutput() async throws {
        try await withRunDirectory(symbols: ["AAPL"]) { directory, config in
            let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
            let child = try ChildProcess(arguments: ["cycle", "--demo", "--no-store", "--format", "json", "--config", config],
                                         directory: directory, standardOutput: full)
            #expect(await child.waitForExit() == 1)
            #expect(child.errorLines.contains { $0.contains("cannot write to standard output") }, "\(child.errorLines)")
        }
    }

    @Test("the same symbol three ways is one row, and the cycle is stored")
    func duplicateSymbols() async throws {
        try await withRunDirectory(symbols: ["AAPL"]) { directory, config in
            let (status, output) = try await runArgo(["cycle", "--demo", "--format", "json", "--config", config, "--symbols", "AAPL,AAPL,aapl"])
            #expect(status == 0)
            let report = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
            let signals = try #require(report["signals"] as? [[String: Any]])
            #expect(signals.compactMap { $0["symbol"] as? String } == ["AAPL"])
            let stored = try storedCounts(directory.appendingPathComponent("history/argo.sqlite").path)
            #expect(stored.cycles.count == 1 && stored.cycles.first?.signals == 1, "\(stored.cycles)")
        }
    }
}
