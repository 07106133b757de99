import ArgoCore
import Foundation
import GRDB

/// What the bar store holds of one symbol from one source: every trading day
/// from `firstDay` through `lastDay`, as fetched at `fetchedAt`.
public struct BarCoverage: Sendable, Equatable {
    public var symbol: String
    public var source: String
    public var firstDay: String
    public var lastDay: String
    public var fetchedAt: String

    public init(symbol: String, source: String, firstDay: String, lastDay: String, fetchedAt: String) {
        self.symbol = symbol
        self.source = source
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.fetchedAt = fetchedAt
    }
}

/// The bar store: daily bars kept beside the signal history, one row per
/// symbol, source and trading day, so that a backtest or an evaluation fetches
/// a symbol's history once and reads it locally afterwards.
extension SignalStore {
    /// Adds `bars` of `symbol` from `source` (a day already held is replaced by
    /// the newer answer) and widens what is held to cover them, in one transaction.
    public func saveBars(_ bars: [Bar], symbol: String, source: String, fetchedAt: String) async throws(StoreError) {
        guard let first = bars.map(\.date).min(), let last = bars.map(\.date).max() else { return }
        do {
            try await pool.write { db in
                let insert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO bar (symbol, source, day, t, o, h, l, c, v) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                for bar in bars {
                    try insert.execute(arguments: [symbol, source, bar.date, bar.t, bar.o, bar.h, bar.l, bar.c, bar.v])
                }
                try db.execute(sql: """
                    INSERT INTO bar_coverage (symbol, source, first_day, last_day, fetched_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (symbol, source) DO UPDATE SET
                      first_day = MIN(first_day, excluded.first_day), last_day = MAX(last_day, excluded.last_day),
                      fetched_at = excluded.fetched_at
                    """, arguments: [symbol, source, first, last, fetchedAt])
            }
        } catch {
            throw StoreError(path: path, message: "cannot store bars of \(symbol) from \(source): \(Self.describe(error))")
        }
    }

    /// What is held of `symbol`, from each source that has some.
    public func barCoverage(symbol: String) async throws(StoreError) -> [BarCoverage] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM bar_coverage WHERE symbol = ? ORDER BY source", arguments: [symbol]).map { row in
                    BarCoverage(symbol: row["symbol"], source: row["source"], firstDay: row["first_day"], lastDay: row["last_day"], fetchedAt: row["fetched_at"])
                }
            }
        } catch {
            throw StoreError(path: path, message: Self.describe(error))
        }
    }

    /// The bars of `symbol` from `source`, oldest first, from `firstDay` through `lastDay` (inclusive, when given).
    public func bars(symbol: String, source: String, from firstDay: String? = nil, through lastDay: String? = nil) async throws(StoreError) -> [Bar] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT t, o, h, l, c, v FROM bar WHERE symbol = ? AND source = ? AND day >= ? AND day <= ? ORDER BY day
                    """, arguments: [symbol, source, firstDay ?? "", lastDay ?? "9999-12-31"]).map { row in
                    Bar(t: row["t"], o: row["o"], h: row["h"], l: row["l"], c: row["c"], v: row["v"])
                }
            }
        } catch {
            throw StoreError(path: path, message: Self.describe(error))
        }
    }
}
