import ArgoEngine
import ArgoSimulator
import Foundation

// `make bench`: the seed's "before" against Argo, side by side in one run, on the
// seed's latency profile; then each of the seed's fixes turned off in turn.
// Prints a markdown table and writes bench/results.json. Exits 1 when "before"
// and Argo disagree on any symbol's signal.

struct Options {
    var counts = [1, 6, 50, 500]
    var runs = 3
    /// "before" is run for counts up to this; above, its time is extrapolated per symbol (it is linear by construction).
    var beforeMax = 6
    var ablationSymbols = 6
    var output = "bench/results.json"

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            let value = iterator.next() ?? ""
            switch argument {
            case "--symbols": counts = value.split(separator: ",").compactMap { Int($0) }
            case "--runs": runs = max(1, Int(value) ?? runs)
            case "--before-max": beforeMax = Int(value) ?? beforeMax
            case "--ablation-symbols": ablationSymbols = Int(value) ?? ablationSymbols
            case "--out": output = value
            default:
                FileHandle.standardError.write(Data("usage: ArgoBench [--symbols 1,6,50,500] [--runs 3] [--before-max 6] [--ablation-symbols 6] [--out FILE]\n".utf8))
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

struct Row: Codable {
    var symbols: Int
    var variant: String
    var runs: [Measurement]
    var estimated: Bool
    var medianWall: Double
    var medianFloor: Double
    var signalDifferences: [String]

    enum CodingKeys: String, CodingKey {
        case symbols, variant, runs, estimated, signalDifferences = "signal_differences"
        case medianWall = "median_wall_s", medianFloor = "median_floor_s"
    }
}

let options = Options(CommandLine.arguments)
let root = FileManager.default.currentDirectoryPath
let simulator = try await Simulator.start(scenario: SeedProfile.scenario(), threads: 2, listeners: 6)
var rows: [Row] = []
var failed = false
func log(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

for count in options.counts {
    let symbols = watchList(count)
    let setup = try BenchSetup.make(simulator: simulator, root: root, symbols: count)
    var argoRuns: [Measurement] = []
    var beforeRuns: [Measurement] = []
    var differencesFound: [String] = []
    for run in 1...options.runs {
        if count <= options.beforeMax {
            let (before, beforeReport) = try await measure(setup, .before, symbols: symbols)
            let (argo, argoReport) = try await measure(setup, .argo, symbols: symbols)
            beforeRuns.append(before)
            argoRuns.append(argo)
            differencesFound += differences(beforeReport, argoReport).map { "run \(run): \($0)" }
            log(String(format: "%4d symbols, run %d: before %.2f s, argo %.3f s", count, run, before.wallSeconds, argo.wallSeconds))
        } else {
            let (argo, _) = try await measure(setup, .argo, symbols: symbols)
            argoRuns.append(argo)
            log(String(format: "%4d symbols, run %d: argo %.3f s", count, run, argo.wallSeconds))
        }
    }
    if !differencesFound.isEmpty { failed = true }
    if !beforeRuns.isEmpty {
        rows.append(Row(symbols: count, variant: "before", runs: beforeRuns, estimated: false, medianWall: median(beforeRuns.map(\.wallSeconds)),
                        medianFloor: median(beforeRuns.map(\.floorSeconds)), signalDifferences: differencesFound))
    } else if let measured = rows.last(where: { $0.variant == "before" && !$0.estimated }) {
        // Sequential by construction: time per symbol × symbols.
        rows.append(Row(symbols: count, variant: "before", runs: [], estimated: true, medianWall: measured.medianWall / Double(measured.symbols) * Double(count),
                        medianFloor: median(argoRuns.map(\.floorSeconds)), signalDifferences: []))
    }
    rows.append(Row(symbols: count, variant: "argo", runs: argoRuns, estimated: false, medianWall: median(argoRuns.map(\.wallSeconds)),
                    medianFloor: median(argoRuns.map(\.floorSeconds)), signalDifferences: differencesFound))
}

// What each fix contributes: Argo with one of them turned off, alternating with Argo itself.
var ablationRows: [Row] = []
if options.ablationSymbols > 0 {
    let symbols = watchList(options.ablationSymbols)
    let setup = try BenchSetup.make(simulator: simulator, root: root, symbols: options.ablationSymbols)
    var results: [String: [Measurement]] = [:]
    for _ in 1...options.runs {
        for variant in [Variant.argo] + Variant.ablations {
            let (measurement, _) = try await measure(setup, variant, symbols: symbols)
            results[variant.name, default: []].append(measurement)
        }
    }
    for variant in [Variant.argo] + Variant.ablations {
        let runs = results[variant.name] ?? []
        ablationRows.append(Row(symbols: options.ablationSymbols, variant: variant.name, runs: runs, estimated: false,
                                medianWall: median(runs.map(\.wallSeconds)), medianFloor: median(runs.map(\.floorSeconds)), signalDifferences: []))
    }
}
try await simulator.shutdown()

// MARK: - Report

func cell(_ row: Row, before: Row?) -> String {
    let last = row.runs.last
    let market = (last?.requestsPerSymbol["alpaca"] ?? 0) + (last?.requestsPerSymbol["massive"] ?? 0)
    let total = last?.requestsPerSymbol.values.reduce(0, +) ?? 0
    let connections = row.runs.flatMap { $0.connections.values }.max() ?? 0
    let cpu = median(row.runs.map(\.cpuSeconds))
    let rss = row.runs.map(\.peakRSSMB).max() ?? 0
    let saved = before.map { String(format: "%.1f%%", (1 - row.medianWall / $0.medianWall) * 100) } ?? "—"
    let wall = String(format: row.estimated ? "~%.2f s (est.)" : "%.3f s", row.medianWall)
    return "| \(row.symbols) | \(row.variant) | \(wall) | \(String(format: "%.3f s", row.medianFloor)) | "
        + "\(String(format: "%.2f×", row.medianWall / max(row.medianFloor, 1e-9))) | \(row.variant == "before" ? "—" : saved) | "
        + (row.estimated ? "— | — | — | — | — |" : "\(String(format: "%.2f", market)) | \(String(format: "%.2f", total)) | \(connections) | \(String(format: "%.2f", cpu)) | \(String(format: "%.0f", rss)) |")
}

var table = ["| symbols | variant | wall (median) | floor | wall ÷ floor | less wall than before | market-data req/symbol | req/symbol, all routes | max connections on a route | CPU s | peak RSS MB |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
for row in rows { table.append(cell(row, before: rows.first { $0.symbols == row.symbols && $0.variant == "before" })) }
if !ablationRows.isEmpty {
    table += ["", "Each fix of the seed turned off in turn (\(options.ablationSymbols) symbols, median of \(options.runs)):", "",
              "| symbols | variant | wall (median) | floor | wall ÷ floor | less wall than before | market-data req/symbol | req/symbol, all routes | max connections on a route | CPU s | peak RSS MB |",
              "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in ablationRows { table.append(cell(row, before: nil)) }
}
print(table.joined(separator: "\n"))
let differences = rows.flatMap(\.signalDifferences)
print(differences.isEmpty ? "\nsignals: before and argo agree on every symbol" : "\nsignals DIFFER:\n" + Set(differences).sorted().joined(separator: "\n"))

struct Results: Codable {
    var machine: [String: String]
    var options: [String: String]
    var rows: [Row]
    var ablations: [Row]
}
func machine() -> [String: String] {
    var info = ["cores": "\(ProcessInfo.processInfo.activeProcessorCount)",
                "memory_gb": String(format: "%.1f", Double(ProcessInfo.processInfo.physicalMemory) / 1e9),
                "os": ProcessInfo.processInfo.operatingSystemVersionString]
    if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
       let model = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }) {
        info["cpu"] = model.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
    }
    return info
}
let results = Results(machine: machine(), options: ["counts": options.counts.map(String.init).joined(separator: ","), "runs": "\(options.runs)",
                                                    "before_max": "\(options.beforeMax)", "profile": "seed: alpaca 150, massive 200, yahoo 300, alpha vantage 400, xai 800, sonar 1200 ms, ±20%"],
                      rows: rows, ablations: ablationRows)
let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
try FileManager.default.createDirectory(atPath: (options.output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
try encoder.encode(results).write(to: URL(fileURLWithPath: options.output))
log("wrote \(options.output)")
if failed { exit(1) }
