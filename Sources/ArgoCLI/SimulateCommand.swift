import ArgoService
import ArgoSimulator
import ArgumentParser
import Foundation

/// `argo simulate`: serve the upstream APIs on loopback until interrupted.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve the simulated upstream APIs (Alpaca, Massive, Yahoo so far) on loopback.",
        discussion: """
            Routes: /v2/stocks/{symbol}/bars, /v2/stocks/bars, /v2/aggs/ticker/..., /v8/finance/chart/{symbol};
            GET /__sim/stats for counters, POST /__sim/reset to clear them.
            """
    )

    @Option(help: "The address to listen on (loopback by default).")
    var host = "127.0.0.1"

    @Option(help: "The port (0: any free port).")
    var port = 8080

    @Option(help: "A scenario file (JSON, or YAML for .yaml/.yml): today's date, latency and faults per route and symbol.")
    var scenario: String?

    func run() async throws {
        var setup = SimulatorScenario()
        if let scenario {
            do {
                setup = try SimulatorScenario.load(contentsOf: URL(fileURLWithPath: scenario))
            } catch {
                printError("argo: scenario \(scenario): \(describeDecodingError(error))")
                throw ExitCode(1)
            }
        }
        let simulator = try await Simulator.start(host: host, port: port, scenario: setup, threads: 2)
        try StandardStreams.write(Array("simulating upstreams at \(simulator.baseURL) (today \(simulator.market.today)); Ctrl-C to stop\n".utf8))
        // Runs until the process is interrupted.
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
        try await simulator.shutdown()
    }
}
