import ArgoEngine
import ArgoService
import ArgoStore
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// `argo run`: cycles on an interval as a service, with hot reload, history and metrics.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a cycle every --interval until stopped (SIGINT/SIGTERM) or --cycles are done.",
        discussion: """
            Edits to plugins/*.lua, plugins/lib/ and Config/* are picked up before the next cycle; a broken edit is \
            refused with one error naming the file and line, and the last good version keeps running. Each cycle is \
            stored in the history database (storage.path) unless --no-store. Cycles never overlap: one that overruns \
            the interval delays the next, and the skip is logged. Logs go to standard error, one line per event; \
            standard output gets each cycle's changes (symbol, old → new direction, confidence). Ctrl-C finishes \
            and stores the running cycle; a second Ctrl-C stops at once, storing nothing half-written.
            """)

    @Option(help: "Time between cycle starts, e.g. 60s, 500ms, 2m, 0s (default: cycle.interval in the config, else 60s).")
    var interval: String?

    @Option(help: "Stop after this many cycles (default: run until stopped).")
    var cycles: Int?

    @Option(help: "Comma-separated symbols (default: `symbols` in Config/argo.yaml, re-read on reload).")
    var symbols: String?

    @Option(help: "Serve Prometheus metrics at http://HOST:PORT/metrics.")
    var metricsPort: Int?

    @Option(help: "The address the metrics endpoint listens on.")
    var metricsHost = "127.0.0.1"

    @Flag(help: "Do not store cycles in the history database.")
    var noStore = false

    @OptionGroup var options: Runtime.Options

    func validate() throws {
        if let cycles, cycles < 1 { throw ValidationError("--cycles must be at least 1") }
        if let metricsPort, !(0...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be a port number (0–65535)") }
        if let interval, ConfigFile.parseDuration(interval).map({ $0 <= 86_400 }) != true {
            throw ValidationError("--interval must be a duration from 0s to 86400s such as 60s, 500ms or 2m, got '\(interval)'")
        }
        try CycleCommand.validate(symbols: symbols)
    }

    func run() async throws {
        let metrics = ArgoMetrics()
        let runtime = try await Runtime.start(options, metrics: metrics)
        let logger = runtime.logger
        var store: SignalStore?
        var server: MetricsServer?
        do {
            store = noStore ? nil : try runtime.openStore()
            if let metricsPort {
                do {
                    server = try await MetricsServer.start(host: metricsHost, port: metricsPort, metrics: metrics)
                } catch {
                    printError("argo: cannot serve metrics on \(metricsHost):\(metricsPort): \(error)")
                    throw ExitCode(1)
                }
                logger.notice("metrics", metadata: ["url": "http://\(metricsHost):\(server!.port)/metrics"])
            }
        } catch {
            try? store?.close()
            await runtime.shutdown()
            throw error
        }
        let seconds = interval.flatMap(ConfigFile.parseDuration) ?? runtime.config.cycleInterval
        // The rolling scorecard of the stored signals, as gauges; it needs the history, and real prices:
        // under --demo it would put the simulator's bars in the bar store among real ones.
        let scorecard = options.demo ? nil : store.map { LiveScorecard(store: $0, metrics: metrics, logger: logger) }
        let console = RunConsole()
        let interrupts = console.watchInterrupts()
        defer { interrupts.cancel() }
        let cycleService = CycleService(
            reloader: runtime.reloader, store: store, metrics: metrics, logger: logger,
            interval: .milliseconds(Int64((seconds * 1000).rounded())), cycles: cycles, symbols: CycleCommand.symbolList(symbols)
        ) { [reloader = runtime.reloader] report in
            for line in console.changes(in: report) { try? printLine(line) }
            scorecard?.refreshIfDue(engine: reloader.engine)
        }
        var services = [ServiceGroupConfiguration.ServiceConfiguration(service: cycleService, successTerminationBehavior: .gracefullyShutdownGroup)]
        if let server { services.append(.init(service: server)) }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.notice("running", metadata: [
            "interval_s": "\(seconds)", "cycles": "\(cycles.map(String.init) ?? "unlimited")",
            "sources": "\(runtime.engine.sources.filter(\.isEnabled).map(\.name).joined(separator: ","))",
            "store": "\(store?.path ?? "off")",
        ])
        var failure: (any Error)?
        do {
            try await group.run()
        } catch {
            failure = error
            logger.error("stopped on error", metadata: ["error": "\(error)"])
        }
        try? await server?.close()
        do {
            try store?.close()
        } catch {
            logger.error("history database not closed cleanly", metadata: ["error": "\(error)"])
        }
        await runtime.shutdown()
        logger.notice("stopped")
        if failure != nil { throw ExitCode(1) }
    }
}
