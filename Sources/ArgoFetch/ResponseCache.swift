import ArgoCore
import Synchronization

/// Successful responses kept for their source's TTL, for every source of a
/// ``Fetcher`` together, keyed by source and redacted request key.
///
/// Only 2xx responses go in; a parse that later finds a body unusable (a
/// rate-limit note in a 200) removes it with ``remove(source:key:)``. The
/// cache is bounded in bytes and in entries: past either bound, expired
/// entries go first, then those closest to expiring (they have the least
/// use left), down to 90% of the bound, so a 2,000-symbol watch list cannot
/// hold half a gigabyte of bodies for a minute.
final class ResponseCache: Sendable {
    private struct Key: Hashable {
        var source: String
        var request: String
    }

    private struct Entry {
        var response: FetchResponse
        var expires: Double
        var bytes: Int
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())
    /// Bytes the cached responses may take together (bodies, headers and keys).
    let maxBytes: Int
    let maxEntries: Int

    init(maxBytes: Int = 64 << 20, maxEntries: Int = 20_000) {
        self.maxBytes = max(0, maxBytes)
        self.maxEntries = max(1, maxEntries)
    }

    /// Bytes held now.
    var bytes: Int { state.withLock { $0.bytes } }
    /// Entries held now.
    var count: Int { state.withLock { $0.entries.count } }

    func get(source: String, key: String, now: Double) -> FetchResponse? {
        state.withLock { state in
            let key = Key(source: source, request: key)
            guard let entry = state.entries[key] else { return nil }
            guard now < entry.expires else {
                state.entries[key] = nil
                state.bytes -= entry.bytes
                return nil
            }
            return entry.response
        }
    }

    func put(source: String, key: String, _ response: FetchResponse, ttl: Double, now: Double) {
        guard ttl > 0, (200..<300).contains(response.status) else { return }
        let cost = Self.cost(of: response, key: key)
        guard cost <= maxBytes else { return }
        state.withLock { state in
            let key = Key(source: source, request: key)
            if let old = state.entries.updateValue(Entry(response: response, expires: now + ttl, bytes: cost), forKey: key) {
                state.bytes -= old.bytes
            }
            state.bytes += cost
            if state.bytes > maxBytes || state.entries.count > maxEntries { evict(&state, now: now) }
        }
    }

    func remove(source: String, key: String) {
        state.withLock { state in
            if let entry = state.entries.removeValue(forKey: Key(source: source, request: key)) { state.bytes -= entry.bytes }
        }
    }

    /// Drops a source's entries (its policy changed, or it is gone).
    func removeAll(source: String) {
        state.withLock { state in
            for (key, entry) in state.entries where key.source == source {
                state.entries[key] = nil
                state.bytes -= entry.bytes
            }
        }
    }

    private func evict(_ state: inout State, now: Double) {
        let byteTarget = maxBytes / 10 * 9
        let entryTarget = maxEntries / 10 * 9
        for (key, entry) in state.entries where entry.expires <= now {
            state.entries[key] = nil
            state.bytes -= entry.bytes
        }
        guard state.bytes > byteTarget || state.entries.count > entryTarget else { return }
        for (key, entry) in state.entries.sorted(by: { $0.value.expires < $1.value.expires }) {
            guard state.bytes > byteTarget || state.entries.count > entryTarget else { break }
            state.entries[key] = nil
            state.bytes -= entry.bytes
        }
    }

    /// What an entry costs: its body, headers and key, and a fixed overhead.
    static func cost(of response: FetchResponse, key: String) -> Int {
        response.body.count + key.utf8.count + response.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 32 } + 128
    }
}
