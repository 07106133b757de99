internal import CLuaGuard
import Foundation

/// A task executor of Lua threads: tasks that prefer it
/// (`withTaskExecutorPreference(LuaExecutor.shared)`) run their Swift code on
/// these threads, so a ``LuaStatePool`` lends them a state in place instead of
/// handing the work to another thread and back (two context switches per call).
/// Lua still never runs on the cooperative pool or an event loop: a task off
/// these threads has its Lua work run on the pool's own threads.
///
/// Three times as many threads as cores (at least 6): a state pool lends at most
/// twice the cores' worth of states, so however many calls run to their time
/// limit, a core's worth of threads is left for the cycle's other work
/// (answers arriving, other symbols starting).
public final class LuaExecutor: TaskExecutor, @unchecked Sendable {
    // `@unchecked Sendable`: `jobs` is only touched under `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    /// Threads waiting for a job: a job given while none waits needs no wake-up.
    private var idle = 0

    /// The process's Lua executor.
    public static let shared = LuaExecutor(threads: max(4, 2 * ProcessInfo.processInfo.activeProcessorCount) + max(2, ProcessInfo.processInfo.activeProcessorCount))

    init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in
                clua_mark_lua_thread()
                loop()
            }
            thread.name = "argo-lua-exec-\(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        if idle > 0 { condition.signal() }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while head == jobs.count {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
