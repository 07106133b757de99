import ArgoCore
import ArgoEngine
import ArgoFetch
import ArgoPlugins
import ArgoSimulator
import Foundation

/// `argo backtest`'s replay alone, on bars already in memory (as after the bar
/// store is filled): ten years of one symbol, then many symbols over five
/// years. CPU and wall time of the replay, per symbol and per symbol-day.
struct BacktestRun: Codable {
    struct Row: Codable {
        var symbols: Int
        var days: Int
        var wallSeconds: Double
        var cpuSeconds: Double
        var cpuMicrosecondsPerSymbolDay: Double
    }

    var rows: [Row]

    var markdown: String {
        "| symbols | trading days each | wall | CPU s | CPU µs per symbol-day |\n| ---: | ---: | ---: | ---: | ---: |\n"
            + rows.map { String(format: "| %d | %d | %.2f s | %.2f | %.0f |", $0.symbols, $0.days, $0.wallSeconds, $0.cpuSeconds, $0.cpuMicrosecondsPerSymbolDay) }
                .joined(separator: "\n")
    }

    static func measure(root: String, symbols: Int) async throws -> BacktestRun {
        let config = try ArgoConfig(file: ConfigFile(environment: [:]))
        let host = try PluginHost(directory: PluginDirectory(path: root + "/plugins"), consensusPath: root + "/Config/consensus.lua")
        let sources = try SourceSetup.all(plugins: host.plugins, config: config, consensus: host.consensus, environment: [:], placeholderKeys: true)
        let engine = SignalEngine(config: config, host: host, fetcher: Fetcher(transport: HTTPTransport()), sources: sources)
        let today = TradingDay(year: 2026, month: 11, day: 24)
        let market = SimulatedMarket(today: today, historyDays: 2_520 + 400)
        func history(_ symbol: String, days: Int) -> SymbolHistory {
            let bars = market.bars(symbol).suffix(days + config.barsNeeded + 30).map { bar in
                Bar(t: Int64(bar.day.sessionOpen), o: bar.open, h: bar.high, l: bar.low, c: bar.close, v: Double(bar.volume))
            }
            return SymbolHistory(source: "alpaca", bars: Array(bars))
        }
        var rows: [Row] = []
        for (count, days) in [(1, 2_520), (symbols, 1_260)] {
            let histories = Dictionary(uniqueKeysWithValues: watchList(count).map { ($0, history($0, days: days)) })
            let from = histories.values.first!.bars[config.barsNeeded + 30].date
            let cpu = ProcessUsage.cpuSeconds(), started = ContinuousClock.now
            let report = await engine.backtest(histories, from: from, to: "9999-12-31", horizons: [1, 5, 10, 20])
            let wall = started.duration(to: .now).seconds, used = ProcessUsage.cpuSeconds() - cpu
            let scored = report.backtest.days
            rows.append(Row(symbols: count, days: scored, wallSeconds: wall, cpuSeconds: used, cpuMicrosecondsPerSymbolDay: used * 1e6 / Double(count * scored)))
            log(String(format: "backtest %d symbols × %d days: %.2f s wall, %.2f CPU s", count, scored, wall, used))
        }
        return BacktestRun(rows: rows)
    }
}
