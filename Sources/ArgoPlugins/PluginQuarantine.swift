import Synchronization

/// Plugins that keep overrunning their limits, set aside until their file changes.
///
/// A call stopped by its time limit, instruction budget or memory cap is an overrun. After
/// ``strikes`` overruns in a row a plugin is set aside: its calls fail at once,
/// naming the file and why, so a plugin that cannot finish does not burn a time
/// limit's worth of CPU for every symbol of every cycle. Editing the file (a new
/// ``PluginManifest/fingerprint``) lifts it. One quarantine outlives the engines
/// a service rebuilds on reload, so editing another file lifts nothing.
public final class PluginQuarantine: Sendable {
    /// Overruns in a row that set a plugin aside.
    public static let strikes = 3

    /// What the quarantine knows of one plugin.
    public struct Record: Sendable, Equatable {
        /// The file version the record is about.
        public var fingerprint: Int
        /// Overruns since the last call that finished.
        public var inARow = 0
        /// Overruns in all.
        public var overruns = 0
        /// CPU the plugin's calls used, in seconds.
        public var cpuSeconds = 0.0
        /// Whether the plugin is set aside.
        public var setAside: Bool { inARow >= PluginQuarantine.strikes }
    }

    private let records = Mutex<[String: Record]>([:])

    public init() {}

    /// Every plugin's record, by plugin name.
    public var snapshot: [String: Record] { records.withLock { $0 } }

    /// Whether `plugin` (this version of its file) is set aside.
    public func isSetAside(_ plugin: String, fingerprint: Int) -> Bool {
        records.withLock { $0[plugin].map { $0.fingerprint == fingerprint && $0.setAside } ?? false }
    }

    /// Whether `plugin`'s last call overran: its next calls wait until other plugins' calls have a state.
    public func isOnProbation(_ plugin: String, fingerprint: Int) -> Bool {
        records.withLock { $0[plugin].map { $0.fingerprint == fingerprint && $0.inARow > 0 } ?? false }
    }

    /// How one call ended, as the quarantine counts it.
    public enum CallEnd: Sendable {
        /// It returned, or failed on its own (an error, a bad result): the streak ends.
        case finished
        /// A limit stopped it: the streak grows.
        case overran
        /// The borrower's deadline cut it or kept it from starting: says nothing either way.
        case cut
    }

    /// Records one call: how it ended, and the CPU it used.
    public func record(_ plugin: String, fingerprint: Int, end: CallEnd, cpuSeconds: Double) {
        records.withLock { records in
            var record = records[plugin] ?? Record(fingerprint: fingerprint)
            if record.fingerprint != fingerprint {
                record.fingerprint = fingerprint
                record.inARow = 0
            }
            record.cpuSeconds += cpuSeconds
            switch end {
            case .overran:
                record.inARow += 1
                record.overruns += 1
            case .finished: record.inARow = 0
            case .cut: break
            }
            records[plugin] = record
        }
    }
}
