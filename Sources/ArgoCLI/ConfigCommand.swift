import ArgoEngine
import ArgoPlugins
import ArgoService
import ArgumentParser
import Foundation

/// `argo config`: every setting a cycle would use, and where each came from.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print every effective setting and where it came from.",
        discussion: """
            Each setting's origin is a file and line (Config/argo.yaml, Config/consensus.lua, or the plugin's own \
            default), an ARGO_… environment variable, or built-in. The same checks as `argo cycle` run first: \
            a bad or unknown setting exits 1.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Option(help: "table or json.")
    var format: Format = .table

    @OptionGroup var location: SourcesCommand.Location

    func run() async throws {
        let config = try location.config()
        let directory = try location.directory(config)
        let rows: [EffectiveSetting]
        var warnings: [String] = []
        do {
            warnings += try config.checkSources(directory.files.map(\.stem))
            let host = try PluginHost(directory: directory, consensus: try location.consensus(), poolSize: 1)
            for failure in host.failures { printError("argo: \(failure)") }
            if !host.failures.isEmpty { throw ExitCode(1) }
            warnings += host.warnings
            let sources = try SourceSetup.all(plugins: host.plugins, config: config, consensus: host.consensus,
                                              environment: ProcessInfo.processInfo.environment)
            rows = config.effectiveSettings(sources: sources, consensus: host.consensus, consensusOrigins: host.consensusOrigins)
        } catch let error as ExitCode {
            throw error
        } catch {
            printError("argo: \(error)")
            throw ExitCode(1)
        }
        for warning in warnings { printError("argo: warning: \(warning)") }
        switch format {
        case .table:
            try printLine(TextTable(header: ["SETTING", "VALUE", "FROM"], rows: rows.map { [$0.key, $0.value, $0.origin] }).rendered)
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try StandardStreams.write(Array(try encoder.encode(rows)))
            try printLine()
        }
    }
}
