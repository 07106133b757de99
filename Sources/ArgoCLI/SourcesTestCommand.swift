import ArgoCore
import ArgoEngine
import ArgoFetch
import ArgoPlugins
import ArgumentParser
import Foundation

/// `argo sources test NAME [--symbol SYM] [--response [NAME=]FILE ...]`: runs a
/// plugin's own examples offline, or parses a saved response file.
struct SourcesTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Check a plugin offline: its examples, or a response saved to a file.",
        discussion: """
            Without --response, runs every example in the plugin's `examples` field and exits 1 if one does not match. \
            With --response FILE (or NAME=FILE for each named request), parses that body as a 200 response for --symbol \
            and prints the bars or the signal.
            """)

    @Argument(help: "The source (plugin) name.")
    var name: String

    @Option(help: "The symbol (default: each example's own).")
    var symbol: String?

    @Option(help: "A saved response body, or NAME=FILE for a plugin with named requests (repeatable).")
    var response: [String] = []

    @OptionGroup var location: SourcesCommand.Location

    func run() async throws {
        let directory = try location.directory(try location.config())
        let host = try PluginHost(directory: directory, consensus: nil, poolSize: 1)
        guard let manifest = host.plugins.first(where: { $0.name == name }) else {
            if let failure = host.failures.first(where: { $0.file.hasSuffix("/\(name).lua") }) { printError("argo: \(failure)") }
            printError("argo: no plugin named '\(name)' loads from \(directory.path)/")
            throw ExitCode(1)
        }
        let ctx = try SourceSetup.offlineContext(for: manifest, consensus: host.consensus)
        if !response.isEmpty {
            var responses: [String?: FetchResponse] = [:]
            for item in response {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                let (key, path) = parts.count == 2 && !FileManager.default.fileExists(atPath: item) ? (Optional(parts[0]), parts[1]) : (nil, item)
                guard let data = FileManager.default.contents(atPath: path) else {
                    printError("argo: cannot read response file '\(path)'")
                    throw ExitCode(1)
                }
                responses[key] = FetchResponse(status: 200, headers: [], body: Array(data), attempts: 0, latency: 0, cacheKey: "file")
            }
            let outcome = await host.run(name, responses: responses, symbol: symbol ?? "AAPL", ctx: ctx)
            try printLine(Self.describe(outcome))
            if outcome.error != nil { throw ExitCode(1) }
            return
        }
        let examples = try await host.examples(name)
        guard !examples.isEmpty else {
            printError("argo: \(manifest.file) has no examples (an `examples` field; see docs/plugins.md)")
            throw ExitCode(1)
        }
        var failed = 0
        for (index, example) in examples.enumerated() {
            let outcome = await host.run(name, responses: example.responses, symbol: symbol ?? example.symbol, ctx: ctx)
            let problems = example.problems + outcome.mismatches(example.expect)
            let label = "example \(index + 1) (\(symbol ?? example.symbol))"
            if problems.isEmpty {
                try printLine("ok    \(label): \(Self.describe(outcome))")
            } else {
                failed += 1
                try printLine("FAIL  \(label): \(problems.joined(separator: "; "))")
            }
        }
        try printLine("\(examples.count - failed) of \(examples.count) examples match in \(manifest.file)")
        if failed > 0 { throw ExitCode(1) }
    }

    static func describe(_ outcome: ExampleOutcome) -> String {
        if let error = outcome.error { return "\(error.kind.rawValue): \(error.message)" }
        var parts: [String] = []
        if let bars = outcome.bars {
            parts.append("\(bars.count) bars" + (bars.last.map { String(format: ", last close %.2f on %@", $0.c, $0.date) } ?? ""))
        }
        if let (direction, confidence, reasoning) = outcome.signal {
            parts.append(String(format: "%@ %.2f — %@", direction.rawValue, confidence, reasoning))
        }
        return parts.joined(separator: "; ")
    }
}
