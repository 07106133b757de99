import ArgoCore
import ArgoEngine
import ArgoService
import ArgoStore
import ArgumentParser
import Foundation

/// `argo history [SYMBOL] [--limit N] [--since DATE] [--changes] [--format table|json|csv|ndjson] [--cycles]`:
/// reads the stored signals back.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show stored signals, newest first (or, with --cycles, the stored cycles).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv, ndjson }

    @Argument(help: "Only this symbol's signals.")
    var symbol: String?

    @Option(help: "How many rows.")
    var limit = 20

    @Option(help: ArgumentHelp("Only cycles started on or after this day or time (UTC), e.g. 2026-12-01 or 2026-12-01T14:30.", valueName: "date"))
    var since: String?

    @Flag(help: "Only signals whose direction changed from the symbol's stored signal before it.")
    var changes = false

    @Option(help: "table, json, csv (a column per source) or ndjson (one signal per line).")
    var format: Format = .table

    @Flag(help: "List cycles with their duration and error counts instead of signals.")
    var cycles = false

    @OptionGroup var settings: Runtime.ConfigOption

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if cycles, symbol != nil || since != nil || changes { throw ValidationError("--cycles lists whole cycles; it takes no SYMBOL, --since or --changes") }
        if cycles, format == .csv || format == .ndjson { throw ValidationError("--cycles prints a table or json") }
        if let since, since.range(of: #"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?Z?)?$"#, options: .regularExpression) == nil {
            throw ValidationError("--since must be a day (2026-12-01) or a time (2026-12-01T14:30), got '\(since)'")
        }
    }

    func run() async throws {
        let settings: ArgoConfig
        do {
            settings = try ArgoConfig(file: try ConfigFile.load(path: try self.settings.configPath(), environment: ProcessInfo.processInfo.environment))
        } catch let error as ExitCode {
            throw error
        } catch {
            printError("argo: \(error)")
            throw ExitCode(1)
        }
        let store: SignalStore?
        do {
            store = try SignalStore.existing(path: settings.storagePath)
        } catch {
            printError("argo: cannot open the history database: \(error)")
            throw ExitCode(1)
        }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            if cycles {
                let rows = try await store?.cycles(limit: limit) ?? []
                switch format {
                case .table, .csv, .ndjson: try printLine(rows.isEmpty ? emptyNote(settings) : Self.cycleTable(rows))
                case .json: try printLine(String(decoding: try encoder.encode(rows), as: UTF8.self))
                }
            } else {
                let sinceTime = since.map { $0.replacingOccurrences(of: " ", with: "T") }
                let rows = try await store?.history(symbol: symbol?.uppercased(), limit: limit, since: sinceTime, changesOnly: changes) ?? []
                switch format {
                case .json: try printLine(String(decoding: try encoder.encode(rows), as: UTF8.self))
                case .table: try printLine(rows.isEmpty ? emptyNote(settings) : Self.signalTable(rows, changes: changes))
                case .csv: try StandardStreams.write(Array(Self.csv(rows).utf8))
                case .ndjson:
                    let lines = JSONEncoder()
                    lines.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    for row in rows { try printLine(String(decoding: try lines.encode(row), as: UTF8.self)) }
                }
            }
            try store?.close()
        } catch {
            printError("argo: \(error)")
            throw ExitCode(1)
        }
    }

    func emptyNote(_ settings: ArgoConfig) -> String {
        "no stored \(cycles ? "cycles" : "signals")\(symbol.map { " for \($0.uppercased())" } ?? "") in \(settings.storagePath)"
    }

    /// One row per signal and a column per source (`alpaca_status`, `alpaca_direction`, `alpaca_confidence`, …).
    static func csv(_ rows: [HistoryEntry]) -> String {
        let sources = Set(rows.flatMap(\.signal.sources.keys)).sorted()
        var header = ["started_at", "cycle_id", "symbol", "direction", "previous_direction", "confidence", "raw_confidence", "regime",
                      "market_source", "last_close", "as_of"]
        header += sources.flatMap { ["\($0)_status", "\($0)_direction", "\($0)_confidence"] }
        var lines = [header.joined(separator: ",")]
        for entry in rows {
            let signal = entry.signal
            var fields = [entry.startedAt, entry.cycleId, signal.symbol, signal.direction.rawValue, entry.previousDirection?.rawValue ?? "",
                          "\(signal.confidence)", "\(signal.rawConfidence)", signal.regime.rawValue, signal.marketData?.source ?? "",
                          signal.marketData.map { "\($0.lastClose)" } ?? "", signal.marketData?.asOf ?? ""]
            for source in sources {
                let outcome = signal.sources[source]
                fields += [outcome?.status.rawValue ?? "", outcome?.direction?.rawValue ?? "", outcome?.confidence.map { "\($0)" } ?? ""]
            }
            lines.append(fields.map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180: quoted when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func signalTable(_ rows: [HistoryEntry], changes: Bool = false) -> String {
        let body = rows.map { entry -> [String] in
            let signal = entry.signal
            let live = signal.sources.values.filter { $0.status == .ok || $0.status == .cached }.count
            let failed = signal.sources.values.filter { $0.status == .error }.count
            let market = signal.marketData.map { String(format: "%.2f %@", $0.lastClose, $0.asOf) } ?? "-"
            let direction = changes ? "\(entry.previousDirection?.rawValue ?? "new") → \(signal.direction.rawValue)" : signal.direction.rawValue
            return [entry.startedAt, String(entry.cycleId.prefix(8)), signal.symbol, direction,
                    String(format: "%.2f", signal.confidence), signal.regime.rawValue, market, "\(live)", "\(failed)"]
        }
        return TextTable(header: ["STARTED", "CYCLE", "SYMBOL", "SIGNAL", "CONF", "REGIME", "LAST CLOSE", "LIVE", "FAILED"], rows: body).rendered
    }

    static func cycleTable(_ rows: [StoredCycle]) -> String {
        let body = rows.map { cycle -> [String] in
            [cycle.startedAt, String(cycle.id.prefix(8)), String(format: "%.1f", cycle.durationMs), "\(cycle.symbols)",
             "\(cycle.symbolErrors)", "\(cycle.sourceErrors)", "\(cycle.httpRequests)", "\(cycle.cacheHits)", "\(cycle.retries)"]
        }
        return TextTable(header: ["STARTED", "CYCLE", "DURATION MS", "SYMBOLS", "SYMBOL ERRORS", "SOURCE ERRORS", "HTTP", "CACHE HITS", "RETRIES"],
                         rows: body).rendered
    }
}
