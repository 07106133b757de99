import ArgoService
import ArgoSimulator
import ArgumentParser
import Foundation

/// `argo simulate`: serve the upstream APIs on loopback until interrupted.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve the six simulated upstream APIs on loopback.",
        discussion: """
            Alpaca, Massive, Yahoo Finance, Alpha Vantage, xAI and Perplexity, in their wire formats; \
            GET /__sim/stats for counters, POST /__sim/reset to clear them.

            With --tls it speaks TLS with a throw-away certificate authority made at start, and offers \
            HTTP/2 by ALPN (--http2-streams 0 for HTTP/1.1 only). The authority is written to --ca-file; \
            tell Argo to trust it with http.ca_file in Config/argo.yaml, or ARGO_HTTP_CA_FILE.
            """
    )

    @Option(help: "The address to listen on (loopback by default).")
    var host = "127.0.0.1"

    @Option(help: "The port (0: any free port).")
    var port = 8080

    @Option(help: "A scenario file (JSON, or YAML for .yaml/.yml): today's date, latency and faults per route and symbol.")
    var scenario: String?

    @Flag(help: "Speak TLS with a throw-away certificate authority, and offer HTTP/2.")
    var tls = false

    @Option(help: "With --tls: concurrent streams allowed per HTTP/2 connection (0: HTTP/1.1 only).")
    var http2Streams = Simulator.demoHTTP2MaxStreams

    @Option(help: "With --tls: where to write the certificate authority's PEM, for http.ca_file.")
    var caFile = "argo-simulator-ca.pem"

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
        var wire = Simulator.Wire.plain
        if tls {
            guard http2Streams >= 0 else {
                printError("argo: --http2-streams must be 0 (HTTP/1.1 only) or more")
                throw ExitCode(1)
            }
            wire = Simulator.Wire(tls: try SimulatorTLS.throwAway(), http2MaxStreams: http2Streams == 0 ? nil : http2Streams)
            do {
                try wire.tls?.writeCA(to: caFile)
            } catch {
                printError("argo: cannot write the certificate authority to \(caFile): \(error.localizedDescription)")
                throw ExitCode(1)
            }
        }
        let simulator = try await Simulator.start(host: host, port: port, scenario: setup, threads: 2, wire: wire)
        try StandardStreams.write(Array("simulating upstreams at \(simulator.baseURL) (today \(simulator.market.today)); Ctrl-C to stop\n".utf8))
        if tls {
            try StandardStreams.write(Array("trust its certificate authority with http.ca_file: \(caFile) (or ARGO_HTTP_CA_FILE=\(caFile))\n".utf8))
        }
        // Runs until the process is interrupted.
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
        try await simulator.shutdown()
    }
}
