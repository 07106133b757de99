import ArgoEngine
import ArgoSimulator
import Foundation

/// One line of the before/argo table: a variant at a symbol count, over its runs.
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


/// Point 1: the seed's "before" against Argo on the seed's latency profile, the
/// simulator in this process; then each of the seed's fixes turned off in turn.
struct SeedComparison {
    var rows: [Row] = []
    var ablations: [Row] = []
    /// Argo at the largest count against the simulator in a child process.
    var clientOnly: Row?
    /// Symbol by symbol differences between before's and argo's signals (none expected).
    var signalDifferences: [String] { rows.flatMap(\.signalDifferences) }

    static func run(_ options: Options, root: String) async throws -> SeedComparison {
        var result = SeedComparison()
        // First, while this process holds no simulator: Argo at the largest count with the
        // simulator in a child process, so CPU and memory are the client's alone.
        if let largest = options.counts.max(), largest >= 50 {
            result.clientOnly = try await clientOnly(count: largest, options: options, root: root)
        }
        let simulator = try await LocalSimulator.start(scenario: SeedProfile.scenario(), threads: 2, listeners: 6, wire: options.wire)
        for count in options.counts {
            result.rows += try await compare(count: count, options: options, simulator: simulator, root: root, earlier: result.rows)
        }
        if options.ablationSymbols > 0 {
            result.ablations = try await ablations(options, simulator: simulator, root: root)
        }
        try await simulator.shutdown()
        return result
    }

    private static func compare(count: Int, options: Options, simulator: LocalSimulator, root: String, earlier: [Row]) async throws -> [Row] {
        let symbols = watchList(count)
        let setup = try BenchSetup.make(simulator: simulator, root: root, symbols: count)
        let warmSetup = try BenchSetup.make(simulator: simulator, root: root, settings: BenchSettings(symbols: count, cache: false))
        // Unmeasured: the simulator builds each symbol's market history on first use.
        _ = try await measure(setup, .argo, symbols: symbols)
        var argoRuns: [Measurement] = []
        var warmRuns: [Measurement] = []
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
            let (warm, _) = try await measure(warmSetup, .argoWarm, symbols: symbols)
            warmRuns.append(warm)
            log(String(format: "%4d symbols, run %d: argo, warm pool %.3f s", count, run, warm.wallSeconds))
        }
        var rows: [Row] = []
        if !beforeRuns.isEmpty {
            rows.append(Row(symbols: count, variant: "before", runs: beforeRuns, estimated: false, medianWall: median(beforeRuns.map(\.wallSeconds)),
                            medianFloor: median(beforeRuns.map(\.floorSeconds)), signalDifferences: differencesFound))
        } else if let measured = earlier.last(where: { $0.variant == "before" && !$0.estimated }) {
            // Sequential by construction: time per symbol × symbols.
            rows.append(Row(symbols: count, variant: "before", runs: [], estimated: true, medianWall: measured.medianWall / Double(measured.symbols) * Double(count),
                            medianFloor: median(argoRuns.map(\.floorSeconds)), signalDifferences: []))
        }
        rows.append(Row(symbols: count, variant: "argo", runs: argoRuns, estimated: false, medianWall: median(argoRuns.map(\.wallSeconds)),
                        medianFloor: median(argoRuns.map(\.floorSeconds)), signalDifferences: differencesFound))
        rows.append(Row(symbols: count, variant: Variant.argoWarm.name, runs: warmRuns, estimated: false, medianWall: median(warmRuns.map(\.wallSeconds)),
                        medianFloor: median(warmRuns.map(\.floorSeconds)), signalDifferences: []))
        return rows
    }

    static func clientOnly(count: Int, options: Options, root: String) async throws -> Row {
        let simulator = try RemoteSimulator(scenario: SeedProfile.scenario(), listeners: 6, wire: options.wire)
        defer { simulator.stop() }
        let setup = try BenchSetup.make(simulator: simulator, root: root, symbols: count)
        _ = try await measure(setup, .argo, symbols: watchList(count))  // the simulator's market, built once
        var runs: [Measurement] = []
        for run in 1...options.runs {
            let (measurement, _) = try await measure(setup, .argo, symbols: watchList(count))
            runs.append(measurement)
            log(String(format: "%4d symbols, run %d: argo %.3f s (simulator in a child process, %.2f CPU s, %.0f MB peak)",
                       count, run, measurement.wallSeconds, measurement.cpuSeconds, measurement.peakRSSMB))
        }
        return Row(symbols: count, variant: "argo, simulator in a child process", runs: runs, estimated: false,
                   medianWall: median(runs.map(\.wallSeconds)), medianFloor: median(runs.map(\.floorSeconds)), signalDifferences: [])
    }

    /// What each fix contributes: the benchmark's cycle with every fix, then with one of them turned off, alternating.
    private static func ablations(_ options: Options, simulator: LocalSimulator, root: String) async throws -> [Row] {
        let symbols = watchList(options.ablationSymbols)
        let setup = try BenchSetup.make(simulator: simulator, root: root, symbols: options.ablationSymbols)
        var results: [String: [Measurement]] = [:]
        for _ in 1...options.runs {
            for variant in Variant.ablations {
                let (measurement, _) = try await measure(setup, variant, symbols: symbols)
                results[variant.name, default: []].append(measurement)
            }
        }
        return Variant.ablations.map { variant in
            let runs = results[variant.name] ?? []
            return Row(symbols: options.ablationSymbols, variant: variant.name, runs: runs, estimated: false,
                       medianWall: median(runs.map(\.wallSeconds)), medianFloor: median(runs.map(\.floorSeconds)), signalDifferences: [])
        }
    }

    // MARK: - Report

    static let header = [
        "| symbols | variant | wall (median) | floor | wall ÷ floor | less wall than before | market-data req/symbol | req/symbol, all routes | max connections on a route | CPU s | peak RSS MB |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    var markdown: String {
        var table = Self.header
        for row in rows { table.append(Self.cell(row, before: rows.first { $0.symbols == row.symbols && $0.variant == "before" })) }
        if let clientOnly {
            table.append(Self.cell(clientOnly, before: rows.first { $0.symbols == clientOnly.symbols && $0.variant == "before" }))
        }
        if let first = ablations.first {
            table += ["", "Each fix of the seed turned off in turn, in the benchmark's own cycle (BenchCycle.swift; "
                      + "\(first.symbols) symbols, median of \(first.runs.count)):", ""] + Self.header
            for row in ablations { table.append(Self.cell(row, before: nil)) }
        }
        let differences = signalDifferences
        table.append(differences.isEmpty ? "\nsignals: before and argo agree on every symbol"
                     : "\nsignals DIFFER:\n" + Set(differences).sorted().joined(separator: "\n"))
        return table.joined(separator: "\n")
    }

    private static func cell(_ row: Row, before: Row?) -> String {
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
}
