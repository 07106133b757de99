import ArgoEngine
import ArgoFetch
import ArgoService
import ArgoSimulator
import Foundation

// `make bench`: the seed's "before" against Argo, side by side in one run, on the
// seed's latency profile; then each of the seed's fixes turned off in turn.
// Prints a markdown table and writes bench/results.json. Exits 1 when "before"
// and Argo disagree on any symbol's signal.

// The simulator child of `RemoteSimulator` runs this same executable.
if CommandLine.arguments.count == 5, CommandLine.arguments[1] == RemoteSimulator.flag {
    try await RemoteSimulator.serve(scenarioJSON: CommandLine.arguments[2], listeners: Int(CommandLine.arguments[3]) ?? 1,
                                    wire: CommandLine.arguments[4])
    exit(0)
}

struct Options {
    /// Which parts to run: `seed` (before vs argo), `host` (host overhead), `scale` (rate-limit floor);
    /// `client` (only the seed section's largest count with the simulator in a child process) is never run by default.
    var sections: Set<String> = ["seed", "host", "plugins", "scale", "backtest"]
    var counts = [1, 6, 50, 500]
    var runs = 3
    /// "before" is run for counts up to this; above, its time is extrapolated per symbol (it is linear by construction).
    var beforeMax = 6
    var ablationSymbols = 6
    var output = "bench/results.json"
    var hostSymbols = 500
    var hostCycles = 5
    var scaleSymbols = 2000
    var scaleCycles = 20
    /// Requests a second each source may send in the scale run (Alpha Vantage twice that).
    var scaleRate = 200
    /// `host-ab`: the directory whose plugins and consensus engine B runs (A runs this directory's).
    var abRoot: String?
    /// `transport`: the cycles run at each size, the HTTP/2 streams the simulator
    /// allows per connection, and the cycle's deadline.
    var transportRuns = 10
    var streams = Simulator.demoHTTP2MaxStreams
    var transportDeadline = 20.0
    /// TLS, as production (default), or plain HTTP.
    var wire = BenchWire.tls

    /// The arguments given, less `--sections` and `--out` (for a section's own process).
    var forwarded: [String] = []

    init(_ arguments: [String]) {
        var skip = false
        for argument in arguments.dropFirst() {
            if skip { skip = false; continue }
            if argument == "--sections" || argument == "--out" { skip = true; continue }
            forwarded.append(argument)
        }
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            let value = iterator.next() ?? ""
            switch argument {
            case "--symbols": counts = value.split(separator: ",").compactMap { Int($0) }
            case "--runs": runs = max(1, Int(value) ?? runs)
            case "--before-max": beforeMax = Int(value) ?? beforeMax
            case "--ablation-symbols": ablationSymbols = Int(value) ?? ablationSymbols
            case "--out": output = value
            case "--sections": sections = Set(value.split(separator: ",").map(String.init))
            case "--host-symbols": hostSymbols = Int(value) ?? hostSymbols
            case "--host-cycles": hostCycles = max(1, Int(value) ?? hostCycles)
            case "--scale-symbols": scaleSymbols = Int(value) ?? scaleSymbols
            case "--scale-cycles": scaleCycles = max(2, Int(value) ?? scaleCycles)
            case "--scale-rate": scaleRate = max(1, Int(value) ?? scaleRate)
            case "--ab-root": abRoot = value
            case "--transport-runs": transportRuns = max(1, Int(value) ?? transportRuns)
            case "--streams": streams = max(0, Int(value) ?? streams)
            case "--transport-deadline": transportDeadline = Double(value) ?? transportDeadline
            case "--wire": wire = BenchWire(rawValue: value) ?? wire
            default:
                let usage = "usage: ArgoBench [--sections seed,host,plugins,scale,backtest,client,host-ab,transport] [--symbols 1,6,50,500] [--runs 3] [--wire tls|plain] [--before-max 6] [--ablation-symbols 6] "
                    + "[--transport-runs 10] [--streams 256] [--transport-deadline 20] "
                    + "[--host-symbols 500] [--host-cycles 5] [--scale-symbols 2000] [--scale-cycles 20] [--scale-rate 200] [--out FILE]\n       ArgoBench --sections host-ab --ab-root DIR [--host-symbols 500] [--host-cycles 20]: this directory's plugins (A) against DIR's (B), cycles alternating in one process\n"
                FileHandle.standardError.write(Data(usage.utf8))
                exit(2)
            }
        }
    }
}

/// The watch list for `count` symbols: the demo's six, then made-up tickers.
func watchList(_ count: Int) -> [String] {
    let known = ["AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META"]
    return Array((known + (1...max(1, count)).map { String(format: "Z%04d", $0) }).prefix(count))
}

