import ArgoAnalytics
import ArgoCore
import ArgoFetch
import ArgoPlugins
import Foundation

/// Runs cycles (contract section 1): every symbol concurrently (at most
/// `cycle.max_concurrent_symbols` at once); per symbol the market-data chain
/// and every independent source start together; the chain asks its next source
/// only when the previous one failed; the bars are fetched once and reused for
/// the source's indicators, its signal and the regime; the consensus combines
/// the live signals. Nothing outlives the cycle's deadline, and no source or
/// symbol failing fails the cycle.
public final class SignalEngine: Sendable {
    public let config: ArgoConfig
    public let host: PluginHost
    public let fetcher: Fetcher
    public let sources: [SourceSetup]

    /// The enabled market-data sources in priority order, and the enabled independent ones
    /// (worked out once, not per symbol).
    let marketChain: [RunningSource]
    let independent: [RunningSource]
    /// Each enabled source by name.
    let running: [String: RunningSource]
    /// Hides every source's secrets: a plugin's text (reasoning, errors) passes
    /// through it before it is printed, logged or stored.
    let redactor: Redactor

    public init(config: ArgoConfig, host: PluginHost, fetcher: Fetcher, sources: [SourceSetup]) {
        self.config = config
        self.host = host
        self.fetcher = fetcher
        self.sources = sources
        marketChain = sources.filter { $0.isEnabled && $0.isMarketData }.sorted { ($0.priority, $0.name) < ($1.priority, $1.name) }.map(RunningSource.init)
        independent = sources.filter { $0.isEnabled && !$0.isMarketData }.map(RunningSource.init)
        running = Dictionary(uniqueKeysWithValues: (marketChain + independent).map { ($0.name, $0) })
        for source in sources where source.isEnabled { fetcher.configure(source.policy) }
        redactor = Redactor(secrets: sources.flatMap(\.policy.secrets))
    }

    /// Runs one cycle for `symbols` (the config's when nil). The cycle's tasks run
    /// on Lua threads (``PluginHost/executor``), where plugin calls run in place,
    /// never on the cooperative pool.
    public func runCycle(symbols: [String]? = nil) async -> CycleReport {
        await withTaskExecutorPreference(PluginHost.executor) { await cycle(symbols: symbols) }
    }

