import ArgoCore
import Foundation
import GRDB

/// A problem with the history database, naming its path.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// The signal history: an SQLite database in WAL mode (GRDB), versioned by
/// migrations. Each cycle — its summary, every symbol's signal, every source's
/// result and the symbol errors — is written in one transaction, so a crash or
/// a kill leaves only whole cycles. Writes and reads run on GRDB's own queues;
/// the async methods never block a Swift concurrency thread.
public final class SignalStore: Sendable {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating the file and its directory on first use) and migrates the database at `path`.
    public init(path: String) throws(StoreError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        } catch {
            throw StoreError(path: path, message: "cannot create directory '\(directory)': \(error.localizedDescription)")
        }
        var configuration = Configuration()
        configuration.label = "argo.history"
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL survives a process crash with whole transactions only.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            let migrator = StoreSchema.migrator
            let superseded = try pool.read { try migrator.hasBeenSuperseded($0) }
            if superseded { throw StoreError(path: path, message: "written by a newer version of argo (unknown schema migrations); not touching it") }
            try migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(path: path, message: Self.describe(error))
        }
    }

    /// Opens the database at `path` for reading history, or nil when it does not exist yet.
    public static func existing(path: String) throws(StoreError) -> SignalStore? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try SignalStore(path: path)
    }

    /// Writes a whole cycle in one transaction.
    public func save(_ report: CycleReport) async throws(StoreError) {
        do {
            try await pool.write { db in try Self.insert(report, into: db) }
        } catch {
            throw StoreError(path: path, message: "cannot store cycle \(report.cycle.id): \(Self.describe(error))")
        }
    }

    /// Checkpoints the WAL into the main file and closes the database.
    public func close() throws(StoreError) {
        do {
            try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            try pool.close()
        } catch {
            throw StoreError(path: path, message: "cannot close: \(Self.describe(error))")
        }
    }

    // MARK: - Reading

    /// The latest signals, newest first: for one symbol, or for every symbol.
    ///
    /// - Parameters:
    ///   - since: only cycles started at or after this time (ISO 8601 text, such as `2026-12-01`).
    ///   - changesOnly: only signals whose direction differs from the symbol's stored signal before it
    ///     (the first stored signal of a symbol counts as a change).
    public func history(symbol: String? = nil, limit: Int = 20, since: String? = nil, changesOnly: Bool = false) async throws(StoreError) -> [HistoryEntry] {
        do {
            return try await pool.read { db in try Self.entries(symbol: symbol, limit: limit, since: since, changesOnly: changesOnly, db: db) }
        } catch {
            throw StoreError(path: path, message: Self.describe(error))
        }
    }

    /// The latest cycles, newest first.
    public func cycles(limit: Int = 20) async throws(StoreError) -> [StoredCycle] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM cycle ORDER BY seq DESC LIMIT ?", arguments: [limit]).map { row in
                    StoredCycle(id: row["id"], startedAt: row["started_at"], durationMs: row["duration_ms"], deadlineS: row["deadline_s"],
                                symbols: row["symbols"], symbolErrors: row["symbol_errors"], sourceErrors: row["source_errors"],
                                httpRequests: row["http_requests"], cacheHits: row["cache_hits"], retries: row["retries"])
                }
            }
        } catch {
            throw StoreError(path: path, message: Self.describe(error))
        }
    }

    /// Runs SQLite's `PRAGMA integrity_check`: "ok" or the problems it lists.
    public func integrityCheck() async throws(StoreError) -> String {
        do {
            return try await pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
        } catch {
            throw StoreError(path: path, message: Self.describe(error))
        }
    }

    // MARK: - SQL

    static func insert(_ report: CycleReport, into db: Database) throws {
        let sourceErrors = report.signals.reduce(0) { count, signal in count + signal.sources.values.filter { $0.status == .error }.count }
        let info = report.cycle
        try db.execute(
            sql: """
                INSERT INTO cycle (id, started_at, duration_ms, deadline_s, symbols, http_requests, cache_hits, retries, coalesced,
                                   symbol_errors, source_errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [info.id, info.startedAt, info.durationMs, info.deadlineS, info.symbols, report.stats.httpRequests,
                        report.stats.cacheHits, report.stats.retries, report.stats.coalesced, report.errors.count, sourceErrors])
        let seq = db.lastInsertedRowID
        let signalStatement = try db.cachedStatement(sql: """
            INSERT INTO signal (cycle_seq, symbol, direction, confidence, raw_confidence, regime, market_source, market_bars,
                                last_close, as_of, reasoning, insufficient) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let sourceStatement = try db.cachedStatement(sql: """
            INSERT INTO source_result (cycle_seq, symbol, source, status, direction, confidence, weight, latency_ms, attempts,
                                       error_kind, error, reason, reasoning) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for signal in report.signals {
            let market = signal.marketData
            try signalStatement.execute(arguments: [
                seq, signal.symbol, signal.direction.rawValue, signal.confidence, signal.rawConfidence, signal.regime.rawValue,
                market?.source, market?.bars, market?.lastClose, market?.asOf, signal.reasoning, signal.insufficient ?? false,
            ])
            for (source, outcome) in signal.sources.sorted(by: { $0.key < $1.key }) {
                try sourceStatement.execute(arguments: [
                    seq, signal.symbol, source, outcome.status.rawValue, outcome.direction?.rawValue, outcome.confidence, outcome.weight,
                    outcome.latencyMs, outcome.attempts, outcome.errorKind, outcome.error, outcome.reason, outcome.reasoning,
                ])
            }
        }
        for error in report.errors {
            try db.execute(sql: "INSERT INTO symbol_error (cycle_seq, symbol, error) VALUES (?, ?, ?)", arguments: [seq, error.symbol, error.error])
        }
    }

    static func entries(symbol: String?, limit: Int, since: String?, changesOnly: Bool, db: Database) throws -> [HistoryEntry] {
        var filters: [String] = []
        var arguments: StatementArguments = []
        if let symbol {
            filters.append("s.symbol = ?")
            _ = arguments.append(contentsOf: [symbol])
        }
        if let since {
            filters.append("c.started_at >= ?")
            _ = arguments.append(contentsOf: [since])
        }
        if changesOnly { filters.append("(previous_direction IS NULL OR previous_direction != s.direction)") }
        _ = arguments.append(contentsOf: [limit])
        // The previous direction is the symbol's stored signal just before, whatever the filters: `--since`
        // still compares a day's first signal with the one stored before it. Looked up per row through
        // signal_by_symbol, so a plain `history --limit 20` reads 20 rows, not the whole table.
        let rows = try Row.fetchAll(db, sql: """
            SELECT s.*, c.id AS cycle_id, c.started_at AS started_at,
                   (SELECT p.direction FROM signal p WHERE p.symbol = s.symbol AND p.cycle_seq < s.cycle_seq
                    ORDER BY p.cycle_seq DESC LIMIT 1) AS previous_direction
            FROM signal s JOIN cycle c ON c.seq = s.cycle_seq
            \(filters.isEmpty ? "" : "WHERE " + filters.joined(separator: " AND ")) ORDER BY s.cycle_seq DESC, s.rowid ASC LIMIT ?
            """, arguments: arguments)
        let sourceStatement = try db.cachedStatement(sql: "SELECT * FROM source_result WHERE cycle_seq = ? AND symbol = ?")
        return try rows.map { row in
            var sources: [String: SourceOutcome] = [:]
            for result in try Row.fetchAll(sourceStatement, arguments: [row["cycle_seq"], row["symbol"]]) {
                sources[result["source"]] = SourceOutcome(
                    status: SourceOutcome.Status(rawValue: result["status"]) ?? .error,
                    direction: (result["direction"] as String?).flatMap(Direction.init(rawValue:)),
                    confidence: result["confidence"], weight: result["weight"], latencyMs: result["latency_ms"], attempts: result["attempts"],
                    reasoning: result["reasoning"], error: result["error"], errorKind: result["error_kind"], reason: result["reason"])
            }
            let market: MarketDataSummary? = (row["market_source"] as String?).map { source in
                MarketDataSummary(source: source, bars: row["market_bars"], lastClose: row["last_close"], asOf: row["as_of"])
            }
            let insufficient: Bool = row["insufficient"]
            let signal = SymbolSignal(
                symbol: row["symbol"], direction: Direction(rawValue: row["direction"]) ?? .neutral, confidence: row["confidence"],
                rawConfidence: row["raw_confidence"], regime: Regime(rawValue: row["regime"]) ?? .unknown, marketData: market,
                sources: sources, reasoning: row["reasoning"], insufficient: insufficient ? true : nil)
            return HistoryEntry(cycleId: row["cycle_id"], startedAt: row["started_at"], signal: signal,
                                previousDirection: (row["previous_direction"] as String?).flatMap(Direction.init(rawValue:)))
        }
    }

    /// A GRDB error without the SQL arguments (which could hold anything a plugin wrote).
    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "SQLite error \(error.resultCode.rawValue)" }
        return "\(error)"
    }
}
