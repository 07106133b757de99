import ArgoCore
import ArgoEngine
import ArgoService
import ArgoStore
import ArgumentParser
import Foundation

/// `argo evaluate`: the scorecard of the signals `argo run` stored, each scored
/// against the bars that came after it (contract section 7).
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score the stored live signals against what the prices did next.",
        discussion: """
            Reads the history argo run stored. A symbol's day counts once, with the newest signal stored for it \
            (the one standing at the close); each source's call and the consensus are scored against the closes \
            that followed the last bar the signal saw, fetched into the bar store as needed. A horizon the \
            history is too young for is named. docs/scorecard.md explains each figure.
            """)

    @Option(help: "Comma-separated symbols (default: every symbol in the history).")
    var symbols: String?

    @Option(help: ArgumentHelp("Only signals stored on or after this day (YYYY-MM-DD).", valueName: "date"))
    var since: String?

    @Option(help: "Comma-separated horizons in trading days.")
    var horizons = "1,5,10,20"

    @Option(help: "table or json.")
    var format: BacktestCommand.Format = .table

    @OptionGroup var options: Runtime.Options

    func validate() throws {
        try CycleCommand.validate(symbols: symbols)
        if let since, since.range(of: BacktestCommand.dayPattern, options: .regularExpression) == nil {
            throw ValidationError("--since must be a day such as 2026-12-01, got '\(since)'")
        }
        if BacktestCommand.horizons(horizons) == nil { throw ValidationError("--horizons must be whole numbers of trading days from 1 to 252, such as 1,5,10,20") }
    }

    func run() async throws {
        let runtime = try await Runtime.start(options)
        let demoBars = BacktestCommand.demoStorePath("evaluate", demo: options.demo)
        defer { BacktestCommand.removeStore(demoBars) }
        let history: SignalStore
        do {
            history = try runtime.openStore()
        } catch {
            await runtime.shutdown()
            throw error
        }
        // The demo's prices are the simulator's: its bars go in a store of their own, not among real ones.
        let bars = demoBars == nil ? history : try await BacktestCommand.openBarStore(demoBars, runtime: runtime)
        let wanted = CycleCommand.symbolList(symbols).map(Set.init)
        let entries: [HistoryEntry]
        do {
            entries = try await history.history(limit: Int(Int32.max), since: since).filter { wanted?.contains($0.signal.symbol) ?? true }
        } catch {
            printError("argo: \(error)")
            await runtime.shutdown()
            throw ExitCode(1)
        }
        let live = entries.compactMap(\.liveSignal)
        let progress = ProgressLine(enabled: isatty(STDERR_FILENO) == 1)
        let (histories, failures) = await BarHistory(engine: runtime.engine, store: bars).histories(from: Evaluation.firstDays(live)) { done, total in
            progress.show("bars: \(done)/\(total) symbols")
        }
        progress.clear()
        var report = Evaluation.evaluate(live, histories: histories, horizons: BacktestCommand.horizons(horizons) ?? [1])
        report.errors = (failures + report.errors).sorted { $0.symbol < $1.symbol }
        try? history.close()
        if demoBars != nil { try? bars.close() }
        await runtime.shutdown()
        try ScorecardTable.print(report, json: format == .json)
    }
}
