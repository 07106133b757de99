import ArgoEngine
import ArgoFetch
import ArgoService
import ArgoSimulator
import Foundation

/// The host's own cost: the simulator in a child process at zero latency, the
/// response cache off, and one engine (a warm pool, as `argo run` keeps) running
/// `cycles` cycles over `symbols` after one warm-up cycle. All the CPU time this
/// process spends is then the host's: HTTP client, JSON→Lua, the plugins,
/// indicators, regime and consensus.
///
/// Each measured cycle is followed by one more after `malloc_trim`, as every
/// cycle of `argo run` is: the first figure is a cycle that reuses the heap the
/// previous one left, the second what giving that heap back between cycles costs
/// (the kernel zeroing the pages again).
struct HostOverhead: Codable {
    var symbols: Int
    var cycles: Int
    var wallSeconds: [Double]
    var cpuSeconds: [Double]
    /// The simulator child's CPU over all the cycles, after a trim or not (not counted above).
    var simulatorCPUSeconds: Double
    var symbolCyclesPerSecond: Double
    var cpuMicrosecondsPerSymbolCycle: Double
    /// CPU seconds of the cycles that followed a `malloc_trim`.
    var cpuSecondsAfterTrim: [Double]
    var cpuMicrosecondsPerSymbolCycleAfterTrim: Double
    var peakRSSMB: Double
    var requestsPerSymbolCycle: Double
    /// Source and symbol failures over the measured cycles (0 expected).
    var failures: Int

    enum CodingKeys: String, CodingKey {
        case symbols, cycles, failures
        case wallSeconds = "wall_s", cpuSeconds = "cpu_s", simulatorCPUSeconds = "simulator_cpu_s"
        case symbolCyclesPerSecond = "symbol_cycles_per_s", cpuMicrosecondsPerSymbolCycle = "cpu_us_per_symbol_cycle"
        case peakRSSMB = "peak_rss_mb", requestsPerSymbolCycle = "requests_per_symbol_cycle"
        case cpuSecondsAfterTrim = "cpu_s_after_trim", cpuMicrosecondsPerSymbolCycleAfterTrim = "cpu_us_per_symbol_cycle_after_trim"
    }

    static func measure(root: String, symbols count: Int, cycles: Int, wire: BenchWire) async throws -> HostOverhead {
        let simulator = try RemoteSimulator(scenario: SeedProfile.scenario(zeroLatency: true), listeners: 6, wire: wire)
        defer { simulator.stop() }
        let setup = try BenchSetup.make(simulator: simulator, root: root, settings: BenchSettings(symbols: count, cache: false))
        let (engine, transport) = try setup.engine(.argo)
        let symbols = watchList(count)
        try simulator.warm(symbols)
        _ = await engine.runCycle(symbols: symbols)

        try simulator.resetCounters()
        ProcessUsage.resetPeak()
        let simulatorCPU = try simulator.reply().cpuSeconds
        var walls: [Double] = [], cpus: [Double] = [], cpusAfterTrim: [Double] = [], failed = 0
        for _ in 0..<cycles {
            let cpu = ProcessUsage.cpuSeconds()
            let start = ContinuousClock.now
            let report = await engine.runCycle(symbols: symbols)
            walls.append(start.duration(to: .now).seconds)
            cpus.append(ProcessUsage.cpuSeconds() - cpu)
            failed += failureCount(of: report)
            HeapTrim.release()
            let trimmedCPU = ProcessUsage.cpuSeconds()
            failed += failureCount(of: await engine.runCycle(symbols: symbols))
            cpusAfterTrim.append(ProcessUsage.cpuSeconds() - trimmedCPU)
        }
        let peak = ProcessUsage.peakRSSMB()
        let reply = try simulator.reply()
        try await transport.shutdown()
        let symbolCycles = Double(count * cycles)
        return HostOverhead(
            symbols: count, cycles: cycles, wallSeconds: walls, cpuSeconds: cpus,
            simulatorCPUSeconds: reply.cpuSeconds - simulatorCPU,
            symbolCyclesPerSecond: symbolCycles / walls.reduce(0, +),
            cpuMicrosecondsPerSymbolCycle: median(cpus) / Double(count) * 1e6,
            cpuSecondsAfterTrim: cpusAfterTrim, cpuMicrosecondsPerSymbolCycleAfterTrim: median(cpusAfterTrim) / Double(count) * 1e6,
            peakRSSMB: peak, requestsPerSymbolCycle: Double(reply.stats.totalRequests) / (symbolCycles * 2), failures: failed)
    }

    var markdown: String {
        """
        | symbols × cycles | symbol-cycles/s | CPU µs per symbol-cycle (median) | after malloc_trim, as argo run (median) | wall per cycle (median) | CPU s per cycle (median) | simulator CPU s, all cycles (not counted) | requests per symbol-cycle | peak RSS MB | failures |
        | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
        | \(symbols) × \(cycles) | \(String(format: "%.0f", symbolCyclesPerSecond)) | \(String(format: "%.0f", cpuMicrosecondsPerSymbolCycle)) | \(String(format: "%.0f", cpuMicrosecondsPerSymbolCycleAfterTrim)) | \(String(format: "%.3f s", median(wallSeconds))) | \(String(format: "%.3f", median(cpuSeconds))) | \(String(format: "%.2f", simulatorCPUSeconds)) | \(String(format: "%.2f", requestsPerSymbolCycle)) | \(String(format: "%.0f", peakRSSMB)) | \(failures) |
        """
    }
}
