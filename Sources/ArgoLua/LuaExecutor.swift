internal import CLuaGuard
import Foundation
import Synchronization

/// A task executor of Lua threads: tasks that prefer it
/// (`withTaskExecutorPreference(LuaExecutor.shared)`) run their Swift code on
/// these threads, so a ``LuaStatePool`` lends them a state in place instead of
/// handing the work to another thread and back (two context switches per call).
/// Lua still never runs on the cooperative pool or an event loop: a task off
/// these threads has its Lua work run on the pool's own threads.
///
/// As many threads run jobs at once as there are cores, plus one for each job
/// that has been running for a while (a plugin call spinning to its time limit):
/// a monitor looks every few milliseconds and lets a parked thread take its
/// place, so a cycle's other work (answers arriving, other symbols starting)
/// always has a core's worth of threads, without more threads than cores
/// competing for the CPU the rest of the time.
public final class LuaExecutor: TaskExecutor, @unchecked Sendable {
    // `@unchecked Sendable`: `jobs`, `head`, `idle`, `running` and `allowance` are only touched under `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    /// Threads parked, waiting for a job or for room.
    private var idle = 0
    /// Threads running a job.
    private var running = 0
    /// How many threads may run jobs at once: the cores, plus the threads stuck in a long job.
    private var allowance: Int
    private let cores: Int
    private let workers: [Worker]

    /// One thread's progress, read by the monitor.
    private final class Worker: Sendable {
        let started = Atomic<UInt64>(0)
        let finished = Atomic<UInt64>(0)
    }

    /// The process's Lua executor: a thread per core that runs jobs, and as many
    /// more as the plugin host's states, to stand in for threads stuck in long calls.
    public static let shared: LuaExecutor = {
        let cores = max(2, ProcessInfo.processInfo.activeProcessorCount)
        return LuaExecutor(cores: cores, spare: max(4, 2 * cores))
    }()

    /// How often the monitor looks for threads stuck in a job.
    static let tick: Duration = .milliseconds(5)

    init(cores: Int, spare: Int) {
        self.cores = cores
        allowance = cores
        workers = (0..<(cores + spare)).map { _ in Worker() }
        for (index, worker) in workers.enumerated() {
            let thread = Thread { [self] in
                clua_mark_lua_thread()
                work(worker)
            }
            thread.name = "argo-lua-exec-\(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
        let monitor = Thread { [self] in watch() }
        monitor.name = "argo-lua-monitor"
        monitor.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        if idle > 0 && running < allowance { condition.signal() }
        condition.unlock()
    }

    private func work(_ worker: Worker) {
        while true {
            condition.lock()
            while head == jobs.count || running >= allowance {
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
            running += 1
            condition.unlock()
            worker.started.add(1, ordering: .relaxed)
            job.runSynchronously(on: asUnownedTaskExecutor())
            worker.finished.add(1, ordering: .relaxed)
            condition.lock()
            running -= 1
            condition.unlock()
        }
    }

    /// Every tick: a thread still in the job it was in at the last tick is stuck;
    /// the allowance is the cores plus the stuck threads, and parked threads wake to use it.
    private func watch() {
        var seen = [UInt64](repeating: 0, count: workers.count)
        while true {
            Thread.sleep(forTimeInterval: Double(Self.tick.components.attoseconds) / 1e18)
            var stuck = 0
            for (index, worker) in workers.enumerated() {
                let started = worker.started.load(ordering: .relaxed)
                if started != worker.finished.load(ordering: .relaxed), started == seen[index] { stuck += 1 }
                seen[index] = started
            }
            condition.lock()
            let grew = cores + stuck > allowance
            allowance = cores + stuck
            if grew && head < jobs.count && idle > 0 { condition.broadcast() }
            condition.unlock()
        }
    }
}
