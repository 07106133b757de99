import Synchronization

/// Successful responses kept for a source's TTL, keyed by the redacted request
/// key. Only 2xx responses go in; a parse that later finds a body unusable
/// (a rate-limit note in a 200) removes it with ``remove(_:)``.
final class ResponseCache: Sendable {
    private struct Entry {
        var response: FetchResponse
        var expires: Double
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let limit: Int

    init(limit: Int = 20_000) { self.limit = limit }

    func get(_ key: String, now: Double) -> FetchResponse? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard now < entry.expires else {
                entries[key] = nil
                return nil
            }
            return entry.response
        }
    }

    func put(_ key: String, _ response: FetchResponse, ttl: Double, now: Double) {
        guard ttl > 0, (200..<300).contains(response.status) else { return }
        entries.withLock { entries in
            if entries.count >= limit {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            }
            entries[key] = Entry(response: response, expires: now + ttl)
        }
    }

    func remove(_ key: String) { _ = entries.withLock { $0.removeValue(forKey: key) } }
}
