import ArgoFetch
import Synchronization

/// The start of a cycle's first wave of symbols, slowest source first.
///
/// When a cycle admits hundreds of symbols at once, building and sending
/// their thousands of requests takes the CPU a while (about 160 ms for 2,500
/// on 2 cores), and the cycle ends with the slowest source's last response.
/// So each source of that first wave parks here on arrival; once all have
/// arrived (or after `patience`, should one never come), they are let go
/// slowest source first. The executor runs them in that order: the slowest
/// source's requests all leave within the first few tens of milliseconds, and
/// the quick sources' requests, which have time to spare, leave after them.
/// Later arrivals (the next source of a failed chain, symbols admitted later)
/// pass straight through.
final class LaunchOrder: Sendable {
    private struct Parked {
        var rank: Double
        var arrival: Int
        var continuation: CheckedContinuation<Int?, Never>
    }

    private struct State {
        var expected: Int
        var parked: [Parked] = []
        var released = false

        /// Marks the wave released and hands back its sources, slowest first (arrival order among equals).
        mutating func release() -> [Parked] {
            released = true
            defer { parked = [] }
            return parked.sorted { ($0.rank, -$0.arrival) > ($1.rank, -$1.arrival) }
        }
    }

    private let state: Mutex<State>
    private let ranks: [String: Double]

    /// The wave of the cycle this task belongs to, if it is the first.
    @TaskLocal static var current: LaunchOrder?

    /// - Parameters:
    ///   - expected: the arrivals to wait for before letting any go.
    ///   - ranks: each source's expected latency; higher goes first.
    init(expected: Int, ranks: [String: Double]) {
        state = Mutex(State(expected: expected, released: expected <= 1))
        self.ranks = ranks
    }

    /// Each source's expected latency in milliseconds: its mean so far, or its
    /// timeout before it has any (the slow sources are given the long timeouts).
    static func ranks(of sources: [SourceSetup], fetcher: Fetcher) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: sources.map { source in
            (source.name, fetcher.stats(for: source.name)?.latency.meanMs ?? source.policy.timeout * 1000)
        })
    }

    /// Waits for this source's turn. Returns its place in the wave's start
    /// order (0 first), or nil when it passed straight through.
    @discardableResult
    func turn(source: String) async -> Int? {
        let rank = ranks[source] ?? 0
        return await withCheckedContinuation { continuation in
            let ready: [Parked]? = state.withLock { state in
                if state.released { return [] }
                state.parked.append(Parked(rank: rank, arrival: state.parked.count, continuation: continuation))
                guard state.parked.count >= state.expected else { return nil }
                return state.release()
            }
            guard let ready else { return }
            if ready.isEmpty { continuation.resume(returning: nil) } else { Self.resume(ready) }
        }
    }

    /// Sources parked now (for tests).
    var parkedCount: Int { state.withLock { $0.parked.count } }

    /// Lets every parked source go now (the patience ran out, or the cycle ends).
    func releaseAll() {
        let ready = state.withLock { $0.released ? [] : $0.release() }
        Self.resume(ready)
    }

    private static func resume(_ parked: [Parked]) {
        for (place, entry) in parked.enumerated() { entry.continuation.resume(returning: place) }
    }
}
