import ArgoCore
import ArgoEngine
import ArgoFetch
import ArgoService
import ArgoSimulator
import Foundation

/// What one cycle cost.
struct Measurement: Codable, Sendable {
    var wallSeconds: Double
    /// The slowest single upstream latency of any symbol (what a perfect client still waits).
    var floorSeconds: Double
    var requestsPerSymbol: [String: Double]
    var connections: [String: Int]
    var cpuSeconds: Double
    var peakRSSMB: Double

    enum CodingKeys: String, CodingKey {
        case wallSeconds = "wall_s", floorSeconds = "floor_s", requestsPerSymbol = "requests_per_symbol", connections
        case cpuSeconds = "cpu_s", peakRSSMB = "peak_rss_mb"
    }
}

/// The process's CPU time (user + system) and resident set.
enum ProcessUsage {
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// The highest resident set since the last ``resetPeak()`` (Linux's VmHWM),
    /// or since the process started when resetting is not allowed here.
    static func peakRSSMB() -> Double {
        if let kilobytes = status("VmHWM") { return kilobytes / 1024 }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// The resident set now (VmRSS).
    static func currentRSSMB() -> Double { (status("VmRSS") ?? 0) / 1024 }

    /// Starts a new peak: gives free heap memory back to the system (so earlier
    /// runs do not count), then writes 5 to /proc/self/clear_refs, which resets
    /// VmHWM to the current resident set.
    static func resetPeak() {
        HeapTrim.release()
        try? Data("5".utf8).write(to: URL(fileURLWithPath: "/proc/self/clear_refs"))
    }

    /// A `kB` field of /proc/self/status.
    private static func status(_ field: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Double(line.dropFirst(field.count + 1).split(whereSeparator: \.isWhitespace).first ?? "")
        }
        return nil
    }
}

/// Runs one cycle of `variant` for `symbols` and measures it.
func measure(_ setup: BenchSetup, _ variant: Variant, symbols: [String]) async throws -> (Measurement, CycleReport) {
    let (engine, transport) = try setup.engine(variant)
    if variant.warmPool {
        // A cycle first, unmeasured, on the same engine: the pool is open and warm, as between `argo run`'s cycles.
        _ = await engine.runCycle(symbols: symbols)
    }
    try setup.simulator.resetCounters()
    try setup.simulator.closeConnections(variant.benchCycle.map { !$0.pooledConnections } ?? false)
    ProcessUsage.resetPeak()
    if ProcessInfo.processInfo.environment["ARGO_BENCH_PROBE"] != nil {
        log(String(format: "probe before: rss %.1f MB", ProcessUsage.currentRSSMB()))
    }
    let cpu = ProcessUsage.cpuSeconds()
    let clock = ContinuousClock.now
    let report: CycleReport
    if let benchCycle = variant.benchCycle {
        report = await benchCycle.run(engine, symbols: symbols)
    } else {
        report = await engine.runCycle(symbols: symbols)
    }
    let wall = clock.duration(to: .now)
    let cpuUsed = ProcessUsage.cpuSeconds() - cpu
    if ProcessInfo.processInfo.environment["ARGO_BENCH_PROBE"] != nil {
        log(String(format: "probe after: rss %.1f MB (peak %.1f)", ProcessUsage.currentRSSMB(), ProcessUsage.peakRSSMB()))
    }
    try await transport.shutdown()
    let stats = try setup.simulator.currentStats()
    var perSymbol: [String: Double] = [:]
    var connections: [String: Int] = [:]
    for (route, routeStats) in stats.routes where routeStats.requests > 0 {
        perSymbol[route] = Double(routeStats.requests) / Double(symbols.count)
        connections[route] = routeStats.connections
    }
    let floor = (stats.slowestMsBySymbol.values.max() ?? 0) / 1000
    return (Measurement(wallSeconds: wall.seconds, floorSeconds: floor, requestsPerSymbol: perSymbol, connections: connections,
                        cpuSeconds: cpuUsed, peakRSSMB: ProcessUsage.peakRSSMB()), report)
}

/// Source failures and symbol failures of a cycle (0 expected in every benchmark run).
func failureCount(of report: CycleReport) -> Int {
    report.errors.count + report.signals.reduce(0) { $0 + $1.sources.values.filter { $0.status == .error }.count }
}

/// Symbol by symbol differences between two cycles' signals (direction, confidence, regime).
func differences(_ a: CycleReport, _ b: CycleReport) -> [String] {
    let other = Dictionary(uniqueKeysWithValues: b.signals.map { ($0.symbol, $0) })
    return a.signals.compactMap { signal in
        guard let twin = other[signal.symbol] else { return "\(signal.symbol): missing" }
        if signal.direction != twin.direction || abs(signal.confidence - twin.confidence) > 1e-9 || signal.regime != twin.regime {
            return "\(signal.symbol): \(signal.direction.rawValue) \(signal.confidence) \(signal.regime.rawValue) vs "
                + "\(twin.direction.rawValue) \(twin.confidence) \(twin.regime.rawValue)"
        }
        return nil
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
