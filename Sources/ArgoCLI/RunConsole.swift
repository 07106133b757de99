import ArgoCore
import ArgoService
import Foundation
import Synchronization

/// What `argo run` says on its standard streams besides the logs: each cycle's
/// changes on standard output, and the answer to Ctrl-C on standard error.
final class RunConsole: Sendable {
    private let last = Mutex<[String: Direction]>([:])
    private let interrupts = Mutex(0)

    /// Starts answering SIGINT, beside ServiceLifecycle's own graceful shutdown:
    /// the first is acknowledged, the second ends the process at once. The
    /// history database is never half-written: each cycle is one SQLite
    /// transaction, which a process that dies mid-way leaves unapplied.
    /// Keep the returned source for as long as Ctrl-C should be answered.
    func watchInterrupts() -> any DispatchSourceSignal {
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [self] in
            let count = interrupts.withLock { count in
                count += 1
                return count
            }
            if count == 1 {
                StandardStreams.errorLine("argo: finishing this cycle; Ctrl-C again to stop now")
            } else {
                StandardStreams.errorLine("argo: stopping now; the cycle in progress is not stored")
                _exit(130)
            }
        }
        source.resume()
        return source
    }

    /// One line per symbol whose direction changed since the last cycle
    /// (every symbol, the first time), or one line saying nothing changed.
    func changes(in report: CycleReport) -> [String] {
        let lines = last.withLock { last in
            report.signals.compactMap { signal -> String? in
                let before = last[signal.symbol]
                last[signal.symbol] = signal.direction
                guard before != signal.direction else { return nil }
                return String(format: "%@  %@  %@ → %@  %.2f", report.cycle.startedAt, signal.symbol, before?.rawValue ?? "—",
                              signal.direction.rawValue, signal.confidence)
            }
        }
        let failed = report.errors.map { "\(report.cycle.startedAt)  \($0.symbol)  failed: \($0.error)" }
        if lines.isEmpty, failed.isEmpty { return ["\(report.cycle.startedAt)  no change (\(report.signals.count) symbols)"] }
        return lines + failed
    }
}
