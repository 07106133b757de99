import ArgoCore
import ArgoEngine
import ArgoService
import ArgoStore
import ArgumentParser
import Foundation

/// `argo cycle`: one cycle for every symbol, printed as a table, JSON or NDJSON.
struct CycleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cycle", abstract: "Run one signal cycle for the watch list and print it.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, ndjson }

    @Option(help: "Comma-separated symbols (default: `symbols` in Config/argo.yaml).")
    var symbols: String?

    @Option(help: "table, json or ndjson.")
    var format: Format = .table

    @OptionGroup var options: Runtime.Options

    @Flag(help: "Do not store the cycle in the history database (storage.path).")
    var noStore = false

    @Flag(help: "After the table, show for every symbol each source's weight × confidence, the vote and the regime adjustment.")
    var explain = false

    /// `--symbols a,b` as upper-case tickers; nil when not given.
    static func symbolList(_ option: String?) -> [String]? {
        option.map { Ticker.normalized($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }) }
    }

    func validate() throws {
        try Self.validate(symbols: symbols)
        if explain, format != .table { throw ValidationError("--explain adds to the table; the JSON already has each source's weight and confidence") }
    }

    /// `--symbols`: at least one, each a ticker.
    static func validate(symbols: String?) throws {
        guard let list = symbolList(symbols) else { return }
        if list.isEmpty { throw ValidationError("--symbols needs at least one symbol") }
        if let bad = list.first(where: { !Ticker.isValid($0) }) {
            throw ValidationError("--symbols: '\(bad)' is not a ticker symbol (1 to 12 letters, digits, '.' or '-')")
        }
    }

    func run() async throws {
        let runtime = try await Runtime.start(options)
        let store: SignalStore?
        do {
            store = noStore ? nil : try runtime.openStore()
        } catch {
            await runtime.shutdown()
            throw error
        }
        runtime.engine.fetcher.expectNextUse(.never)  // one cycle, then the process exits: cache nothing
        let report = await runtime.engine.runCycle(symbols: Self.symbolList(symbols))
        await runtime.shutdown()
        if let store {
            do {
                try await store.save(report)
                try store.close()
            } catch {
                printError("argo: \(error)")
            }
        }
        switch format {
        case .json:
            try StandardStreams.write(Array(try report.json()))
            try printLine()
        case .ndjson:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for signal in report.signals { try printLine(String(decoding: try encoder.encode(signal), as: UTF8.self)) }
        case .table:
            try printLine(CycleTable.render(report, sources: runtime.engine.sources.map(\.name), colour: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil))
            if explain {
                try printLine()
                try printLine(CycleExplanation.render(report, consensus: runtime.engine.host.consensus))
            }
            for error in report.errors { printError("argo: \(error.symbol): \(error.error)") }
        }
    }
}

/// The human-readable cycle: one row per symbol, one column per source.
enum CycleTable {
    /// ANSI colour for a cell: green LONG, red SHORT, yellow errors, dim skipped/disabled.
    static func colour(of cell: String) -> String? {
        if cell == "LONG" || cell.hasPrefix("L0") || cell.hasPrefix("L1") { return "32" }
        if cell == "SHORT" || cell.hasPrefix("S0") || cell.hasPrefix("S1") { return "31" }
        if cell == "CRISIS" || cell.hasPrefix("err:") { return "33" }
        if cell == "skip" || cell == "off" { return "2" }
        return nil
    }

    static func render(_ report: CycleReport, sources: [String], colour: Bool = false) -> String {
        let rows = report.signals.map { signal -> [String] in
            let cells = sources.map { name -> String in
                guard let outcome = signal.sources[name] else { return "-" }
                switch outcome.status {
                case .ok, .cached:
                    let mark = outcome.status == .cached ? "*" : ""
                    return "\(outcome.direction.map { String($0.rawValue.prefix(1)) } ?? "?")\(String(format: "%.2f", outcome.confidence ?? 0))\(mark)"
                case .error: return "err:\(outcome.errorKind ?? "?")"
                case .skipped: return "skip"
                case .disabled: return "off"
                }
            }
            let market = signal.marketData.map { String(format: "%.2f %@", $0.lastClose, $0.asOf) } ?? "-"
            return [signal.symbol, signal.direction.rawValue, String(format: "%.2f", signal.confidence), signal.regime.rawValue, market] + cells
        }
        var table = TextTable(header: ["SYMBOL", "SIGNAL", "CONF", "REGIME", "LAST CLOSE"] + sources.map { $0.uppercased() }, rows: rows)
        if colour { table.colour = Self.colour(of:) }
        let stats = report.stats
        let footer = String(format: "cycle %@: %d symbols in %.1f ms; %d HTTP requests, %d cache hits, %d retries",
                            String(report.cycle.id.prefix(8)), report.cycle.symbols, report.cycle.durationMs, stats.httpRequests, stats.cacheHits, stats.retries)
        let legend = "(L/S/N = LONG/SHORT/NEUTRAL with confidence; * cached; err:kind; skip = not needed; off = disabled)"
        let notes = sourceNotes(report, sources: sources)
        return ([table.rendered, footer, legend] + notes).joined(separator: "\n")
    }

    /// One line per source that was off or failed, with why: `xai_grok: disabled — missing XAI_API_KEY`,
    /// `alpha_vantage: failed for 6 of 6 symbols — rate_limited: HTTP 429 (and 1 other reason)`.
    static func sourceNotes(_ report: CycleReport, sources: [String]) -> [String] {
        sources.compactMap { name -> String? in
            let outcomes = report.signals.compactMap { $0.sources[name] }
            if let disabled = outcomes.first(where: { $0.status == .disabled }) {
                return "\(name): disabled — \(disabled.reason ?? "no reason given")"
            }
            let failed = outcomes.filter { $0.status == .error }
            guard let first = failed.first else { return nil }
            let reasons = Set(failed.map { "\($0.errorKind ?? "error"): \($0.error ?? "")" })
            let more = reasons.count > 1 ? " (and \(reasons.count - 1) other reason\(reasons.count > 2 ? "s" : ""))" : ""
            return "\(name): failed for \(failed.count) of \(outcomes.count) symbols — \(first.errorKind ?? "error"): \(first.error ?? "")\(more)"
        }
    }
}
