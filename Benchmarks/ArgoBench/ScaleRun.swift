import ArgoEngine
import ArgoFetch
import ArgoService
import ArgoSimulator
import Foundation

/// Many symbols against per-source rate limits that the simulator enforces
/// (a 429 past its budget) and the client is told in `argo.yaml`: each cycle
/// should end at the rate-limit floor, the busiest source's requests ÷ its
/// allowed rate, plus a small margin, with no 429 at all, and memory should
/// not grow from cycle to cycle. Seed latencies; the simulator in a child
/// process; one engine over all cycles, the response cache off.
struct ScaleRun: Codable {
    /// What each source may send: `requests` per `perSeconds` (a token bucket
    /// of `requests` tokens): "N requests a second", a second's worth of burst.
    struct Allowance: Codable {
        var source: String
        var route: String
        var requests: Int
        var perSeconds: Double
        var perSecond: Double { Double(requests) / perSeconds }
        enum CodingKeys: String, CodingKey { case source, route, requests, perSeconds = "per_s" }
    }

    struct Cycle: Codable {
        var wallSeconds: Double
        var floorSeconds: Double
        var requests: Int
        var tooManyRequests: Int
        /// 429s by route (only routes that had any).
        var tooManyByRoute: [String: Int]
        var failures: Int
        var cpuSeconds: Double
        var rssMB: Double
        /// The resident set once `malloc_trim` gave free heap back: live memory, without the allocator's reserve.
        var rssTrimmedMB: Double
        enum CodingKeys: String, CodingKey {
            case requests, failures, rssTrimmedMB = "rss_trimmed_mb"
            case wallSeconds = "wall_s", floorSeconds = "floor_s", tooManyRequests = "responses_429", tooManyByRoute = "responses_429_by_route", cpuSeconds = "cpu_s", rssMB = "rss_mb"
        }
    }

    var symbols: Int
    var allowances: [Allowance]
    var cycles: [Cycle]
    /// Least-squares slope of the resident set after each cycle, over the second half of the cycles
    /// (the first fill pools, caches and allocator arenas up to their working size).
    var rssSlopeMBPerCycle: Double
    /// The same slope, trimmed, over all cycles but the first.
    var rssTrimmedSlopeMBPerCycle: Double

    enum CodingKeys: String, CodingKey {
        case symbols, allowances, cycles
        case rssSlopeMBPerCycle = "rss_slope_mb_per_cycle", rssTrimmedSlopeMBPerCycle = "rss_trimmed_slope_mb_per_cycle"
    }

    static func allowances(perSecond: Int) -> [Allowance] {
        // Alpha Vantage takes two requests a symbol (RSI and MACD), so twice the rate keeps the sources even.
        return [("alpaca", "alpaca", 1), ("massive", "massive", 1), ("yfinance", "yahoo", 1),
                ("alpha_vantage", "alpha_vantage", 2), ("xai_grok", "xai", 1), ("sonar", "perplexity", 1)].map { source, route, factor in
            Allowance(source: source, route: route, requests: perSecond * factor, perSeconds: 1)
        }
    }

