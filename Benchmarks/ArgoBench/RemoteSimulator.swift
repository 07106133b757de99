import ArgoSimulator
import Foundation

/// How the benchmarks reach the simulator: over TLS, as production reaches
/// every vendor (the default), or plain HTTP (`--wire plain`).
enum BenchWire: String, Sendable {
    case tls, plain

    /// What the simulator child is told (`RemoteSimulator.serve`): TLS offers
    /// HTTP/2 as the vendors' fronts do; Argo's client asks for HTTP/1.1.
    var childArgument: String { self == .tls ? "tls:\(Simulator.demoHTTP2MaxStreams)" : "plain" }
}

/// What the benchmark needs from a simulator, in this process or another.
protocol SimulatorControl {
    var baseURLs: [String] { get }
    /// With TLS: the file of the simulator's throw-away certificate authority, for `http.ca_file`.
    var caFile: String? { get }
    func resetCounters() throws
    func currentStats() throws -> SimulatorStats
    /// Whether each response closes its connection (an upstream without keep-alive).
    func closeConnections(_ close: Bool) throws
}

/// The simulator in this process, over `wire`.
final class LocalSimulator: SimulatorControl {
    let simulator: Simulator
    let caFile: String?

    private init(simulator: Simulator, caFile: String?) {
        self.simulator = simulator
        self.caFile = caFile
    }

    static func start(scenario: SimulatorScenario, threads: Int, listeners: Int, wire: BenchWire) async throws -> LocalSimulator {
        guard wire == .tls else {
            return LocalSimulator(simulator: try await Simulator.start(scenario: scenario, threads: threads, listeners: listeners), caFile: nil)
        }
        let setup = Simulator.Wire(tls: try SimulatorTLS.throwAway(), http2MaxStreams: Simulator.demoHTTP2MaxStreams)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("argo-bench-ca-local-\(getpid()).pem").path
        try setup.tls?.writeCA(to: path)
        let simulator = try await Simulator.start(scenario: scenario, threads: threads, listeners: listeners, wire: setup)
        return LocalSimulator(simulator: simulator, caFile: path)
    }

    var baseURLs: [String] { simulator.baseURLs }
    func resetCounters() { simulator.reset() }
    func currentStats() -> SimulatorStats { simulator.stats }
    func closeConnections(_ close: Bool) { simulator.closesConnections = close }

    func shutdown() async throws {
        try await simulator.shutdown()
        if let caFile { try? FileManager.default.removeItem(atPath: caFile) }
    }
}

/// The simulator in a child process (this executable run with `--serve-simulator`),
/// so that the client's CPU time and memory are measured without it. The parent
/// drives it over the child's stdin and stdout: one command a line (`stats`,
/// `reset`, `warm`, `close`, `keep-alive`), one line back. The child exits when its stdin closes, so it
/// never outlives the benchmark.
final class RemoteSimulator: SimulatorControl {
    /// The child's answer to `stats`: the counters, and its own CPU seconds so far.
    struct Reply: Codable {
        var stats: SimulatorStats
        var cpuSeconds: Double
        enum CodingKeys: String, CodingKey { case stats, cpuSeconds = "cpu_s" }
    }

    let baseURLs: [String]
    /// With TLS: the file of the child's throw-away certificate authority, for `http.ca_file`.
    let caFile: String?
    private let process: Process
    private let commands: FileHandle
    private let replies: LineReader

    static let flag = "--serve-simulator"

    convenience init(scenario: SimulatorScenario, listeners: Int, wire: BenchWire) throws {
        try self.init(scenario: scenario, listeners: listeners, tlsStreams: wire == .tls ? Simulator.demoHTTP2MaxStreams : nil)
    }

    /// - Parameter tlsStreams: nil: plain HTTP/1.1; otherwise TLS with a throw-away
    ///   authority, offering HTTP/2 with this many streams per connection (0: HTTP/1.1 only).
    init(scenario: SimulatorScenario, listeners: Int, tlsStreams: Int?) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        let scenarioJSON = String(decoding: try JSONEncoder().encode(scenario), as: UTF8.self)
        process.arguments = [Self.flag, scenarioJSON, "\(listeners)", tlsStreams.map { "tls:\($0)" } ?? "plain"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        self.process = process
        commands = input.fileHandleForWriting
        replies = LineReader(output.fileHandleForReading)
        guard let first = replies.next(), let second = replies.next() else { throw BenchError("the simulator child exited before listening") }
        baseURLs = first.split(separator: " ").map(String.init)
        caFile = second == "-" ? nil : second
    }

    func resetCounters() throws {
        _ = try ask("reset")
    }

    func currentStats() throws -> SimulatorStats { try reply().stats }

    func closeConnections(_ close: Bool) throws {
        _ = try ask(close ? "close" : "keep-alive")
    }

    /// Has the child build the market history of `symbols` now, as a vendor has
    /// it already: otherwise the first cycle pays for it inside the simulator.
    func warm(_ symbols: [String]) throws {
        _ = try ask("warm " + symbols.joined(separator: ","))
    }

    /// Counters and the child's CPU seconds.
    func reply() throws -> Reply {
        try JSONDecoder().decode(Reply.self, from: Data(try ask("stats").utf8))
    }

    private func ask(_ command: String) throws -> String {
        commands.write(Data((command + "\n").utf8))
        guard let line = replies.next() else { throw BenchError("the simulator child exited") }
        return line
    }

    /// Closes the child's stdin (it exits) and waits for it.
    func stop() {
        try? commands.close()
        process.waitUntilExit()
    }

    /// The child's side: serve `scenarioJSON` on loopback (`wire`: `plain` or
    /// `tls:STREAMS`), print the base URLs and the authority's file (`-` without
    /// TLS), then answer commands until stdin closes.
    static func serve(scenarioJSON: String, listeners: Int, wire: String) async throws {
        let scenario = try JSONDecoder().decode(SimulatorScenario.self, from: Data(scenarioJSON.utf8))
        var caFile: String?
        var setup = Simulator.Wire.plain
        if wire.hasPrefix("tls:") {
            let streams = Int(wire.dropFirst(4)) ?? Simulator.demoHTTP2MaxStreams
            setup = Simulator.Wire(tls: try SimulatorTLS.throwAway(), http2MaxStreams: streams == 0 ? nil : streams)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("argo-bench-ca-\(getpid()).pem").path
            try setup.tls?.writeCA(to: path)
            caFile = path
        }
        defer { if let caFile { try? FileManager.default.removeItem(atPath: caFile) } }
        let simulator = try await Simulator.start(scenario: scenario, threads: 2, listeners: listeners, wire: setup)
        let encoder = JSONEncoder()
        func send(_ line: String) {
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        send(simulator.baseURLs.joined(separator: " "))
        send(caFile ?? "-")
        while let command = readLine() {
            if command.hasPrefix("warm ") {
                for symbol in command.dropFirst(5).split(separator: ",") { _ = simulator.market.bars(String(symbol)) }
                send("ok")
                continue
            }
            switch command {
            case "reset":
                simulator.reset()
                send("ok")
            case "close", "keep-alive":
                simulator.closesConnections = command == "close"
                send("ok")
            case "stats":
                let reply = Reply(stats: simulator.stats, cpuSeconds: ProcessUsage.cpuSeconds())
                send(String(decoding: try encoder.encode(reply), as: UTF8.self))
            default:
                send("unknown command")
            }
        }
        try await simulator.shutdown()
    }
}

/// Lines from a file handle, read in blocks.
final class LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(_ handle: FileHandle) { self.handle = handle }

    /// The next line without its newline; nil at end of file.
    func next() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }
            buffer += chunk
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
