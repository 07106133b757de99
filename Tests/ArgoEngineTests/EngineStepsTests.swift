import ArgoCore
import ArgoEngine
import ArgoFetch
import ArgoSimulator
import Foundation
import Testing

@Suite("Engine: its steps, composed one after another, give the cycle's signals")
struct EngineStepsTests {
    @Test("chain, sources and decision by hand, bars fetched twice, no keep-alive: the same signals as a cycle")
    func stepsGiveSameSignals() async throws {
        let symbols = ["UPTR", "DNTR", "FLAT", "CRSH"]
        let cycle = try await withEngine { engine, _ in await engine.runCycle(symbols: symbols) }
        try await withEngine { engine, sim in
            sim.closesConnections = true
            let deadline = ContinuousClock.now + .seconds(60)
            let contexts = engine.contexts(now: Int64(Date().timeIntervalSince1970))
            var signals: [SymbolSignal] = []
            for symbol in symbols {
                let chain = await engine.runMarketChain(symbol, deadline: deadline, contexts: contexts)
                var outcomes = chain.outcomes
                for name in engine.independentSources {
                    outcomes[name] = await engine.runSource(named: name, symbol: symbol, deadline: deadline, ctx: contexts[name]!).0
                }
                let source = try #require(chain.source)
                let window = engine.contexts(now: Int64(Date().timeIntervalSince1970), barsNeeded: 200)[source]!
                let regimeBars = await engine.runSource(named: source, symbol: symbol, deadline: deadline, ctx: window).1
                signals.append(await engine.decide(symbol, outcomes: outcomes, chain: chain, regimeBars: regimeBars, deadline: deadline))
            }
            for (a, b) in zip(cycle.signals, signals) {
                #expect(a.symbol == b.symbol && a.direction == b.direction && a.confidence == b.confidence && a.regime == b.regime, "\(a.symbol)")
                #expect(Set(a.sources.keys) == Set(b.sources.keys), "disabled sources are named in both")
            }
            let alpaca = try #require(sim.stats.routes["alpaca"])
            #expect(alpaca.requests == 8, "bars, then the 200-day window again, per symbol")
            #expect(alpaca.connections == 8, "the simulator closed each connection after its answer")
            let disabled = await engine.runSource(named: "no_such_source", symbol: "UPTR", deadline: deadline, ctx: contexts.values.first!)
            #expect(disabled.0.status == .disabled && disabled.1 == nil)
        }
    }
}
