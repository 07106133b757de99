import ArgoEngine
import ArgoFetch
@testable import ArgoService
import ArgoSimulator
import ArgoStore
import Foundation
import Logging
import Synchronization

/// The repository's directories, found from this file.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var plugins: URL { root.appendingPathComponent("plugins") }
    static var consensus: URL { root.appendingPathComponent("Config/consensus.lua") }

    /// The `argo` executable `swift test` built beside the test bundle.
    static var argo: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("argo").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : root.appendingPathComponent(".build/debug/argo").path
    }
}

/// Log lines, captured.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var logger: Logger { Logger(label: "test") { _ in LineLogHandler(level: .info, write: { [self] in self.append($0) }) } }
}

/// A private copy of the plugins and Config/ in a temporary directory, a
/// simulator, one transport and fetcher, metrics and captured logs.
struct Harness: Sendable {
    let directory: URL
    let simulator: Simulator
    let fetcher: Fetcher
    let metrics: ArgoMetrics
    let logs: LogLines

    var configPath: String { directory.appendingPathComponent("Config/argo.yaml").path }
    var consensusPath: String { directory.appendingPathComponent("Config/consensus.lua").path }
    var storePath: String { directory.appendingPathComponent("history/argo.sqlite").path }
    func plugin(_ name: String) -> URL { directory.appendingPathComponent("plugins/\(name).lua") }

    /// A reloader over the copy, in demo mode (placeholder keys, the simulator's URLs).
    func reloader() async throws -> EngineReloader {
        try await EngineReloader(workspace: Workspace(configPath: configPath, environment: [:], demoBaseURLs: simulator.baseURLs),
                                 fetcher: fetcher, logger: logs.logger, metrics: metrics)
    }

    /// Replaces `old` with `new` in a file (which must contain it).
    func edit(_ url: URL, replacing old: String, with new: String) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        precondition(text.contains(old), "\(url.lastPathComponent) does not contain \(old)")
        try text.replacingOccurrences(of: old, with: new).write(to: url, atomically: true, encoding: .utf8)
    }
}

/// Writes `Config/argo.yaml` for `symbols` into a fresh copy and runs `body` with a harness.
func withHarness<R>(symbols: [String] = ["AAPL", "MSFT"], _ body: (Harness) async throws -> R) async throws -> R {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("argo-service-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory.appendingPathComponent("Config"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.copyItem(at: Repo.plugins, to: directory.appendingPathComponent("plugins"))
    try FileManager.default.copyItem(at: Repo.consensus, to: directory.appendingPathComponent("Config/consensus.lua"))
    try writeConfig(in: directory, symbols: symbols)
    let simulator = try await Simulator.start(scenario: SimulatorScenario(routes: [:]))
    let transport = HTTPTransport()
    let metrics = ArgoMetrics()
    let harness = Harness(directory: directory, simulator: simulator, fetcher: Fetcher(transport: transport, observer: metrics),
                          metrics: metrics, logs: LogLines())
    do {
        let result = try await body(harness)
        try await transport.shutdown()
        try await simulator.shutdown()
        return result
    } catch {
        try? await transport.shutdown()
        try? await simulator.shutdown()
        throw error
    }
}

/// `Config/argo.yaml` with absolute paths into `directory`.
func writeConfig(in directory: URL, symbols: [String], extra: String = "") throws {
    let yaml = """
        symbols: [\(symbols.joined(separator: ", "))]
        plugins_dir: \(directory.appendingPathComponent("plugins").path)
        storage:
          path: \(directory.appendingPathComponent("history/argo.sqlite").path)
        cycle:
          deadline: 15s
        \(extra)
        """
    try yaml.write(to: directory.appendingPathComponent("Config/argo.yaml"), atomically: true, encoding: .utf8)
}
