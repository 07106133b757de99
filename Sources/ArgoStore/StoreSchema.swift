import GRDB

/// The versioned schema of the signal history. Each migration runs once, in
/// order, inside its own transaction; GRDB records the applied ones in
/// `grdb_migrations`. Never edit a shipped migration: add the next one.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: cycles, signals, source results, symbol errors") { db in
            try db.execute(sql: """
                CREATE TABLE cycle (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    started_at TEXT NOT NULL,
                    duration_ms REAL NOT NULL,
                    deadline_s REAL NOT NULL,
                    symbols INTEGER NOT NULL,
                    http_requests INTEGER NOT NULL,
                    cache_hits INTEGER NOT NULL,
                    retries INTEGER NOT NULL,
                    coalesced INTEGER NOT NULL,
                    symbol_errors INTEGER NOT NULL,
                    source_errors INTEGER NOT NULL
                );
                CREATE TABLE signal (
                    cycle_seq INTEGER NOT NULL REFERENCES cycle(seq) ON DELETE CASCADE,
                    symbol TEXT NOT NULL,
                    direction TEXT NOT NULL,
                    confidence REAL NOT NULL,
                    raw_confidence REAL NOT NULL,
                    regime TEXT NOT NULL,
                    market_source TEXT,
                    market_bars INTEGER,
                    last_close REAL,
                    as_of TEXT,
                    reasoning TEXT NOT NULL,
                    insufficient INTEGER NOT NULL,
                    PRIMARY KEY (cycle_seq, symbol)
                );
                CREATE INDEX signal_by_symbol ON signal(symbol, cycle_seq);
                CREATE TABLE source_result (
                    cycle_seq INTEGER NOT NULL,
                    symbol TEXT NOT NULL,
                    source TEXT NOT NULL,
                    status TEXT NOT NULL,
                    direction TEXT,
                    confidence REAL,
                    weight REAL,
                    latency_ms REAL,
                    attempts INTEGER,
                    error_kind TEXT,
                    error TEXT,
                    reason TEXT,
                    reasoning TEXT,
                    PRIMARY KEY (cycle_seq, symbol, source),
                    FOREIGN KEY (cycle_seq, symbol) REFERENCES signal(cycle_seq, symbol) ON DELETE CASCADE
                );
                CREATE TABLE symbol_error (
                    cycle_seq INTEGER NOT NULL REFERENCES cycle(seq) ON DELETE CASCADE,
                    symbol TEXT NOT NULL,
                    error TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2: daily bars and what of them is held") { db in
            try db.execute(sql: """
                CREATE TABLE bar (
                    symbol TEXT NOT NULL,
                    source TEXT NOT NULL,
                    day TEXT NOT NULL,
                    t INTEGER NOT NULL,
                    o REAL NOT NULL,
                    h REAL NOT NULL,
                    l REAL NOT NULL,
                    c REAL NOT NULL,
                    v REAL NOT NULL,
                    PRIMARY KEY (symbol, source, day)
                ) WITHOUT ROWID;
                CREATE TABLE bar_coverage (
                    symbol TEXT NOT NULL,
                    source TEXT NOT NULL,
                    first_day TEXT NOT NULL,
                    last_day TEXT NOT NULL,
                    fetched_at TEXT NOT NULL,
                    PRIMARY KEY (symbol, source)
                );
                """)
        }
        return migrator
    }
}
