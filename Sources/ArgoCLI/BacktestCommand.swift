import ArgoCore
import ArgoEngine
import ArgoService
import ArgoStore
import ArgumentParser
import Foundation

/// `argo backtest`: the cycle replayed point in time over stored daily bars,
/// and a scorecard per source and for the consensus (contract section 7).
struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay the cycle over past days and score each source and the consensus.",
        discussion: """
            Bars come from the bar store in the history database; what it lacks is fetched once through the \
            market-data chain. For each symbol and trading day, the window is the cycle.bars_needed bars up to and \
            including that day: the host computes indicators and regime, each source whose parse returns bars runs \
            its signal, then the consensus of consensus.lua. Sources that cannot be replayed honestly are left out \
            and named. docs/scorecard.md explains each figure.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Option(help: "Comma-separated symbols (default: `symbols` in the settings).")
    var symbols: String?

    @Option(help: ArgumentHelp("The first day scored (YYYY-MM-DD).", valueName: "date"))
    var from: String

    @Option(help: ArgumentHelp("The last day scored (YYYY-MM-DD; default: the latest bar).", valueName: "date"))
    var to: String?

    @Option(help: "Comma-separated horizons in trading days.")
    var horizons = "1,5,10,20"

    @Option(help: "table or json.")
    var format: Format = .table

    @Flag(help: "Add every day's signals to the JSON.")
    var signals = false

    @OptionGroup var options: Runtime.Options

    static let dayPattern = #"^\d{4}-\d{2}-\d{2}$"#

    func validate() throws {
        try CycleCommand.validate(symbols: symbols)
        for (name, value) in [("--from", from), ("--to", to ?? "2000-01-01")] where value.range(of: Self.dayPattern, options: .regularExpression) == nil {
            throw ValidationError("\(name) must be a day such as 2021-01-04, got '\(value)'")
        }
        if let to, to < from { throw ValidationError("--to \(to) is before --from \(from)") }
        if horizonList == nil { throw ValidationError("--horizons must be whole numbers of trading days from 1 to 252, such as 1,5,10,20") }
        if signals, format != .json { throw ValidationError("--signals adds to the JSON: use --format json") }
    }

    var horizonList: [Int]? { Self.horizons(horizons) }

    /// `1,5,10,20` as sorted distinct trading days from 1 to 252; nil when it is not that.
    static func horizons(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0.map { (1...252).contains($0) } == true }) else { return nil }
        return Array(Set(parts.compactMap { $0 })).sorted()
    }

    func run() async throws {
        let runtime = try await Runtime.start(options)
        let demoStore = Self.demoStorePath("backtest", demo: options.demo)
        defer { Self.removeStore(demoStore) }
        let store = try await Self.openBarStore(demoStore, runtime: runtime)
        let engine = runtime.engine
        let list = CycleCommand.symbolList(symbols) ?? engine.config.symbols
        let progress = ProgressLine(enabled: isatty(STDERR_FILENO) == 1)
        let (histories, failures) = await Self.histories(list, from: from, engine: engine, store: store, progress: progress)
        let last = to ?? histories.values.compactMap { $0.bars.last?.date }.max() ?? from
        var report = await engine.backtest(histories, from: from, to: last, horizons: horizonList ?? [1], keepSignals: signals) { done, total in
            progress.show("replay: \(done)/\(total) symbols")
        }
        progress.clear()
        report.errors = (failures + report.errors).sorted { $0.symbol < $1.symbol }
        try? store.close()
        await runtime.shutdown()
        try ScorecardTable.print(report, json: format == .json)
        if histories.isEmpty { throw ExitCode(1) }
    }

    /// Each symbol's bars from far enough before `from` for its first window
    /// (cycle.bars_needed trading days), from the bar store or fetched into it.
    static func histories(
        _ symbols: [String], from: String, engine: SignalEngine, store: SignalStore, progress: ProgressLine
    ) async -> (histories: [String: SymbolHistory], failures: [CycleReport.SymbolError]) {
        let reach = Int64(Double(engine.config.barsNeeded) * 7 / 5) + 10
        let fetchFrom = Bar.date(of: (Bar.timestamp(from) ?? 0) - reach * 86_400)
        return await BarHistory(engine: engine, store: store).histories(from: Dictionary(uniqueKeysWithValues: symbols.map { ($0, fetchFrom) })) { done, total in
            progress.show("bars: \(done)/\(total) symbols")
        }
    }

    /// The store a command's bars go in: with --demo a temporary one (the simulator's prices are not real ones).
    static func demoStorePath(_ command: String, demo: Bool) -> String? {
        demo ? FileManager.default.temporaryDirectory.appendingPathComponent("argo-\(command)-\(getpid()).sqlite").path : nil
    }

    /// The bar store: the temporary one at `demoPath`, else the history database; exits 1 naming it when it cannot be opened.
    static func openBarStore(_ demoPath: String?, runtime: Runtime) async throws -> SignalStore {
        do {
            return try demoPath.map { try SignalStore(path: $0) } ?? runtime.openStore()
        } catch {
            await runtime.shutdown()
            if let error = error as? StoreError { printError("argo: \(error)") }
            throw ExitCode(1)
        }
    }

    /// Removes a temporary store and its WAL files.
    static func removeStore(_ path: String?) {
        if let path { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    }
}

/// A line on standard error that rewrites itself, for long runs on a terminal.
struct ProgressLine: Sendable {
    let enabled: Bool

    func show(_ text: String) {
        guard enabled else { return }
        StandardStreams.error("\r\u{1B}[2K" + text)
    }

    func clear() {
        guard enabled else { return }
        StandardStreams.error("\r\u{1B}[2K")
    }
}

/// The scorecard as a table: one row per source, horizon and regime.
enum ScorecardTable {
    /// Prints `report` as JSON on standard output, or as the table with its notes and errors on standard error.
    static func print(_ report: BacktestReport, json: Bool) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try StandardStreams.write(Array(try encoder.encode(report)))
            try printLine()
            return
        }
        if report.backtest.days == 0, let note = report.notes.first {
            try printLine(note)
        } else {
            try printLine(render(report))
            for note in report.notes { printError("argo: \(note)") }
        }
        for error in report.errors { printError("argo: \(error.symbol): \(error.error)") }
    }

    static func render(_ report: BacktestReport) -> String {
        func number(_ value: Double?, _ format: String = "%.3f") -> String { value.map { String(format: format, $0) } ?? "-" }
        let rows = report.scores.map { row -> [String] in
            let s = row.score
            let interval = s.hitRateInterval.map { String(format: "[%.2f, %.2f]", $0.low, $0.high) } ?? "-"
            return [row.source, "\(row.horizon)", row.regime, "\(s.observations)", "\(s.directional)", number(s.abstainRate, "%.2f"),
                    number(s.hitRate, "%.3f"), interval, number(s.meanReturnLong.map { $0 * 100 }, "%+.2f%%"),
                    number(s.meanReturnShort.map { $0 * 100 }, "%+.2f%%"), number(s.ic, "%+.3f"), number(s.icT, "%+.2f"), number(s.brier, "%.3f")]
        }
        let header = report.backtest
        var lines = ["\(report.kind) \(header.from) → \(header.to): \(header.symbols.count) symbol\(header.symbols.count == 1 ? "" : "s"), \(header.days) trading days; "
            + "horizons \(header.horizons.map(String.init).joined(separator: ", ")) days"]
        lines.append(TextTable(header: ["SOURCE", "H", "REGIME", "OBS", "DIR", "ABSTAIN", "HIT", "HIT 95%", "LONG R", "SHORT R", "IC", "IC T", "BRIER"],
                               rows: rows).rendered)
        // One line per reason: the same reason for three sources is read once.
        for (reason, sources) in Dictionary(grouping: header.excluded, by: \.reason).sorted(by: { $0.key < $1.key }) {
            lines.append("left out: \(sources.map(\.source).joined(separator: ", ")) — \(reason)")
        }
        lines.append("(H: horizon in trading days; HIT: share of LONG/SHORT calls the return agreed with; IC: rank correlation of the signed confidence with the return; docs/scorecard.md)")
        return lines.joined(separator: "\n")
    }
}
