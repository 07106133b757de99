import ArgoAnalytics
import ArgoCore
import ArgoEngine
import ArgoPlugins
import ArgoService
import ArgoStore
import ArgumentParser
import Foundation

/// `argo weights suggest`.
struct WeightsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights", abstract: "Consensus weights from evidence.", subcommands: [Suggest.self])

    struct Suggest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose consensus weights fitted on earlier days and judged on later ones.",
            discussion: """
                From a backtest (--from/--to) or the live history (--history): each source's weight is proportional \
                to its information coefficient on the first 70% of the days, shrunk toward zero by n/(n+200) and \
                never below zero, keeping the current total. The proposal and the current weights are then scored \
                on the remaining days only. Prints the change as a diff of consensus.lua; --write applies it, \
                keeping the file's comments. docs/scorecard.md says why this method.
                """)

        @Option(help: ArgumentHelp("Backtest from this day (YYYY-MM-DD).", valueName: "date"))
        var from: String?

        @Option(help: ArgumentHelp("Backtest through this day (YYYY-MM-DD; default: the latest bar).", valueName: "date"))
        var to: String?

        @Flag(help: "Fit on the live signals argo run stored instead of a backtest.")
        var history = false

        @Option(help: "Comma-separated symbols (default: `symbols` in the settings, or every symbol in the history).")
        var symbols: String?

        @Option(help: "The horizon fitted, in trading days.")
        var horizon = 5

        @Flag(help: "Write the proposal into consensus.lua.")
        var write = false

        @OptionGroup var options: Runtime.Options

        func validate() throws {
            try CycleCommand.validate(symbols: symbols)
            if history == (from != nil) { throw ValidationError("give either --from (a backtest) or --history (the live signals)") }
            for value in [from, to].compactMap({ $0 }) where value.range(of: BacktestCommand.dayPattern, options: .regularExpression) == nil {
                throw ValidationError("--from and --to must be days such as 2021-01-04, got '\(value)'")
            }
            if !(1...252).contains(horizon) { throw ValidationError("--horizon must be from 1 to 252 trading days") }
        }

        func run() async throws {
            let runtime = try await Runtime.start(options)
            let engine = runtime.engine
            let demoStore = BacktestCommand.demoStorePath("weights", demo: options.demo)
            defer { BacktestCommand.removeStore(demoStore) }
            let store = try await BacktestCommand.openBarStore(demoStore, runtime: runtime)
            let progress = ProgressLine(enabled: isatty(STDERR_FILENO) == 1)
            let days: [DayCalls]
            let current: [String: Double]
            if let from {
                let list = CycleCommand.symbolList(symbols) ?? engine.config.symbols
                let (histories, failures) = await BacktestCommand.histories(list, from: from, engine: engine, store: store, progress: progress)
                for failure in failures { printError("argo: \(failure.symbol): \(failure.error)") }
                let last = to ?? histories.values.compactMap { $0.bars.last?.date }.max() ?? from
                let report = await engine.backtest(histories, from: from, to: last, horizons: [horizon], keepSignals: true)
                days = Self.days(report.signals ?? [], histories: histories, horizon: horizon)
                current = Dictionary(uniqueKeysWithValues: engine.backtestSources.included.map { ($0.name, $0.weight) })
                for (reason, sources) in Dictionary(grouping: report.backtest.excluded, by: \.reason).sorted(by: { $0.key < $1.key }) {
                    printError("argo: \(sources.map(\.source).joined(separator: ", ")) keep their weights: \(reason)")
                }
            } else {
                (days, current) = try await Self.historyDays(engine: engine, store: store, symbols: symbols, horizon: horizon, progress: progress)
            }
            progress.clear()
            try? store.close()
            await runtime.shutdown()
            guard let suggestion = WeightSuggestion.suggest(days, current: current, horizon: horizon, settings: engine.host.consensus) else {
                printError("argo: too few days to fit on some and judge on others (\(Set(days.map(\.day)).count); at least \(2 * horizon + 10) are needed)")
                throw ExitCode(1)
            }
            try print(suggestion)
            let path = Workspace(configPath: try options.settings.configPath()).consensusPath
            let text = (FileManager.default.contents(atPath: path)).map { String(decoding: $0, as: UTF8.self) } ?? "return {\n}\n"
            let rewritten = ConsensusWeightsEdit.rewrite(text, weights: suggestion.proposed)
            let diff = ConsensusWeightsEdit.diff(text, rewritten, path: path)
            try printLine()
            if diff.isEmpty {
                try printLine("the proposal is the current weights: nothing to change")
                return
            }
            for line in diff { try printLine(line) }
            if write {
                do {
                    try rewritten.write(toFile: path, atomically: true, encoding: .utf8)
                } catch {
                    printError("argo: cannot write \(path): \(error.localizedDescription)")
                    throw ExitCode(1)
                }
                try printLine("wrote \(path)")
            } else {
                try printLine("(--write applies it; the file's comments and layout are kept)")
            }
        }

        func print(_ suggestion: WeightSuggestion) throws {
            try printLine("fitted on \(suggestion.fitDays.first) → \(suggestion.fitDays.last), judged on \(suggestion.testDays.first) → "
                + "\(suggestion.testDays.last); horizon \(suggestion.horizon) trading days")
            try printLine("weight ∝ IC on the fitting days × n/(n + \(Int(WeightSuggestion.shrinkage))), never below 0, the current total kept")
            let rows = suggestion.current.keys.sorted().map { source -> [String] in
                let fit = suggestion.fitted[source]
                return [source, String(format: "%.3f", suggestion.current[source] ?? 0), String(format: "%.3f", suggestion.proposed[source] ?? 0),
                        fit?.ic.map { String(format: "%+.3f", $0) } ?? "-", "\(fit?.observations ?? 0)"]
            }
            try printLine(TextTable(header: ["SOURCE", "CURRENT", "PROPOSED", "FIT IC", "FIT OBS"], rows: rows).rendered)
            try printLine()
            try printLine("the consensus on the later days only (out of sample):")
            func cells(_ name: String, _ s: Score) -> [String] {
                [name, "\(s.observations)", s.hitRate.map { String(format: "%.3f", $0) } ?? "-",
                 s.hitRateInterval.map { String(format: "[%.2f, %.2f]", $0.low, $0.high) } ?? "-",
                 s.ic.map { String(format: "%+.3f", $0) } ?? "-", s.icT.map { String(format: "%+.2f", $0) } ?? "-",
                 s.brier.map { String(format: "%.3f", $0) } ?? "-"]
            }
            try printLine(TextTable(header: ["WEIGHTS", "OBS", "HIT", "HIT 95%", "IC", "IC T", "BRIER"],
                                    rows: [cells("current", suggestion.currentScore), cells("proposed", suggestion.proposedScore)]).rendered)
            for note in suggestion.notes { try printLine("note: \(note)") }
        }

        /// Each symbol's day from a backtest's signals, with the forward return at `horizon`.
        static func days(_ signals: [DaySignal], histories: [String: SymbolHistory], horizon: Int) -> [DayCalls] {
            let indexes = histories.mapValues { $0.indexByDay() }
            var days: [String: DayCalls] = [:]
            for signal in signals where signal.source != "consensus" {
                guard let index = indexes[signal.symbol]?[signal.date],
                      let forward = histories[signal.symbol]?.forwardReturn(from: index, horizon: horizon) else { continue }
                let key = signal.symbol + "|" + signal.date
                var day = days[key] ?? DayCalls(symbol: signal.symbol, day: signal.date, regime: signal.regime, calls: [:], forwardReturn: forward)
                day.calls[signal.source] = (signal.direction, signal.confidence)
                days[key] = day
            }
            return days.values.sorted { ($0.day, $0.symbol) < ($1.day, $1.symbol) }
        }

        /// Each symbol's day from the stored live signals (the newest of a day, as `argo evaluate` takes
        /// them), with the forward return at `horizon`, and the current weights of the sources seen.
        static func historyDays(
            engine: SignalEngine, store: SignalStore, symbols: String?, horizon: Int, progress: ProgressLine
        ) async throws -> ([DayCalls], [String: Double]) {
            let wanted = CycleCommand.symbolList(symbols).map(Set.init)
            let live = try await store.history(limit: Int(Int32.max)).filter { wanted?.contains($0.signal.symbol) ?? true }.compactMap(\.liveSignal)
            let (histories, failures) = await BarHistory(engine: engine, store: store).histories(from: Evaluation.firstDays(live)) { done, total in
                progress.show("bars: \(done)/\(total) symbols")
            }
            for failure in failures { printError("argo: \(failure.symbol): \(failure.error)") }
            let indexes = histories.mapValues { $0.indexByDay() }
            var seen = Set<String>()
            var days: [DayCalls] = []
            var weights: [String: Double] = [:]
            for signal in live where seen.insert(signal.symbol + "|" + signal.day).inserted {
                guard let index = indexes[signal.symbol]?[signal.day],
                      let forward = histories[signal.symbol]?.forwardReturn(from: index, horizon: horizon) else { continue }
                var calls: [String: (direction: Direction, confidence: Double)] = [:]
                for call in signal.calls where call.source != "consensus" {
                    calls[call.source] = (call.direction, call.confidence)
                    weights[call.source] = engine.sources.first { $0.name == call.source }?.weight ?? 0
                }
                days.append(DayCalls(symbol: signal.symbol, day: signal.day, regime: signal.regime, calls: calls, forwardReturn: forward))
            }
            return (days, weights)
        }
    }
}
