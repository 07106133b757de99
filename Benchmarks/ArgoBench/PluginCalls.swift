import ArgoAnalytics
import ArgoCore
import ArgoEngine
import ArgoFetch
import ArgoPlugins
import ArgoSimulator
import Foundation

/// The plugin calls of a cycle alone: every source's responses for `symbols`
/// fetched once from the simulator, then `request`, `parse` (bars read by the
/// host) and, for bars, the indicators and `signal`, replayed on one task
/// round after round. Nothing else runs meanwhile, so the CPU each round takes
/// is the plugin host's alone, without the HTTP client or thread hand-offs:
/// steady to a few percent from run to run, where a whole cycle's CPU varies
/// by ±8%. What part of a symbol-cycle's CPU the Lua side is, and a measure
/// for changes to it.
enum PluginCalls {
    struct Recorded {
        var source: SourceSetup
        var symbol: String
        var ctx: PluginContext
        var responses: [[String?: FetchResponse]]
    }

    /// The calls of `roots`' plugins (one host each, responses recorded from
    /// the first), their rounds alternating when there are two, so that the
    /// machine's drift falls on both alike; with two, B's CPU over A's per pair.
    /// CPU µs per symbol of each kind of call (medians over the rounds).
    struct Figures: Codable {
        var symbols: Int
        var rounds: Int
        var request: Double
        var parse: Double
        var signal: Double
        var all: Double

        var markdown: String {
            String(format: """
                | symbols × rounds | request | parse (bars read by the host) | indicators + signal | all |
                | --- | ---: | ---: | ---: | ---: |
                | %d × %d | %.1f | %.1f | %.1f | %.1f |
                """, symbols, rounds, request, parse, signal, all)
        }
    }

    static func measure(roots: [String], symbols count: Int, rounds: Int, wire: BenchWire) async throws -> (figures: Figures, text: String) {
        let simulator = try await LocalSimulator.start(scenario: SeedProfile.scenario(zeroLatency: true), threads: 1, listeners: 1, wire: wire)
        var lines: [String] = []
        var hosts: [(PluginHost, [Recorded])] = []
        for root in roots {
            let setup = try BenchSetup.make(simulator: simulator, root: root, settings: BenchSettings(symbols: count, cache: false))
            let (engine, transport) = try setup.engine(.argo)
            hosts.append((engine.host, try await record(engine, symbols: watchList(count))))
            try await transport.shutdown()
        }
        try await simulator.shutdown()
        var rows = [[(request: Double, parse: Double, signal: Double)]](repeating: [], count: hosts.count)
        for round in 0..<rounds {
            for index in (round % 2 == 0 ? Array(hosts.indices) : hosts.indices.reversed()) {
                rows[index].append(try await replay(hosts[index].1, host: hosts[index].0))
            }
        }
        func perSymbol(_ seconds: [Double]) -> Double { median(seconds) / Double(count) * 1e6 }
        let first = rows[0]
        let figures = Figures(symbols: count, rounds: rounds, request: perSymbol(first.map(\.request)), parse: perSymbol(first.map(\.parse)),
                              signal: perSymbol(first.map(\.signal)), all: perSymbol(first.map { $0.request + $0.parse + $0.signal }))
        for (index, row) in rows.enumerated() {
            lines.append(String(
                format: "%@: plugin calls of %d symbols (%d calls a round), median of %d rounds, CPU µs per symbol: request %.1f, parse %.1f, indicators + signal %.1f, all %.1f",
                roots[index], count, hosts[index].1.count, rounds, perSymbol(row.map(\.request)), perSymbol(row.map(\.parse)), perSymbol(row.map(\.signal)),
                perSymbol(row.map { $0.request + $0.parse + $0.signal })))
        }
        if rows.count == 2 {
            let ratios = zip(rows[0], rows[1]).map { ($1.request + $1.parse + $1.signal) / ($0.request + $0.parse + $0.signal) }
            lines.append(String(format: "B/A per round: median %.3f", median(ratios)))
        }
        return (figures, lines.joined(separator: "\n"))
    }

    /// Every normal cycle's plugin calls for `symbols`, with the responses they got.
    static func record(_ engine: SignalEngine, symbols: [String]) async throws -> [Recorded] {
        let host = engine.host
        let now = Int64(Date().timeIntervalSince1970)
        let deadline = ContinuousClock.now + .seconds(120)
        // Massive answers only when Alpaca fails: not part of a normal cycle.
        let sources = engine.sources.filter { $0.isEnabled && $0.name != "massive" }
        var recorded: [Recorded] = []
        for symbol in symbols {
            for source in sources {
                let ctx = source.context(now: now, barsNeeded: engine.config.barsNeeded)
                var requests = try await host.request(source.name, symbol: symbol, ctx: ctx, redactor: Redactor(secrets: []))
                var pages: [[String?: FetchResponse]] = []
                while true {
                    var responses: [String?: FetchResponse] = [:]
                    for (name, request) in requests {
                        responses[name] = try await engine.fetcher.fetch(request.fetchRequest(baseURL: source.baseURL), source: source.name, deadline: deadline)
                    }
                    pages.append(responses)
                    guard case .bars(_, let next?) = try await host.parse(source.name, responses: responses, symbol: symbol, ctx: ctx, redactor: Redactor(secrets: []))
                    else { break }
                    requests = [nil: next]
                }
                recorded.append(Recorded(source: source, symbol: symbol, ctx: ctx, responses: pages))
            }
        }
        return recorded
    }

    /// One round: CPU seconds of the requests, the parses, and the indicators with the signals.
    static func replay(_ recorded: [Recorded], host: PluginHost) async throws -> (request: Double, parse: Double, signal: Double) {
        var start = ProcessUsage.cpuSeconds()
        for call in recorded {
            _ = try await host.request(call.source.name, symbol: call.symbol, ctx: call.ctx, redactor: Redactor(secrets: []))
        }
        let request = ProcessUsage.cpuSeconds() - start
        start = ProcessUsage.cpuSeconds()
        var bars: [(Recorded, [Bar])] = []
        for call in recorded {
            var all: [Bar] = []
            for page in call.responses {
                if case .bars(let pageBars, _) = try await host.parse(call.source.name, responses: page, symbol: call.symbol, ctx: call.ctx, redactor: Redactor(secrets: [])) {
                    all += pageBars
                }
            }
            if !all.isEmpty { bars.append((call, all)) }
        }
        let parse = ProcessUsage.cpuSeconds() - start
        start = ProcessUsage.cpuSeconds()
        for (call, bars) in bars {
            _ = try await host.signal(call.source.name, indicators: Indicators(bars: bars), symbol: call.symbol, ctx: call.ctx, redactor: Redactor(secrets: []))
        }
        return (request, parse, ProcessUsage.cpuSeconds() - start)
    }
}