    static func measure(root: String, symbols count: Int, cycles: Int, perSecond: Int, wire: BenchWire) async throws -> ScaleRun {
        let allowances = allowances(perSecond: perSecond)
        var scenario = SeedProfile.scenario()
        var settings = BenchSettings(symbols: count, cache: false)
        for allowance in allowances {
            guard let route = SimulatedRoute(rawValue: allowance.route) else { continue }
            scenario.routes[route, default: RouteKnobs()].rateLimit = RouteKnobs.RateLimit(requests: allowance.requests, perSeconds: allowance.perSeconds)
            settings.rateLimits[allowance.source] = (allowance.requests, allowance.perSeconds)
        }
        let simulator = try RemoteSimulator(scenario: scenario, listeners: 6, wire: wire)
        defer { simulator.stop() }
        let setup = try BenchSetup.make(simulator: simulator, root: root, settings: settings)
        let (engine, transport) = try setup.engine(.argo)
        let symbols = watchList(count)
        try simulator.warm(symbols)
        var measured: [Cycle] = []
        for index in 1...cycles {
            try simulator.resetCounters()
            let cpu = ProcessUsage.cpuSeconds()
            let start = ContinuousClock.now
            let report = await engine.runCycle(symbols: symbols)
            let wall = start.duration(to: .now).seconds
            let stats = try simulator.currentStats()
            let floor = allowances.map { Double(stats.routes[$0.route]?.requests ?? 0) / $0.perSecond }.max() ?? 0
            let failures = failureCount(of: report)
            let cycle = Cycle(wallSeconds: wall, floorSeconds: floor, requests: stats.totalRequests,
                              tooManyRequests: stats.routes.values.reduce(0) { $0 + ($1.byStatus["429"] ?? 0) },
                              tooManyByRoute: stats.routes.compactMapValues { $0.byStatus["429"] },
                              failures: failures, cpuSeconds: ProcessUsage.cpuSeconds() - cpu, rssMB: ProcessUsage.currentRSSMB(),
                              rssTrimmedMB: { HeapTrim.release(); return ProcessUsage.currentRSSMB() }())
            measured.append(cycle)
            log(String(format: "scale %d symbols, cycle %d: %.2f s (floor %.2f s), %d requests, %d × 429, %d failures, RSS %.0f MB (%.0f MB trimmed)",
                       count, index, wall, floor, cycle.requests, cycle.tooManyRequests, failures, cycle.rssMB, cycle.rssTrimmedMB)
                + (cycle.tooManyByRoute.isEmpty ? "" : " \(cycle.tooManyByRoute.sorted { $0.key < $1.key })"))
        }
        try await transport.shutdown()
        return ScaleRun(symbols: count, allowances: allowances, cycles: measured, rssSlopeMBPerCycle: slope(measured.suffix(measured.count / 2).map(\.rssMB)),
                        rssTrimmedSlopeMBPerCycle: slope(measured.dropFirst().map(\.rssTrimmedMB)))
    }

    /// Least-squares slope of `values` against their index.
    static func slope(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let n = Double(values.count)
        let meanX = (n - 1) / 2, meanY = values.reduce(0, +) / n
        var numerator = 0.0, denominator = 0.0
        for (x, y) in values.enumerated() {
            numerator += (Double(x) - meanX) * (y - meanY)
            denominator += (Double(x) - meanX) * (Double(x) - meanX)
        }
        return numerator / denominator
    }

    var markdown: String {
        let ratios = cycles.map { $0.wallSeconds / max($0.floorSeconds, 1e-9) }
        let rates = allowances.filter { $0.source != "massive" }.map { "\($0.source) \(Int($0.perSecond))/s" }.joined(separator: ", ")
        return """
            \(symbols) symbols × \(cycles.count) cycles; allowed rates (burst: a second's worth): \(rates).

            | wall per cycle (median) | floor (median) | wall ÷ floor (median, worst) | requests per cycle | 429s, all cycles | failures, all cycles | CPU s per cycle (median) | RSS after cycle 1, half-way, last (MB) | RSS slope, second half | trimmed RSS after cycle 1, half-way, last (MB) | trimmed RSS slope from cycle 2 |
            | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
            | \(String(format: "%.2f s", median(cycles.map(\.wallSeconds)))) | \(String(format: "%.2f s", median(cycles.map(\.floorSeconds)))) | \(String(format: "%.2f×, %.2f×", median(ratios), ratios.max() ?? 0)) | \(cycles.last?.requests ?? 0) | \(cycles.reduce(0) { $0 + $1.tooManyRequests }) | \(cycles.reduce(0) { $0 + $1.failures }) | \(String(format: "%.2f", median(cycles.map(\.cpuSeconds)))) | \(points(\.rssMB)) | \(String(format: "%+.2f MB/cycle", rssSlopeMBPerCycle)) | \(points(\.rssTrimmedMB)) | \(String(format: "%+.2f MB/cycle", rssTrimmedSlopeMBPerCycle)) |
            """
    }

    private func points(_ value: KeyPath<Cycle, Double>) -> String {
        let picks = [0, cycles.count / 2 - 1, cycles.count - 1].filter { $0 >= 0 && $0 < cycles.count }
        return picks.map { String(format: "%.0f", cycles[$0][keyPath: value]) }.joined(separator: ", ")
    }
}
