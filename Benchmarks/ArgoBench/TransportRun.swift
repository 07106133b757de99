import ArgoCore
import ArgoEngine
import ArgoFetch
import ArgoSimulator
import Foundation

/// `--sections transport`: the HTTP client's reliability and cost over TLS
/// (docs/http.md). Whole cycles against the simulator in a child process over
/// TLS, with HTTP/2 offered as the vendors' fronts offer it, on the seed's
/// latency profile, under a production deadline, with the cache off. Every
/// cycle has a fresh engine and pool, so each pays its handshakes. Each
/// watch-list size runs in a process of its own, so peak memory is its alone.
enum TransportRun {
    struct Run: Codable {
        var wallSeconds: Double
        var cpuSeconds: Double
        var peakRSSMB: Double
        /// Connections the simulator accepted, and how many of them spoke HTTP/2 (none: the client asks for HTTP/1.1).
        var connections: Int
        var http2Connections: Int
        /// Symbols with a signal and no failed source.
        var symbolsOK: Int
        var symbols: Int
        var deadlineHeld: Bool
        /// The first few failures, for the note.
        var failures: [String]
    }

    struct Row: Codable {
        /// `argo`; bench/transport.json keeps the runs of the AsyncHTTPClient backend it was chosen over.
        var client: String
        var symbols: Int
        var streams: Int
        var deadline: Double
        var runs: [Run]

        var reliable: Bool { runs.allSatisfy { $0.symbolsOK == $0.symbols && $0.deadlineHeld } }
    }

    /// One size, `runs` cycles.
    static func one(symbols count: Int, runs: Int, streams: Int, deadline: Double,
                    root: String) async throws -> Row {
        let simulator = try RemoteSimulator(scenario: SeedProfile.scenario(), listeners: 6, tlsStreams: streams)
        defer { simulator.stop() }
        let symbols = watchList(count)
        try simulator.warm(symbols)
        var settings = BenchSettings(symbols: count)
        settings.cache = false
        settings.deadline = deadline
        settings.caFile = simulator.caFile
        let setup = try BenchSetup.make(simulator: simulator, root: root, settings: settings)
        var row = Row(client: "argo", symbols: count, streams: streams, deadline: deadline, runs: [])
        for index in 1...runs {
            let (measurement, report) = try await measure(setup, .argo, symbols: symbols)
            let stats = try simulator.currentStats()
            let failed = Set(report.errors.map(\.symbol)).union(
                report.signals.filter { $0.sources.values.contains { $0.status == .error } }.map(\.symbol))
            let failures = report.errors.map { "\($0.symbol): \($0.error)" } + report.signals.flatMap { signal in
                signal.sources.sorted { $0.key < $1.key }.compactMap { name, outcome in
                    outcome.status == .error ? "\(signal.symbol) \(name): \(outcome.error ?? "error")" : nil
                }
            }
            let run = Run(
                wallSeconds: measurement.wallSeconds, cpuSeconds: measurement.cpuSeconds, peakRSSMB: measurement.peakRSSMB,
                connections: stats.totalConnections, http2Connections: stats.routes.values.reduce(0) { $0 + $1.http2Connections },
                symbolsOK: count - failed.count, symbols: count, deadlineHeld: measurement.wallSeconds <= deadline + 0.5,
                failures: Array(failures.prefix(5)))
            row.runs.append(run)
            log(String(format: "%@ %4d symbols, run %2d: %.3f s, %.2f CPU s, %.0f MB peak, %d connections (%d HTTP/2), %d/%d symbols ok%@",
                       "argo", count, index, run.wallSeconds, run.cpuSeconds, run.peakRSSMB, run.connections,
                       run.http2Connections, run.symbolsOK, count, failures.first.map { "; first failure: \($0)" } ?? ""))
        }
        return row
    }

    static let header = [
        "| client | symbols | runs | every symbol ok | deadline held | wall, median (max) | CPU s, median | peak RSS MB, median (max) | connections (HTTP/2) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    static func markdown(_ rows: [Row]) -> String {
        var lines = header
        for row in rows {
            let runs = row.runs
            let ok = runs.filter { $0.symbolsOK == $0.symbols }.count
            let held = runs.filter(\.deadlineHeld).count
            let last = runs.last
            lines.append(String(
                format: "| %@ | %d | %d | %d of %d | %d of %d | %.2f s (%.2f) | %.2f | %.0f (%.0f) | %d (%d) |",
                row.client, row.symbols, runs.count, ok, runs.count, held, runs.count,
                median(runs.map(\.wallSeconds)), runs.map(\.wallSeconds).max() ?? 0, median(runs.map(\.cpuSeconds)),
                median(runs.map(\.peakRSSMB)), runs.map(\.peakRSSMB).max() ?? 0, last?.connections ?? 0, last?.http2Connections ?? 0))
        }
        if let first = rows.first {
            lines.append("")
            lines.append(String(format: "TLS with a throw-away authority; HTTP/2 offered with %d streams per connection; deadline %.0f s; seed latency profile; cache off; a fresh pool every cycle.",
                                first.streams, first.deadline))
        }
        return lines.joined(separator: "\n")
    }
}