    private func cycle(symbols: [String]?) async -> CycleReport {
        let symbols = Ticker.normalized(symbols ?? config.symbols)
        let started = Date()
        let clock = ContinuousClock.now
        let deadline = clock + .milliseconds(Int64(config.cycleDeadline * 1000))
        let before = fetcher.allStats
        let now = Int64(started.timeIntervalSince1970)
        let contexts = contexts(now: now)
        var results: [SymbolSignal] = []
        let firstWave = min(symbols.count, config.maxConcurrentSymbols)
        // The first wave's sources start slowest first (LaunchOrder); a source per symbol from the chain.
        let starters = independent.count + (marketChain.isEmpty ? 0 : 1)
        let launch = firstWave > 1
            ? LaunchOrder(expected: firstWave * starters, ranks: LaunchOrder.ranks(of: sources, fetcher: fetcher)) : nil
        let patience = launch.map { launch in
            Task {
                try? await Task.sleep(for: .milliseconds(250))
                launch.releaseAll()
            }
        }
        await withTaskGroup(of: SymbolSignal.self) { group in
            var next = 0
            func start(in wave: LaunchOrder?) {
                let symbol = symbols[next]
                next += 1
                group.addTask {
                    await LaunchOrder.$current.withValue(wave) { await self.runSymbol(symbol, deadline: deadline, contexts: contexts) }
                }
            }
            while next < firstWave { start(in: launch) }
            while let signal = await group.next() {
                results.append(signal)
                if next < symbols.count { start(in: nil) }
            }
        }
        patience?.cancel()
        launch?.releaseAll()
        let order = Dictionary(symbols.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        results.sort { (order[$0.symbol] ?? 0) < (order[$1.symbol] ?? 0) }
        let chainNames = Set(marketChain.map(\.name))
        let errors = results.compactMap { signal -> CycleReport.SymbolError? in
            // A symbol fails when no market data came back (the chain exists but all of it failed),
            // or when no source at all answered; the reason lists each source's error.
            let live = signal.sources.values.contains { $0.status == .ok || $0.status == .cached }
            guard !live || (signal.marketData == nil && !chainNames.isEmpty) else { return nil }
            let reasons = signal.sources.sorted { $0.key < $1.key }.compactMap { name, outcome in
                outcome.status == .error && (!live || chainNames.contains(name)) ? "\(name): \(outcome.error ?? "error")" : nil
            }
            let what = live ? "no market data" : "no source answered"
            return CycleReport.SymbolError(symbol: signal.symbol, error: reasons.isEmpty ? "\(what): no source is enabled" : "\(what) (\(reasons.joined(separator: "; ")))")
        }
        // A failed symbol has no direction to give: it is reported in `errors` only.
        let failed = Set(errors.map(\.symbol))
        results.removeAll { failed.contains($0.symbol) }
        var stats = CycleReport.Stats()
        for (name, after) in fetcher.allStats {
            let previous = before[name] ?? SourceStatsSnapshot()
            stats.httpRequests += after.attempts - previous.attempts
            stats.cacheHits += after.cacheHits - previous.cacheHits
            stats.retries += after.retries - previous.retries
            stats.coalesced += after.coalesced - previous.coalesced
        }
        let formatter = ISO8601DateFormatter()
        let info = CycleReport.Info(
            id: UUID().uuidString.lowercased(), startedAt: formatter.string(from: started),
            durationMs: (clock.duration(to: .now).seconds * 10_000).rounded() / 10, symbols: symbols.count, deadlineS: config.cycleDeadline)
        return CycleReport(cycle: info, signals: results, errors: errors, stats: stats)
    }

    /// One symbol: the chain and the independent sources at once, then regime and consensus.
    func runSymbol(_ symbol: String, deadline: ContinuousClock.Instant, contexts: [String: PluginContext]) async -> SymbolSignal {
        var outcomes: [String: SourceOutcome] = [:]
        outcomes.reserveCapacity(sources.count)
        // The independent sources in child tasks, the chain in this task meanwhile (a task fewer than `async let`).
        let chain = await withTaskGroup(of: (String, SourceOutcome).self) { group in
            for source in independent {
                group.addTask {
                    let (outcome, _) = await self.runSource(source, symbol: symbol, deadline: deadline, ctx: contexts[source.name]!)
                    return (source.name, outcome)
                }
            }
            let chain = await runMarketChain(symbol, deadline: deadline, contexts: contexts)
            for await (name, outcome) in group { outcomes[name] = outcome }
            return chain
        }
        outcomes.merge(chain.outcomes) { _, new in new }
        return await decide(symbol, outcomes: outcomes, chain: chain, deadline: deadline)
    }

    /// The enabled sources' `ctx` for a cycle that starts at `now` (Unix seconds).
    /// With `through`, each asks for bars through `now` only (`ctx.through`): the bar store filling in an older range.
    public func contexts(now: Int64, barsNeeded: Int? = nil, through: Int64? = nil) -> [String: PluginContext] {
        Dictionary(uniqueKeysWithValues: sources.filter(\.isEnabled).map {
            ($0.name, $0.context(now: now, barsNeeded: barsNeeded ?? config.barsNeeded, through: through))
        })
    }

    /// The names of the enabled independent sources (every enabled source outside the market-data chain).
    public var independentSources: [String] { independent.map(\.name) }

    /// A symbol's signal from its sources' outcomes: the disabled sources are
    /// added, the regime is read from `regimeBars` (the chain's bars when nil),
    /// and the consensus (or `consensus.lua`'s `combine`) decides.
    public func decide(
        _ symbol: String, outcomes: [String: SourceOutcome], chain: MarketChainResult, regimeBars: [Bar]? = nil,
        deadline: ContinuousClock.Instant
    ) async -> SymbolSignal {
        var outcomes = outcomes
        for source in sources where !source.isEnabled { outcomes[source.name] = .disabled(source.disabledReason ?? "disabled") }
        let reading = RegimeDetector.detect(regimeBars ?? chain.bars, thresholds: config.regime)
        let signals = sources.compactMap { source -> SourceSignal? in
            guard let outcome = outcomes[source.name], outcome.status == .ok || outcome.status == .cached,
                  let direction = outcome.direction, let confidence = outcome.confidence else { return nil }
            return SourceSignal(source: source.name, direction: direction, confidence: confidence, weight: source.weight, reasoning: outcome.reasoning ?? "")
        }
        var consensus = Consensus.vote(signals, regime: reading.regime, settings: host.consensus)
        if !consensus.insufficient, host.consensus.hasCombine {
            do {
                if let (direction, confidence, reasoning) = try await host.combine(signals, regime: reading.regime, deadline: deadline) {
                    consensus = Consensus.adjust(direction: direction, raw: confidence, regime: reading.regime, settings: host.consensus,
                                                 reasoning: "combine: " + redactor.redact(reasoning))
                }
            } catch {
                consensus.reasoning += "; consensus.combine failed (\(redactor.redact(error.message))), default vote used"
            }
        }
        let summary = chain.source.flatMap { source in
            chain.bars.last.map { MarketDataSummary(source: source, bars: chain.bars.count, lastClose: $0.c, asOf: $0.date) }
        }
        return SymbolSignal(
            symbol: symbol, direction: consensus.direction, confidence: consensus.confidence, rawConfidence: consensus.rawConfidence,
            regime: reading.regime, marketData: summary, sources: outcomes,
            reasoning: consensus.reasoning + "; regime " + reading.summary, insufficient: consensus.insufficient ? true : nil)
    }

    /// The market-data chain: each source in priority order until one returns bars.
    public func runMarketChain(_ symbol: String, deadline: ContinuousClock.Instant, contexts: [String: PluginContext]) async -> MarketChainResult {
        var outcomes: [String: SourceOutcome] = [:]
        var delivered: String?
        var bars: [Bar] = []
        for source in marketChain {
            if let delivered {
                outcomes[source.name] = .skipped("not needed: \(delivered) delivered")
                continue
            }
            let (outcome, sourceBars) = await runSource(source, symbol: symbol, deadline: deadline, ctx: contexts[source.name]!)
            outcomes[source.name] = outcome
            if let sourceBars, !sourceBars.isEmpty, outcome.status == .ok || outcome.status == .cached {
                delivered = source.name
                bars = sourceBars
            }
        }
        return MarketChainResult(outcomes: outcomes, bars: bars, source: delivered)
    }

    /// One enabled source for one symbol, by name: its outcome, and its bars when
    /// it delivered some. A name that is not enabled gives its disabled outcome.
    public func runSource(named name: String, symbol: String, deadline: ContinuousClock.Instant, ctx: PluginContext) async -> (SourceOutcome, [Bar]?) {
        guard let source = running[name] else {
            return (.disabled(sources.first { $0.name == name }?.disabledReason ?? "no source named \(name)"), nil)
        }
        return await runSource(source, symbol: symbol, deadline: deadline, ctx: ctx)
    }

    /// One source for one symbol: request(s), fetch, parse (following pages), and
    /// for bars the host's indicators and the plugin's signal.
    func runSource(_ source: RunningSource, symbol: String, deadline: ContinuousClock.Instant, ctx: PluginContext) async -> (SourceOutcome, [Bar]?) {
        let started = ContinuousClock.now
        let redactor = fetcher.redactor(for: source.name)
        var attempts = 0
        var allCached = true
        func elapsedMs() -> Double { (started.duration(to: .now).seconds * 10_000).rounded() / 10 }
        func failed(_ error: FetchError) -> (SourceOutcome, [Bar]?) {
            (SourceOutcome(status: .error, latencyMs: elapsedMs(), attempts: attempts + error.attempts, error: self.redactor.redact(error.description),
                           errorKind: error.kind.rawValue), nil)
        }
        await LaunchOrder.current?.turn(source: source.name)
        do {
            var requests = try await host.request(source.name, symbol: symbol, ctx: ctx, redactor: redactor, deadline: deadline)
            var bars: [Bar] = []
            pages: for _ in 0..<Self.maxPages {
                let responses = try await fetchAll(requests, source: source, deadline: deadline)
                for response in responses.values {
                    attempts += response.attempts
                    if !response.fromCache { allCached = false }
                }
                let outcome: ParseOutcome
                do {
                    outcome = try await host.parse(source.name, responses: responses, symbol: symbol, ctx: ctx, redactor: redactor, deadline: deadline)
                } catch {
                    // A body the plugin rejects (a rate-limit note in a 200) must not stay cached.
                    // A parse the cycle's deadline cut, or never started, says nothing of the body
                    // nor of the upstream: it neither drops the body nor counts toward the breaker.
                    if error.kind != .timeout {
                        for response in responses.values { fetcher.forget(response, source: source.name) }
                        fetcher.recordParseFailure(error.kind, source: source.name)
                    }
                    throw error
                }
                switch outcome {
                case .signal(let direction, let confidence, let reasoning):
                    return (SourceOutcome(status: allCached ? .cached : .ok, direction: direction, confidence: Self.round(confidence),
                                          weight: source.weight, latencyMs: elapsedMs(), attempts: attempts, reasoning: self.redactor.redact(reasoning)), nil)
                case .bars(let pageBars, let next):
                    if bars.isEmpty { bars = pageBars } else { bars += pageBars }
                    guard let next else { break pages }
                    requests = [nil: next]
                }
            }
            bars.sort { $0.t < $1.t }
            guard !bars.isEmpty else { throw FetchError(.notFound, "no bars for \(symbol)") }
            guard source.hasSignal else {
                throw FetchError(.plugin, "\(source.file) returned bars but has no 'signal' function")
            }
            let (direction, confidence, reasoning) = try await host.signal(source.name, indicators: Indicators(bars: bars), symbol: symbol, ctx: ctx, redactor: redactor, deadline: deadline)
            return (SourceOutcome(status: allCached ? .cached : .ok, direction: direction, confidence: Self.round(confidence), weight: source.weight,
                                  latencyMs: elapsedMs(), attempts: attempts, reasoning: self.redactor.redact(reasoning)), bars)
        } catch {
            return failed(error as? FetchError ?? FetchError(.plugin, redactor.redact("\(error)")))
        }
    }

    /// Pages a market-data source may follow for one symbol.
    static let maxPages = 20

    static func round(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    /// Fetches one request, or named requests concurrently; the first failure wins.
    func fetchAll(_ requests: [String?: PluginRequest], source: RunningSource, deadline: ContinuousClock.Instant) async throws(FetchError) -> [String?: FetchResponse] {
        if requests.count == 1, let (name, request) = requests.first {
            return [name: try await fetcher.fetch(request.fetchRequest(baseURL: source.baseURL), source: source.name, deadline: deadline)]
        }
        @Sendable func fetch(_ name: String?, _ request: PluginRequest) async -> (String?, Result<FetchResponse, FetchError>) {
            do {
                return (name, .success(try await fetcher.fetch(request.fetchRequest(baseURL: source.baseURL), source: source.name, deadline: deadline)))
            } catch {
                return (name, .failure(error))
            }
        }
        let results = await withTaskGroup(of: (String?, Result<FetchResponse, FetchError>).self) { group in
            // All but the first in child tasks, the first in this task meanwhile.
            let ordered = Array(requests)
            for (name, request) in ordered.dropFirst() { group.addTask { await fetch(name, request) } }
            var results = [await fetch(ordered[0].key, ordered[0].value)]
            for await result in group { results.append(result) }
            return results
        }
        var responses: [String?: FetchResponse] = [:]
        for (name, result) in results {
            switch result {
            case .success(let response): responses[name] = response
            case .failure(let error):
                var named = error
                if let name { named.message = "\(name): \(error.message)" }
                throw named
            }
        }
        return responses
    }
}

/// What a symbol's market-data chain gave: each source's outcome, the bars, and
/// the source that delivered them (nil when none did).
public struct MarketChainResult: Sendable {
    public var outcomes: [String: SourceOutcome]
    public var bars: [Bar]
    public var source: String?
}
