import ArgoCore
import ArgoEngine
import ArgoPlugins
import ArgoService
import ArgumentParser
import Foundation

/// `argo sources list | check`.
struct SourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "List and validate the source plugins.",
        subcommands: [List.self, Check.self, SourcesTestCommand.self]
    )

    /// Where the plugins and settings are: `--config` (as `cycle` reads it) and
    /// `--plugins-dir`, which wins over the settings' `plugins_dir`.
    struct Location: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("The plugin directory, instead of plugins_dir in the settings.", valueName: "path"))
        var pluginsDir: String?

        @OptionGroup var settings: Runtime.ConfigOption

        /// The settings `cycle` would use, or exits 1 with the error.
        func config() throws -> ArgoConfig {
            let path = try settings.configPath()
            do {
                return try ArgoConfig(file: try ConfigFile.load(path: path, environment: ProcessInfo.processInfo.environment))
            } catch {
                printError("argo: \(error)")
                throw ExitCode(1)
            }
        }

        /// Reads the directory, or exits 1 naming it.
        func directory(_ config: ArgoConfig) throws -> PluginDirectory {
            let path = pluginsDir ?? config.pluginsDir
            do {
                return try PluginDirectory(path: path)
            } catch {
                printError("argo: cannot read plugin directory '\(path)': \(error.localizedDescription)")
                throw ExitCode(1)
            }
        }

        /// The consensus file beside the settings, read as `cycle` reads it (nil when there is none).
        func consensus() throws -> PluginHost.ConsensusSource? {
            PluginHost.ConsensusSource.read(path: Workspace(configPath: try settings.configPath()).consensusPath)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the sources as `cycle` would run them: enabled or why not, weight, limits and grant.")
        @OptionGroup var location: Location

        func run() async throws {
            let config = try location.config()
            let directory = try location.directory(config)
            let environment = ProcessInfo.processInfo.environment
            let setups: [SourceSetup]
            let failures: [PluginError]
            do {
                let configWarnings = try config.checkSources(directory.files.map(\.stem))
                let host = try PluginHost(directory: directory, consensus: try location.consensus(), poolSize: 1)
                failures = host.failures
                for warning in configWarnings + host.warnings { printError("argo: warning: \(warning)") }
                setups = try SourceSetup.all(plugins: host.plugins, config: config, consensus: host.consensus, environment: environment)
            } catch let error as ExitCode {
                throw error
            } catch {
                printError("argo: \(error)")
                throw ExitCode(1)
            }
            let rows = setups.map { setup -> [String] in
                let m = setup.manifest
                let role: String
                switch m.role {
                case .marketData(let priority): role = "market_data #\(priority)"
                case .independent: role = "independent"
                }
                let status = setup.disabledReason.map { "disabled: \($0)" } ?? "enabled"
                let limit = setup.policy.rateLimit.map { "\($0.requests)/\(ConfigFile.formatSeconds($0.per))" } ?? "none"
                let granted = setup.grant.env.isEmpty
                    ? "nothing"
                    : "\(setup.grant.env.joined(separator: ", ")) to \(setup.grant.origins.joined(separator: ", ")) (\(setup.grant.origin))"
                return [m.name, role, String(format: "%.2f", setup.weight), status, limit, "\(setup.policy.maxConcurrency)", granted, m.file]
            }
            try printLine(TextTable(header: ["SOURCE", "ROLE", "WEIGHT", "STATUS", "RATE LIMIT", "IN FLIGHT", "GRANTED", "FILE"], rows: rows).rendered)
            for failure in failures { printError("broken: \(failure)") }
            if !failures.isEmpty { throw ExitCode(1) }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate every plugin as `cycle` and reload do, examples included; exit 1 if any is broken or none is found.")
        @OptionGroup var location: Location

        func run() async throws {
            let config = try location.config()
            let directory = try location.directory(config)
            let validator = PluginValidator()
            var good = 0, broken = 0
            for file in directory.files {
                switch await validator.check(file, library: directory.library, pluginsDir: directory.path) {
                case .good:
                    good += 1
                    try printLine("ok     \(file.stem) (\(file.path))")
                case .broken(let reason):
                    broken += 1
                    try printLine("error  \(reason)")
                }
            }
            var settingsOK = true
            do {
                let configWarnings = try config.checkSources(directory.files.map(\.stem))
                let consensus = try PluginHost(directory: PluginDirectory(path: directory.path, files: [], library: directory.library),
                                               consensus: try location.consensus(), sourceNames: directory.files.map(\.stem), poolSize: 1)
                for warning in configWarnings + consensus.warnings { try printLine("warn   \(warning)") }
            } catch let error as ExitCode {
                throw error
            } catch {
                settingsOK = false
                try printLine("error  \(error)")
            }
            try printLine("\(good) ok, \(broken) broken, in \(directory.path)/")
            if good == 0 || broken > 0 || !settingsOK { throw ExitCode(1) }
        }
    }
}
