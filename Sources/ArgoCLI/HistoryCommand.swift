import ArgoEngine
import ArgoStore
import ArgumentParser
import Foundation

/// `argo history [SYMBOL] [--limit N] [--format table|json] [--cycles]`: reads the stored signals back.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show stored signals, newest first (or, with --cycles, the stored cycles).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Argument(help: "Only this symbol's signals.")
    var symbol: String?

    @Option(help: "How many rows (default 20).")
    var limit = 20

    @Option(help: "table or json.")
    var format: Format = .table

    @Flag(help: "List cycles with their duration and error counts instead of signals.")
    var cycles = false

    @Option(help: "The host settings file, for storage.path (default: Config/argo.yaml).")
    var config = "Config/argo.yaml"

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if cycles, symbol != nil { throw ValidationError("--cycles lists whole cycles; it takes no SYMBOL") }
    }

    func run() async throws {
        let settings: ArgoConfig
        do {
            settings = try ArgoConfig(file: try ConfigFile.load(path: config, environment: ProcessInfo.processInfo.environment))
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
                case .json: try printLine(String(decoding: try encoder.encode(rows), as: UTF8.self))
                case .table: try printLine(rows.isEmpty ? emptyNote(settings) : Self.cycleTable(rows))
                }
            } else {
                let rows = try await store?.history(symbol: symbol?.uppercased(), limit: limit) ?? []
                switch format {
                case .json: try printLine(String(decoding: try encoder.encode(rows), as: UTF8.self))
                case .table: try printLine(rows.isEmpty ? emptyNote(settings) : Self.signalTable(rows))
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

    static func signalTable(_ rows: [HistoryEntry]) -> String {
        let body = rows.map { entry -> [String] in
            let signal = entry.signal
            let live = signal.sources.values.filter { $0.status == .ok || $0.status == .cached }.count
            let failed = signal.sources.values.filter { $0.status == .error }.count
            let market = signal.marketData.map { String(format: "%.2f %@", $0.lastClose, $0.asOf) } ?? "-"
            return [entry.startedAt, String(entry.cycleId.prefix(8)), signal.symbol, signal.direction.rawValue,
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
