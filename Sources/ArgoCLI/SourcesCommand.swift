import ArgoCore
import ArgoEngine
import ArgoPlugins
import ArgumentParser
import Foundation

/// `argo sources list | check`.
struct SourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "List and validate the source plugins.",
        subcommands: [List.self, Check.self, SourcesTestCommand.self]
    )

    /// Where the plugins are: `--plugins-dir`, else `ARGO_PLUGINS_DIR`, else `plugins`.
    struct Location: ParsableArguments {
        @Option(name: .long, help: "The plugin directory (default: $ARGO_PLUGINS_DIR or plugins).")
        var pluginsDir: String?

        var path: String { pluginsDir ?? ProcessInfo.processInfo.environment["ARGO_PLUGINS_DIR"] ?? "plugins" }

        /// Reads the directory, or exits 1 naming it.
        func directory() throws -> PluginDirectory {
            do {
                return try PluginDirectory(path: path)
            } catch {
                printError("argo: cannot read plugin directory '\(path)': \(error.localizedDescription)")
                throw ExitCode(1)
            }
        }

        /// Reads the directory and loads every plugin into a fresh state.
        func load() throws -> (PluginDirectory, [PluginManifest], [PluginError]) {
            let directory = try directory()
            let (plugins, failures) = try directory.manifests()
            return (directory, plugins, failures)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the sources the plugins define: enabled or why not, and what each is granted.")
        @OptionGroup var location: Location
        @Option(help: "The host settings file, for grants and overrides (default: Config/argo.yaml).")
        var config = "Config/argo.yaml"

        func run() throws {
            let (_, plugins, failures) = try location.load()
            let environment = ProcessInfo.processInfo.environment
            let setups: [SourceSetup]
            do {
                let settings = try ArgoConfig(file: try ConfigFile.load(path: config, environment: environment))
                setups = try SourceSetup.all(plugins: plugins, config: settings, consensus: ConsensusSettings(),
                                             environment: environment)
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
                let granted = setup.grant.env.isEmpty
                    ? "nothing"
                    : "\(setup.grant.env.joined(separator: ", ")) to \(setup.grant.origins.joined(separator: ", ")) (\(setup.grant.origin))"
                return [m.name, role, String(format: "%.2f", setup.weight), status, granted, m.file]
            }
            try printLine(TextTable(header: ["SOURCE", "ROLE", "WEIGHT", "STATUS", "GRANTED", "FILE"], rows: rows).rendered)
            for failure in failures { printError("broken: \(failure)") }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load and validate every plugin; exit 1 if any is broken or none is found.")
        @OptionGroup var location: Location

        func run() throws {
            let (directory, plugins, failures) = try location.load()
            for plugin in plugins {
                try printLine("ok     \(plugin.name) (\(plugin.file))")
            }
            for failure in failures {
                try printLine("error  \(failure)")
            }
            try printLine("\(plugins.count) ok, \(failures.count) broken, in \(directory.path)/")
            if plugins.isEmpty || !failures.isEmpty { throw ExitCode(1) }
        }
    }
}
