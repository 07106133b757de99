internal import CLuaGuard
import Foundation

/// A thread of its own for one pooled ``LuaState``: Lua code runs here, never on
/// Swift's cooperative pool or an event loop, so a call that runs to its time
/// limit holds this thread only, and the async code around it goes on.
///
/// Jobs run one at a time in the order given. ``stop()`` ends the thread after
/// the jobs already given.
final class LuaThread: @unchecked Sendable {
    // `@unchecked Sendable`: `jobs` and `stopping` are only touched under `condition`.
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopping = false

    init(name: String) {
        let thread = Thread { [self] in
            clua_mark_lua_thread()
            loop()
        }
        thread.name = name
        thread.stackSize = 8 << 20  // Lua's C recursion (200 levels) and the host's frames
        thread.start()
    }

    /// Runs `job` on the thread.
    func run(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `job` on the thread and waits for it: for work that must be done
    /// before anything else may use the state (building it).
    func runAndWait<R>(_ job: @escaping () throws -> R) throws -> R {
        let done = DispatchSemaphore(value: 0)
        let outcome = ResultBox<R>()
        run {
            outcome.result = Result { try job() }
            done.signal()
        }
        done.wait()
        return try outcome.result!.get()
    }

    /// Ends the thread once the jobs already given have run.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}

/// A result handed from a Lua thread to the task waiting for it.
///
/// `@unchecked Sendable`: written once on the Lua thread before the waiter is
/// resumed (or signalled), read once by the waiter after.
final class ResultBox<R>: @unchecked Sendable {
    var result: Result<R, any Error>?
}

/// A closure handed to a Lua thread. `@unchecked Sendable`: the closure (and
/// the non-Sendable state it captures) is used on that thread only while its
/// caller waits for it, so no two threads use it at once.
struct LuaJob<Argument, R>: @unchecked Sendable {
    let body: (Argument) throws -> R
}