func log(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

let options = Options(CommandLine.arguments)
let root = FileManager.default.currentDirectoryPath
var results = Results(machine: Results.machine(), options: options.described)

/// Runs this executable with `arguments` and `--out FILE` in a process of its own
/// (peak RSS is per process, and freed heap is not always given back), and returns what it wrote.
func runInChild(_ name: String, _ arguments: [String]) throws -> Data {
    let partial = FileManager.default.temporaryDirectory.appendingPathComponent("argo-bench-\(name)-\(getpid()).json").path
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    child.arguments = arguments + ["--out", partial]
    try child.run()
    child.waitUntilExit()
    guard let data = FileManager.default.contents(atPath: partial) else { throw BenchError("the \(name) section wrote no results") }
    try? FileManager.default.removeItem(atPath: partial)
    return data
}

if options.sections.contains("transport") {
    // Each size in a process of its own (`transport-one`), so that peak memory is that size's alone.
    let counts = options.counts == [1, 6, 50, 500] ? [6, 50, 500] : options.counts
    var rows: [TransportRun.Row] = []
    for count in counts {
        let data = try runInChild("transport", [
            "--sections", "transport-one", "--symbols", "\(count)", "--transport-runs", "\(options.transportRuns)",
            "--streams", "\(options.streams)", "--transport-deadline", "\(options.transportDeadline)",
        ])
        rows.append(contentsOf: try JSONDecoder().decode([TransportRun.Row].self, from: data))
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let output = options.output == "bench/results.json" ? "bench/transport.json" : options.output
    try encoder.encode(rows).write(to: URL(fileURLWithPath: output))
    print("## The HTTP client over TLS\n\n" + TransportRun.markdown(rows) + "\n")
    exit(0)
}
if options.sections.contains("transport-one") {
    let row = try await TransportRun.one(symbols: options.counts.first ?? 6, runs: options.transportRuns,
                                         streams: options.streams, deadline: options.transportDeadline, root: root)
    let encoder = JSONEncoder()
    try encoder.encode([row]).write(to: URL(fileURLWithPath: options.output))
    exit(0)
}

if options.sections.count > 1 {
    // Each section in a process of its own, so that none inherits another's memory.
    for section in ["host", "plugins", "scale", "seed", "client", "backtest"] where options.sections.contains(section) {
        let data = try runInChild(section, options.forwarded + ["--sections", section])
        results.merge(try JSONDecoder().decode(Results.self, from: data))
    }
} else {
    if options.sections.contains("plugins") {
        let calls = try await PluginCalls.measure(roots: [root] + (options.abRoot.map { [$0] } ?? []), symbols: min(options.hostSymbols, 100), rounds: max(options.hostCycles, 20), wire: options.wire)
        results.pluginCalls = calls.figures
        print("## Plugin calls alone (recorded responses, replayed on one task)\n\n" + calls.figures.markdown + "\n\n" + calls.text + "\n")
    }
    if options.sections.contains("backtest") {
        let backtest = try await BacktestRun.measure(root: root, symbols: options.hostSymbols)
        results.backtest = backtest
        print("## Backtest replay (bars in memory, as after the bar store is filled)\n\n" + backtest.markdown + "\n")
    }
    if options.sections.contains("host-ab") {
        print(try await HostAB.measure(rootA: root, rootB: options.abRoot ?? root, symbols: options.hostSymbols, cycles: options.hostCycles, wire: options.wire))
    }
    if options.sections.contains("host") {
        let host = try await HostOverhead.measure(root: root, symbols: options.hostSymbols, cycles: options.hostCycles, wire: options.wire)
        results.hostOverhead = host
        print("## Host overhead (zero-latency simulator in a child process, cache off)\n\n" + host.markdown + "\n")
    }
    if options.sections.contains("scale") {
        let scale = try await ScaleRun.measure(root: root, symbols: options.scaleSymbols, cycles: options.scaleCycles, perSecond: options.scaleRate, wire: options.wire)
        results.scale = scale
        print("## Scale (rate limits in the simulator and in argo.yaml)\n\n" + scale.markdown + "\n")
    }
    if options.sections.contains("client"), !options.sections.contains("seed") {
        let row = try await SeedComparison.clientOnly(count: options.counts.max() ?? 500, options: options, root: root)
        results.clientOnly = row
        print(String(format: "%d symbols, simulator in a child process: median %.3f s, floor %.3f s (%.2f×), peak RSS %.0f MB", row.symbols,
                     row.medianWall, row.medianFloor, row.medianWall / row.medianFloor, row.runs.map(\.peakRSSMB).max() ?? 0))
    }
    if options.sections.contains("seed") {
        let seed = try await SeedComparison.run(options, root: root)
        results.rows = seed.rows
        results.ablations = seed.ablations
        results.clientOnly = seed.clientOnly
        print("## Before (the seed) and argo, seed latency profile\n\n" + seed.markdown + "\n")
    }
}

let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
try FileManager.default.createDirectory(atPath: (options.output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
try encoder.encode(results).write(to: URL(fileURLWithPath: options.output))
log("wrote \(options.output)")
if !results.rows.flatMap(\.signalDifferences).isEmpty { exit(1) }
