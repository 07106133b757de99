import ArgoEngine
import ArgoFetch
import ArgoService
import Foundation

/// Two engines in one process, over the plugins of two directories, against
/// one zero-latency simulator child, their cycles alternating: CPU per
/// symbol-cycle of each, and the median of B's over A's in each pair. A change
/// of a few percent shows here where separate runs of the host section (which
/// vary ±8% from run to run on a shared machine) cannot tell it.
enum HostAB {
    static func measure(rootA: String, rootB: String, symbols count: Int, cycles: Int, wire: BenchWire) async throws -> String {
        let simulator = try RemoteSimulator(scenario: SeedProfile.scenario(zeroLatency: true), listeners: 6, wire: wire)
        defer { simulator.stop() }
        let settings = BenchSettings(symbols: count, cache: false)
        let (engineA, transportA) = try BenchSetup.make(simulator: simulator, root: rootA, settings: settings).engine(.argo)
        let (engineB, transportB) = try BenchSetup.make(simulator: simulator, root: rootB, settings: settings).engine(.argo)
        let symbols = watchList(count)
        try simulator.warm(symbols)
        _ = await engineA.runCycle(symbols: symbols)
        _ = await engineB.runCycle(symbols: symbols)
        func cpu(_ engine: SignalEngine) async -> Double {
            let before = ProcessUsage.cpuSeconds()
            _ = await engine.runCycle(symbols: symbols)
            return (ProcessUsage.cpuSeconds() - before) / Double(count) * 1e6
        }
        var a: [Double] = [], b: [Double] = []
        for index in 0..<cycles {
            if index % 2 == 0 {
                a.append(await cpu(engineA))
                b.append(await cpu(engineB))
            } else {
                b.append(await cpu(engineB))
                a.append(await cpu(engineA))
            }
        }
        try await transportA.shutdown()
        try await transportB.shutdown()
        let ratios = zip(a, b).map { $1 / $0 }
        return String(format: "A %@: median %.0f µs per symbol-cycle\nB %@: median %.0f µs per symbol-cycle\nB/A per pair: median %.3f (%@)",
                      rootA, median(a), rootB, median(b), median(ratios), ratios.map { String(format: "%.3f", $0) }.joined(separator: " "))
    }
}
