import ArgoService
import ArgumentParser
import Foundation

/// `argo`: trading signals from many sources, combined.
@main
struct Argo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "argo",
        abstract: "Trading signals from many market-data, indicator and sentiment sources, combined.",
        discussion: """
            Each source is a Lua plugin in plugins/. See `argo sources check` to validate them.
            Exit status: 0 when the command ran, 1 when nothing could run, 2 for usage errors.
            """,
        version: "argo \(argoVersion)",
        subcommands: [CycleCommand.self, RunCommand.self, HistoryCommand.self, SourcesCommand.self, ConfigCommand.self, DoctorCommand.self, BacktestCommand.self, EvaluateCommand.self, WeightsCommand.self, SimulateCommand.self]
    )

    /// Runs the command; usage errors exit 2 (the contract), not ArgumentParser's 64.
    static func main() async {
        StandardStreams.ignoreBrokenPipes()
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as StandardStreams.WriteError {
            printError("argo: \(error)")
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Argo's version, as `argo --version` prints it.
let argoVersion = "0.5.0"

/// Writes one line to standard error.
func printError(_ line: String) { StandardStreams.errorLine(line) }

/// Writes one line to standard output; a failed write ends the command with status 1.
func printLine(_ line: String = "") throws { try StandardStreams.line(line) }
