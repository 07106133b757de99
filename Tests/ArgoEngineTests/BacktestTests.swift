import ArgoCore
@testable import ArgoEngine
import Foundation
import Testing

@Suite("Backtest: point in time over stored bars")
struct BacktestTests {
    /// Five years of one symbol's bars through the market-data chain of the simulator.
    static func history(_ engine: SignalEngine, _ symbol: String) async throws -> SymbolHistory {
        let contexts = engine.contexts(now: Int64(Date().timeIntervalSince1970), barsNeeded: 1_200)
        let chain = await engine.runMarketChain(symbol, deadline: .now + .seconds(30), contexts: contexts)
        return SymbolHistory(source: try #require(chain.source), bars: chain.bars)
    }

    @Test("cutting the bars after a day changes no signal of that day or before: nothing looks ahead")
    func noLookAhead() async throws {
        try await withEngine { engine, _ in
            let full = try await Self.history(engine, "AAPL")
            #expect(full.bars.count > 800)
            let from = full.bars[400].date, cut = full.bars[600].date, end = full.bars[700].date
            let whole = await engine.backtest(["AAPL": full], from: from, to: end, horizons: [1, 5], keepSignals: true)
            let truncated = SymbolHistory(source: full.source, bars: Array(full.bars.prefix { $0.date <= cut }))
            let short = await engine.backtest(["AAPL": truncated], from: from, to: cut, horizons: [1, 5], keepSignals: true)
            let early = (whole.signals ?? []).filter { $0.date <= cut }
            #expect(!early.isEmpty)
            #expect(early == short.signals, "a day's signals depend only on the bars up to it")
            #expect(Set(early.map(\.source)) == ["alpaca", "massive", "yfinance", "consensus"])
            #expect(whole.backtest.days == 301 && short.backtest.days == 201)
        }
    }

    @Test("sources that cannot be replayed are named with the reason; the scores follow the contract's counts")
    func excludedAndCounts() async throws {
        try await withEngine { engine, _ in
            let full = try await Self.history(engine, "MSFT")
            let from = full.bars[300].date, to = full.bars[399].date
            let report = await engine.backtest(["MSFT": full], from: from, to: to, horizons: [1, 20])
            #expect(report.backtest.excluded.map(\.source).sorted() == ["alpha_vantage", "sonar", "xai_grok"])
            #expect(report.backtest.excluded.allSatisfy { $0.reason.contains("past day") })
            let consensus = try #require(report.scores.first { $0.source == "consensus" && $0.horizon == 1 && $0.regime == "ALL" })
            #expect(consensus.score.observations == 100, "100 days, each with a bar a day later")
            let regimes = report.scores.filter { $0.source == "consensus" && $0.horizon == 1 && $0.regime != "ALL" }
            #expect(regimes.map(\.score.observations).reduce(0, +) == 100, "the regimes split the days")
            #expect(report.signals == nil)
        }
    }
}
