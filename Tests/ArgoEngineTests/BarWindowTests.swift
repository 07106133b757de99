import ArgoCore
@testable import ArgoEngine
import ArgoFetch
@testable import ArgoPlugins
import ArgoSimulator
import Testing

/// The market-data plugins ask for a window of calendar days from `ctx.now`;
/// it must hold `ctx.bars_needed` NYSE trading days on any day of the year:
/// with 15 spare days, Alpaca's window held 259 of 260 on some days.
@Suite("Engine: market-data windows hold the bars needed on every day")
struct BarWindowTests {
    @Test("Alpaca's start, Massive's from date and Yahoo's period1, every day of 400 from 2026-01-01, for 200 and 260 bars", arguments: ["alpaca", "massive", "yfinance"])
    func windows(plugin: String) async throws {
        let host = try PluginHost(directory: try PluginDirectory(path: Repo.plugins), consensusPath: nil, poolSize: 1)
        let manifest = try #require(host.plugins.first { $0.name == plugin })
        let setup = try SourceSetup.all(plugins: [manifest], config: ArgoConfig(file: ConfigFile(environment: [:])),
                                        consensus: host.consensus, environment: [:], placeholderKeys: true)[0]
        let first = TradingDay(year: 2026, month: 1, day: 1)
        for offset in 0..<400 {
            // A few thousand plugin calls: let the suites' network tests run between them.
            await Task.yield()
            let today = first.adding(days: offset)
            for needed in [200, 260] {
                let ctx = setup.context(now: Int64(today.daysSinceEpoch) * 86_400 + 15 * 3_600, barsNeeded: needed)
                let request = try #require(try await host.request(plugin, symbol: "AAPL", ctx: ctx, redactor: Redactor(secrets: []))[nil])
                let from = try #require(Self.startDay(of: request, plugin: plugin), "\(request.path)")
                let held = (from.daysSinceEpoch...today.daysSinceEpoch).count { TradingDay(daysSinceEpoch: $0).isTradingDay }
                #expect(held >= needed, "\(plugin) on \(today): \(held) trading days from \(from) for \(needed)")
                if held < needed { return }
            }
        }
    }

    /// The window's first day: Alpaca's `start`, Massive's `from` path segment, Yahoo's `period1` (a session
    /// counts when it opens at or after period1: the day of period1 counts only if period1 is before 14:30 UTC).
    static func startDay(of request: PluginRequest, plugin: String) -> TradingDay? {
        switch plugin {
        case "alpaca": return request.query.first { $0.name == "start" }.flatMap { TradingDay(iso: Substring($0.value)) }
        case "yfinance":
            guard let seconds = request.query.first(where: { $0.name == "period1" }).flatMap({ Int($0.value) }) else { return nil }
            let day = TradingDay(daysSinceEpoch: seconds / 86_400)
            return seconds % 86_400 <= 14 * 3_600 + 1_800 ? day : day.adding(days: 1)
        default: return request.path.split(separator: "/").dropLast().last.flatMap { TradingDay(iso: $0) }
        }
    }
}
