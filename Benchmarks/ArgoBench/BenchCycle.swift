import ArgoCore
import ArgoEngine
import ArgoPlugins
import Foundation

/// The benchmark's own cycle, built from the engine's steps (a source, the
/// market-data chain, the decision), with each of the seed analysis's fixes as
/// a switch. All off, it is the seed's service ("before"); one off at a time, it
/// shows what that fix contributes. Production code has none of these switches:
/// `SignalEngine.runCycle` always runs with every fix.
struct BenchCycle: Sendable {
    /// Symbols run concurrently (up to `cycle.max_concurrent_symbols`); off: one after another.
    var parallelSymbols = true
    /// Per symbol, the chain and the independent sources start together; off: one after another.
    var parallelSources = true
    /// Regime detection reuses the chain's bars; off: a second, 200-day request for them, as the seed did.
    var reuseBarsForRegime = true
    /// Connections are kept for the next request; off: the simulator closes each after its answer.
    var pooledConnections = true

    /// The seed's service before its fixes.
    static let seed = BenchCycle(parallelSymbols: false, parallelSources: false, reuseBarsForRegime: false, pooledConnections: false)

    /// One cycle of `symbols` on `engine`'s sources, fetcher and consensus, its
    /// tasks on the Lua threads as the engine's are.
    func run(_ engine: SignalEngine, symbols: [String]) async -> CycleReport {
        await withTaskExecutorPreference(PluginHost.executor) { await cycle(engine, symbols: symbols) }
    }

    private func cycle(_ engine: SignalEngine, symbols: [String]) async -> CycleReport {
        let started = ContinuousClock.now
        let deadline = started + .milliseconds(Int64(engine.config.cycleDeadline * 1000))
        let contexts = engine.contexts(now: Int64(Date().timeIntervalSince1970))
        var signals: [SymbolSignal] = []
        if parallelSymbols {
            await withTaskGroup(of: SymbolSignal.self) { group in
                var next = 0
                while next < min(symbols.count, engine.config.maxConcurrentSymbols) {
                    let symbol = symbols[next]
                    group.addTask { await self.symbol(symbol, engine: engine, deadline: deadline, contexts: contexts) }
                    next += 1
                }
                while let signal = await group.next() {
                    signals.append(signal)
                    if next < symbols.count {
                        let symbol = symbols[next]
                        group.addTask { await self.symbol(symbol, engine: engine, deadline: deadline, contexts: contexts) }
                        next += 1
                    }
                }
            }
            let order = Dictionary(symbols.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            signals.sort { (order[$0.symbol] ?? 0) < (order[$1.symbol] ?? 0) }
        } else {
            for symbol in symbols { signals.append(await self.symbol(symbol, engine: engine, deadline: deadline, contexts: contexts)) }
        }
        let info = CycleReport.Info(id: "bench", startedAt: "", durationMs: started.duration(to: .now).seconds * 1000,
                                    symbols: symbols.count, deadlineS: engine.config.cycleDeadline)
        return CycleReport(cycle: info, signals: signals, errors: [], stats: CycleReport.Stats())
    }

    private func symbol(_ symbol: String, engine: SignalEngine, deadline: ContinuousClock.Instant,
                        contexts: [String: PluginContext]) async -> SymbolSignal {
        var outcomes: [String: SourceOutcome] = [:]
        let chain: MarketChainResult
        if parallelSources {
            chain = await withTaskGroup(of: (String, SourceOutcome).self) { group in
                for name in engine.independentSources {
                    group.addTask { (name, await engine.runSource(named: name, symbol: symbol, deadline: deadline, ctx: contexts[name]!).0) }
                }
                let chain = await engine.runMarketChain(symbol, deadline: deadline, contexts: contexts)
                for await (name, outcome) in group { outcomes[name] = outcome }
                return chain
            }
        } else {
            chain = await engine.runMarketChain(symbol, deadline: deadline, contexts: contexts)
            for name in engine.independentSources {
                outcomes[name] = await engine.runSource(named: name, symbol: symbol, deadline: deadline, ctx: contexts[name]!).0
            }
        }
        outcomes.merge(chain.outcomes) { _, new in new }
        var regimeBars: [Bar]?
        if !reuseBarsForRegime, let source = chain.source {
            // The seed's second request: a 200-day window fetched again for regime detection.
            let ctx = engine.contexts(now: Int64(Date().timeIntervalSince1970), barsNeeded: 200)[source]!
            regimeBars = await engine.runSource(named: source, symbol: symbol, deadline: deadline, ctx: ctx).1 ?? []
        }
        return await engine.decide(symbol, outcomes: outcomes, chain: chain, regimeBars: regimeBars, deadline: deadline)
    }
}
