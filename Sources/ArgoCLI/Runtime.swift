import ArgoEngine
import ArgoFetch
import ArgoService
import ArgoSimulator
import ArgoStore
import ArgumentParser
import Foundation
import Logging

/// Everything cycles need, built from `Config/`, `plugins/` and the
/// environment: the engine (kept current by the reloader) over one shared HTTP
/// transport, the logger, and with `--demo` the in-process simulator every
/// source points at: over TLS with a throw-away authority the transport is told
/// to trust, offering HTTP/2, as the vendors' fronts do.
struct Runtime {
    let reloader: EngineReloader
    let transport: HTTPTransport
    let simulator: Simulator?
    let config: ArgoConfig
    let logger: Logger
    let secrets: LogSecrets
    /// The demo authority's file, removed at shutdown.
    let demoCAFile: String?

    var engine: SignalEngine { reloader.engine }

    /// `--config`, for every command that reads the settings.
    struct ConfigOption: ParsableArguments {
        @Option(help: ArgumentHelp("The host settings file; consensus.lua is read beside it. Without it, Config/argo.yaml if there is one, else the built-in defaults.", valueName: "path"))
        var config: String?

        /// The settings file to read: the one given (which must exist), else the default.
        func configPath() throws -> String {
            guard let config else { return Self.defaultConfigPath }
            guard FileManager.default.fileExists(atPath: config) else {
                printError("argo: --config \(config): no such file")
                throw ExitCode(1)
            }
            return config
        }

        static let defaultConfigPath = "Config/argo.yaml"
    }

    /// Options shared by the commands that run cycles.
    struct Options: ParsableArguments {
        @OptionGroup var settings: ConfigOption

        @Flag(help: "Run against the built-in upstream simulator on free loopback ports, with placeholder keys.")
        var demo = false

        @Flag(name: .shortAndLong, help: "Log more on standard error (log.level debug).")
        var verbose = false

        @Flag(name: .shortAndLong, help: "Log only warnings and errors on standard error (log.level warning).")
        var quiet = false

        func validate() throws {
            if verbose && quiet { throw ValidationError("--verbose and --quiet cannot go together") }
        }

        /// The log level the flags ask for, else the settings'.
        func logLevel(_ configured: String) -> String { verbose ? "debug" : quiet ? "warning" : configured }
    }

    /// Builds the runtime; prints one line per problem and exits 1 when nothing can run.
    static func start(_ options: Options, metrics: ArgoMetrics? = nil,
                      environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> Runtime {
        let configPath = try options.settings.configPath()
        let config: ArgoConfig
        do {
            config = try ArgoConfig(file: try ConfigFile.load(path: configPath, environment: environment))
        } catch {
            printError("argo: \(error)")
            throw ExitCode(1)
        }
        let secrets = LogSecrets()
        let level = LineLogHandler.level(named: options.logLevel(config.logLevel)) ?? .info
        let logger = Logger(label: "argo") { _ in LineLogHandler(level: level, secrets: secrets) }
        var simulator: Simulator?
        var transportConfiguration = config.transportConfiguration
        var demoCAFile: String?
        if options.demo {
            // One listening port per source: each talks to its own "host", with its own pool, as in production.
            let tls = try SimulatorTLS.throwAway()
            simulator = try await Simulator.start(
                host: "127.0.0.1", port: 0, scenario: .demo, threads: 2, listeners: 8,
                wire: Simulator.Wire(tls: tls, http2MaxStreams: Simulator.demoHTTP2MaxStreams))
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("argo-demo-ca-\(getpid()).pem").path
            try tls.writeCA(to: path)
            transportConfiguration.caFile = path
            demoCAFile = path
        }
        let transport = HTTPTransport(configuration: transportConfiguration)
        let workspace = Workspace(configPath: configPath, environment: environment, demoBaseURLs: simulator?.baseURLs)
        do {
            let reloader = try await EngineReloader(
                workspace: workspace, fetcher: Fetcher(transport: transport, observer: metrics, cacheBytes: config.cacheBytes), logger: logger, metrics: metrics)
            secrets.set(reloader.engine.sources.flatMap(\.policy.secrets))
            for warning in reloader.warnings { printError("argo: warning: \(warning)") }
            logger.debug("settings", metadata: [
                "config": "\(configPath)", "plugins_dir": "\(config.pluginsDir)", "storage": "\(config.storagePath)",
                "deadline_s": "\(config.cycleDeadline)", "demo": "\(options.demo)",
            ])
            for source in reloader.engine.sources {
                logger.debug("source", metadata: [
                    "source": "\(source.name)", "enabled": "\(source.disabledReason.map { "no: \($0)" } ?? "yes")",
                    "base_url": "\(source.baseURL)", "weight": "\(source.weight)",
                ])
            }
            return Runtime(reloader: reloader, transport: transport, simulator: simulator, config: config, logger: logger, secrets: secrets,
                           demoCAFile: demoCAFile)
        } catch {
            for line in error.lines { printError("argo: \(line)") }
            try? await transport.shutdown()
            try? await simulator?.shutdown()
            if let demoCAFile { try? FileManager.default.removeItem(atPath: demoCAFile) }
            throw ExitCode(1)
        }
    }

    /// Opens the history database named by `storage.path`, or exits 1 naming it.
    func openStore() throws -> SignalStore {
        do {
            return try SignalStore(path: config.storagePath)
        } catch {
            printError("argo: cannot open the history database: \(error) (--no-store runs without it)")
            throw ExitCode(1)
        }
    }

    /// Closes the pools and the simulator.
    func shutdown() async {
        try? await transport.shutdown()
        try? await simulator?.shutdown()
        if let demoCAFile { try? FileManager.default.removeItem(atPath: demoCAFile) }
    }
}
