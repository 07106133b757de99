import Foundation
import Testing

/// What `argo` printed and how it ended.
struct ArgoRun {
    var status: Int32
    var output: String
    var errors: String
}

/// Runs `argo` to the end with `environment` added to the test's own, reading
/// both streams on threads of their own (never on a Swift concurrency thread).
func argoRun(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) async throws -> ArgoRun {
    let output = Pipe(), errors = Pipe()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Repo.argo)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    if let directory { process.currentDirectoryURL = directory }
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    return await withCheckedContinuation { continuation in
        Thread {
            let errorText = ReadToEnd()
            let group = DispatchGroup()
            group.enter()
            Thread {
                errorText.data = errors.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }.start()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            group.wait()
            process.waitUntilExit()
            continuation.resume(returning: ArgoRun(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self),
                                                   errors: String(decoding: errorText.data, as: UTF8.self)))
        }.start()
    }
}

/// One stream's bytes, written by its reader thread before the group it leaves lets the other read them.
private final class ReadToEnd: @unchecked Sendable {
    var data = Data()
}

/// A directory with its own copy of the shipped plugins and consensus (so a
/// test can break one), a settings file, and `extra` settings lines.
func withOwnCopy<R>(extra: String = "", _ body: (URL, String) async throws -> R) async throws -> R {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("argo-strict-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory.appendingPathComponent("Config"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.copyItem(at: Repo.consensus, to: directory.appendingPathComponent("Config/consensus.lua"))
    try FileManager.default.copyItem(at: Repo.plugins, to: directory.appendingPathComponent("plugins"))
    try writeConfig(in: directory, symbols: ["AAPL"], extra: extra)
    return try await body(directory, directory.appendingPathComponent("Config/argo.yaml").path)
}

/// Replaces `old` with `new` in the file at `path` (which must contain it).
func edit(_ path: URL, replacing old: String, with new: String) throws {
    let text = try String(contentsOf: path, encoding: .utf8)
    precondition(text.contains(old), "\(path.lastPathComponent) has no '\(old)'")
    try text.replacingOccurrences(of: old, with: new).write(to: path, atomically: true, encoding: .utf8)
}

/// The line (1-based) of `path` that contains `text`.
func line(of text: String, in path: URL) throws -> Int {
    let lines = try String(contentsOf: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    return try #require(lines.firstIndex { $0.contains(text) }) + 1
}

@Suite("Typos are errors with a suggestion, through the real binary", .serialized)
struct StrictConfigTests {
    @Test("a misspelt plugin field stops cycle and check, naming the file, the line and the field it meant")
    func pluginField() async throws {
        try await withOwnCopy { directory, config in
            let plugin = directory.appendingPathComponent("plugins/yfinance.lua")
            try edit(plugin, replacing: "  weight =", with: "  wieght =")
            let expected = "plugins/yfinance.lua:\(try line(of: "wieght", in: plugin)): unknown field 'wieght' (did you mean 'weight'?)"
            let cycle = try await argoRun(["cycle", "--demo", "--no-store", "--config", config])
            #expect(cycle.status == 1)
            #expect(cycle.errors.contains(expected), "\(cycle.errors)")
            let check = try await argoRun(["sources", "check", "--config", config])
            #expect(check.status == 1)
            #expect(check.output.contains(expected), "\(check.output)")
        }
    }

    @Test("consensus.lua: an unknown key or a misspelt source is an error with its line; a source with no plugin is a warning")
    func consensusKeys() async throws {
        try await withOwnCopy { directory, config in
            let consensus = directory.appendingPathComponent("Config/consensus.lua")
            try edit(consensus, replacing: "  min_sources = 2,", with: "  min_source = 5,")
            let cycle = try await argoRun(["cycle", "--demo", "--no-store", "--config", config])
            #expect(cycle.status == 1)
            #expect(cycle.errors.contains("consensus.lua:\(try line(of: "min_source", in: consensus)): unknown key 'min_source' (did you mean 'min_sources'?)"),
                    "\(cycle.errors)")

            try edit(consensus, replacing: "  min_source = 5,", with: "  min_sources = 2,")
            try edit(consensus, replacing: "    massive = 0.25,", with: "    masive = 0.25,")
            let typo = try await argoRun(["cycle", "--demo", "--no-store", "--config", config])
            #expect(typo.status == 1)
            #expect(typo.errors.contains("consensus.lua:\(try line(of: "masive", in: consensus)): 'weights' names 'masive', which is not a source (did you mean 'massive'?)"),
                    "\(typo.errors)")

            try edit(consensus, replacing: "    masive = 0.25,", with: "    massive = 0.25,\n    xai = 1.0,")
            let stale = try await argoRun(["cycle", "--demo", "--no-store", "--config", config])
            #expect(stale.status == 0, "\(stale.errors)")
            #expect(stale.errors.contains("warning: ") && stale.errors.contains("the weight for 'xai' applies to no source"), "\(stale.errors)")
        }
    }

    @Test("argo cycle with a syntax error in consensus.lua exits 1 naming the line, instead of running on defaults")
    func brokenConsensus() async throws {
        try await withOwnCopy { directory, config in
            let consensus = directory.appendingPathComponent("Config/consensus.lua")
            try edit(consensus, replacing: "  min_sources = 2,", with: "  min_sources = = 2,")
            let cycle = try await argoRun(["cycle", "--demo", "--no-store", "--format", "json", "--config", config])
            #expect(cycle.status == 1)
            #expect(cycle.output.isEmpty)
            #expect(cycle.errors.contains("consensus.lua:\(try line(of: "min_sources", in: consensus))"), "\(cycle.errors)")
        }
    }

    @Test("argo.yaml: a misspelt source name, a misspelt ARGO_ variable and a missing --config file each stop the command")
    func settings() async throws {
        try await withOwnCopy(extra: "sources:\n  alpacca:\n    enabled: false\n") { _, config in
            let source = try await argoRun(["cycle", "--demo", "--no-store", "--config", config])
            #expect(source.status == 1)
            #expect(source.errors.contains("'sources.alpacca.enabled': there is no source 'alpacca' (did you mean 'alpaca'?)"), "\(source.errors)")
        }
        try await withOwnCopy { _, config in
            let variable = try await argoRun(["cycle", "--demo", "--no-store", "--config", config], environment: ["ARGO_CYCLE_DEADLIN": "5s"])
            #expect(variable.status == 1)
            #expect(variable.errors.contains("ARGO_CYCLE_DEADLIN (environment): sets no setting (did you mean 'ARGO_CYCLE_DEADLINE'?)"), "\(variable.errors)")
            let missing = try await argoRun(["cycle", "--demo", "--no-store", "--config", config + ".nope"])
            #expect(missing.status == 1)
            #expect(missing.errors.contains("--config \(config).nope: no such file"), "\(missing.errors)")
        }
    }

    @Test("an example's expect key that checks nothing, or a 404 example that parse would have accepted, fails sources check")
    func examples() async throws {
        try await withOwnCopy { directory, config in
            let check = try await argoRun(["sources", "check", "--config", config])
            #expect(check.status == 0, "the shipped plugins pass: \(check.output)")
            let plugin = directory.appendingPathComponent("plugins/yfinance.lua")
            let text = try String(contentsOf: plugin, encoding: .utf8)
            let expectLine = try #require(text.split(separator: "\n").first { $0.contains("expect = {") && $0.contains("direction") })
            try edit(plugin, replacing: String(expectLine), with: expectLine.replacingOccurrences(of: "expect = {", with: "expect = { confidnce = 0.5,"))
            let typo = try await argoRun(["sources", "check", "--config", config])
            #expect(typo.status == 1)
            #expect(typo.output.contains("'expect' has an unknown key 'confidnce' (did you mean 'confidence'?)"), "\(typo.output)")

            // Back to the shipped file, then the first example's answer becomes a 404: a live fetch never parses one.
            try text.write(to: plugin, atomically: true, encoding: .utf8)
            try edit(plugin, replacing: "response = { status = 200, body = [==[{\"chart\":{\"result\":[", with: "response = { status = 404, body = [==[{\"chart\":{\"result\":[")
            let notFound = try await argoRun(["sources", "check", "--config", config])
            #expect(notFound.status == 1)
            #expect(notFound.output.contains("example 1 (AAPL): failed: not_found: HTTP 404"), "\(notFound.output)")
        }
    }

    @Test("the table ends with each disabled source once, with why")
    func footer() async throws {
        try await withOwnCopy(extra: "sources:\n  sonar:\n    enabled: false\n") { _, config in
            let cycle = try await argoRun(["cycle", "--demo", "--no-store", "--config", config])
            #expect(cycle.status == 0, "\(cycle.errors)")
            let notes = cycle.output.split(separator: "\n").filter { $0.hasPrefix("sonar: disabled — ") }
            #expect(notes.count == 1 && notes[0].contains("argo.yaml"), "\(cycle.output)")
        }
    }

    @Test("argo config prints each setting with where it came from: the file and line, the environment, the plugin or built-in")
    func effectiveSettings() async throws {
        try await withOwnCopy(extra: "sources:\n  yfinance:\n    timeout: 7s\n") { directory, config in
            let run = try await argoRun(["config", "--format", "json", "--config", config], environment: ["ARGO_CYCLE_MAX_CONCURRENT_SYMBOLS": "12"])
            #expect(run.status == 0, "\(run.errors)")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: String]])
            let byKey = Dictionary(rows.map { ($0["key"]!, $0) }, uniquingKeysWith: { first, _ in first })
            #expect(byKey["cycle.max_concurrent_symbols"]?["value"] == "12")
            #expect(byKey["cycle.max_concurrent_symbols"]?["origin"] == "ARGO_CYCLE_MAX_CONCURRENT_SYMBOLS (environment)")
            #expect(byKey["cycle.deadline"]?["origin"] == "\(config):\(try line(of: "deadline", in: URL(fileURLWithPath: config)))")
            #expect(byKey["sources.yfinance.timeout"]?["value"] == "7s")
            let plugin = directory.appendingPathComponent("plugins/yfinance.lua")
            #expect(byKey["sources.yfinance.cache_ttl"]?["origin"] == "\(plugin.path):\(try line(of: "cache_ttl", in: plugin))")
            let consensus = directory.appendingPathComponent("Config/consensus.lua")
            #expect(byKey["sources.yfinance.weight"]?["origin"] == "\(consensus.path):\(try line(of: "yfinance =", in: consensus))")
            #expect(byKey["sources.yfinance.max_attempts"]?["origin"] == "built-in")
            #expect(!run.output.contains("demo-"), "no key values")
        }
    }

    @Test("argo doctor names each missing key with the export that fixes it, and exits 1; with the keys set it finds no key problem")
    func doctor() async throws {
        try await withOwnCopy { _, config in
            let keys = ["APCA_API_KEY_ID", "APCA_API_SECRET_KEY", "MASSIVE_API_KEY", "POLYGON_API_KEY", "ALPHAVANTAGE_API_KEY", "XAI_API_KEY", "PERPLEXITY_API_KEY"]
            let without = try await argoRun(["doctor", "--config", config], environment: Dictionary(uniqueKeysWithValues: keys.map { ($0, "") }))
            #expect(without.status == 1)
            #expect(without.output.contains("problem  xai_grok: disabled — XAI_API_KEY is not set — fix: export XAI_API_KEY=…"), "\(without.output)")
            #expect(without.output.contains("ok       yfinance: enabled"), "\(without.output)")
            let secret = "sk-doctor-7731"
            let with = try await argoRun(["doctor", "--config", config], environment: Dictionary(uniqueKeysWithValues: keys.map { ($0, secret) }))
            #expect(with.status == 0, "\(with.output)")
            #expect(with.output.contains("no problems found"))
            #expect(!with.output.contains(secret) && !with.errors.contains(secret))
        }
    }

    @Test("paths in a settings file are relative to the file, wherever argo is started")
    func relativePaths() async throws {
        try await withOwnCopy { directory, config in
            try "symbols: [AAPL]\nplugins_dir: ../plugins\nstorage:\n  path: ../history/argo.sqlite\n"
                .write(toFile: config, atomically: true, encoding: .utf8)
            let elsewhere = FileManager.default.temporaryDirectory
            let run = try await argoRun(["cycle", "--demo", "--config", config], directory: elsewhere)
            #expect(run.status == 0, "\(run.errors)")
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("history/argo.sqlite").path))
            #expect(!FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("history/argo.sqlite").path))
        }
    }

    @Test("sources list shows what cycle would use: disabled by the settings, the weight from consensus.lua, the rate limit")
    func sourcesList() async throws {
        try await withOwnCopy(extra: "sources:\n  alpaca:\n    enabled: false\n  yfinance:\n    rate_limit:\n      requests: 7\n") { directory, config in
            try edit(directory.appendingPathComponent("Config/consensus.lua"), replacing: "    massive = 0.25,", with: "    massive = 0.4,")
            let run = try await argoRun(["sources", "list", "--config", config])
            #expect(run.status == 0, "\(run.errors)")
            let rows = run.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            let alpaca = try #require(rows.first { $0.first == "alpaca" })
            #expect(alpaca.contains("disabled:") && run.output.contains("disabled in \(config)"), "\(run.output)")
            let massive = try #require(rows.first { $0.first == "massive" })
            #expect(massive.contains("0.40"), "\(massive)")
            let yfinance = try #require(rows.first { $0.first == "yfinance" })
            #expect(yfinance.contains("7/60s"), "\(yfinance)")
        }
    }
}
