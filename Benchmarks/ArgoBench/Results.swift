import Foundation

/// Everything `make bench` measured, as written to `bench/results.json`.
struct Results: Codable {
    var machine: [String: String]
    var options: [String: String]
    var rows: [Row] = []
    var ablations: [Row] = []
    /// Argo at the largest count with the simulator in a child process: the client's own CPU and memory.
    var clientOnly: Row?
    var hostOverhead: HostOverhead?
    var scale: ScaleRun?
    /// The plugin calls of a cycle alone, replayed (`--sections plugins`).
    var pluginCalls: PluginCalls.Figures?
    var backtest: BacktestRun?

    enum CodingKeys: String, CodingKey {
        case machine, options, rows, ablations, scale, backtest
        case hostOverhead = "host_overhead", clientOnly = "client_only", pluginCalls = "plugin_calls"
    }

    /// Takes what a section's own process measured.
    mutating func merge(_ part: Results) {
        if !part.rows.isEmpty { rows = part.rows }
        if !part.ablations.isEmpty { ablations = part.ablations }
        clientOnly = part.clientOnly ?? clientOnly
        hostOverhead = part.hostOverhead ?? hostOverhead
        scale = part.scale ?? scale
        pluginCalls = part.pluginCalls ?? pluginCalls
        backtest = part.backtest ?? backtest
    }

    /// Cores, memory, OS and CPU model of this machine.
    static func machine() -> [String: String] {
        var info = ["cores": "\(ProcessInfo.processInfo.activeProcessorCount)",
                    "memory_gb": String(format: "%.1f", Double(ProcessInfo.processInfo.physicalMemory) / 1e9),
                    "os": ProcessInfo.processInfo.operatingSystemVersionString]
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let model = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }) {
            info["cpu"] = model.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return info
    }
}

extension Options {
    var described: [String: String] {
        ["sections": sections.sorted().joined(separator: ","), "counts": counts.map(String.init).joined(separator: ","), "runs": "\(runs)",
         "before_max": "\(beforeMax)", "profile": "seed: alpaca 150, massive 200, yahoo 300, alpha vantage 400, xai 800, sonar 1200 ms, ±20%",
         "host": "\(hostSymbols) symbols × \(hostCycles) cycles", "scale": "\(scaleSymbols) symbols × \(scaleCycles) cycles at \(scaleRate)/s a source",
         "wire": wire == .tls ? "TLS (HTTP/2 offered, HTTP/1.1 chosen), throw-away CA" : "plain HTTP"]
    }
}
