import Foundation
import ArgoLua
import Dispatch
import Synchronization
import Testing

@Suite("State pool")
struct LuaStatePoolTests {
    @Test("1,000 jobs over 2 states all return correct results")
    func thousandJobs() async throws {
        let pool = try LuaStatePool(size: 2) {
            let state = try makeState()
            _ = try loadPlugin(state, "sq", "return { square = function(x) return x * x end }")
            return state
        }
        let results = try await withThrowingTaskGroup(of: (Int64, LuaValue).self) { group in
            for i in Int64(0)..<1000 {
                group.addTask {
                    try await pool.withState { state in
                        let plugin = try loadPlugin(state, "job", "return { square = function(x) return x * x end }")
                        defer { state.release(plugin) }
                        return (i, try state.call(plugin, "square", arguments: [.integer(i)])[0])
                    }
                }
            }
            var collected: [Int64: LuaValue] = [:]
            for try await (i, value) in group { collected[i] = value }
            return collected
        }
        #expect(results.count == 1000)
        #expect(results.allSatisfy { $0.value == .integer($0.key * $0.key) })
    }

    @Test("a waiter cancelled while every state is busy gets CancellationError, and the pool goes on")
    func cancelledWaiter() async throws {
        let pool = try LuaStatePool(size: 1) { try makeState() }
        let release = DispatchSemaphore(value: 0)
        let holder = Task.detached { try await pool.withState { _ in release.wait() } }
        // Queue a waiter behind the holder, wait until it is queued, then cancel it.
        let waiter = Task { try await pool.withState { state in try state.evaluate("return 1") } }
        while pool.waiting == 0 { await Task.yield() }
        waiter.cancel()
        let outcome = await waiter.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(pool.waiting == 0)
        release.signal()
        try await holder.value
        #expect(try await pool.withState { try $0.evaluate("return 2") } == [2])
    }

    @Test("an endless loop and a memory bomb in pooled states leave the pool working")
    func limitsInPool() async throws {
        let pool = try LuaStatePool(size: 2) { try makeState(memory: 8 << 20, instructions: 2_000_000) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<20 {
                group.addTask {
                    let source = i % 2 == 0 ? "while true do end" : "local t = {} while true do t[#t+1] = string.rep('x', 9999) .. #t end"
                    let error = await #expect(throws: LuaError.self) {
                        try await pool.withState { state in _ = try state.evaluate(source, chunkName: "plugins/bad.lua") }
                    }
                    #expect(error?.kind == (i % 2 == 0 ? .instructionLimit : .memoryLimit))
                }
            }
            try await group.waitForAll()
        }
        #expect(try await pool.withState { try $0.evaluate("return 40 + 2") } == [42])
    }

    @Test("a state that keeps far more freed memory than it uses is replaced when given back; an ordinary one is not")
    func idleMemoryReplaced() async throws {
        let pool = try LuaStatePool(size: 1) { try makeState(memory: 128 << 20, instructions: 50_000_000) }
        let source = """
            return {
              small = function() local t = {} for i = 1, 1000 do t[i] = { i } end return #t end,
              burst = function()
                local t = {}
                for i = 1, 250000 do t[i] = { i, i } end
                local n = #t
                t = nil
                collectgarbage("collect")
                return n
              end,
            }
            """
        func run(_ function: String) async throws -> LuaValue {
            try await pool.withState { state in
                let plugin = try loadPlugin(state, "burst", source)
                defer { state.release(plugin) }
                return try state.call(plugin, function)[0]
            }
        }
        #expect(try await run("small") == 1000)
        #expect(pool.replacements == 0)
        #expect(try await run("burst") == 250000)
        #expect(pool.replacements == 1, "the burst left tens of MB of freed blocks in the state's pool")
        #expect(try await pool.withState { state in state.pooledMemory - state.memoryInUse } < LuaState.idleMemoryLimit)
        #expect(try await run("small") == 1000)
        #expect(pool.replacements == 1)
    }

    @Test("work on the Lua threads never holds a cooperative thread: both states blocked, async work goes on")
    func luaOffTheCooperativePool() async throws {
        let pool = try LuaStatePool(size: 2) { try makeState() }
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        // Each body blocks its thread, as a long C call inside Lua would. On the
        // cooperative pool (2 threads here) the two would leave nothing for the task below.
        let blocked = (0..<2).map { _ in
            Task {
                try await pool.withState { state in
                    started.signal()
                    release.wait()
                    return try state.evaluate("return 1")
                }
            }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                started.wait()
                started.wait()
                continuation.resume()
            }.start()
        }
        let sum = await withTaskGroup(of: Int.self) { group in
            for i in 1...100 { group.addTask { await Task.yield(); return i } }
            return await group.reduce(0, +)
        }
        #expect(sum == 5050)
        release.signal()
        release.signal()
        for task in blocked { #expect(try await task.value == [1]) }
    }

    @Test("a deferred borrower waits until no other borrower does, whatever the arrival order")
    func deferredWaitsBehind() async throws {
        let pool = try LuaStatePool(size: 1) { try makeState() }
        let release = DispatchSemaphore(value: 0)
        let order = OrderLog()
        let holder = Task { try await pool.withState { _ in release.wait() } }
        while pool.busy < 1 { await Task.yield() }
        let late = Task { try await pool.withState(deferred: true) { _ in order.append("deferred") } }
        while pool.waiting < 1 { await Task.yield() }
        let early = Task { try await pool.withState { _ in order.append("first") } }
        while pool.waiting < 2 { await Task.yield() }
        release.signal()
        try await holder.value
        try await late.value
        try await early.value
        #expect(order.entries == ["first", "deferred"])
    }

    @Test("a lane at its share waits while another lane takes the free state, and goes on when its own state comes back")
    func laneShare() async throws {
        let pool = try LuaStatePool(size: 2, laneShare: 1) { try makeState() }
        let release = DispatchSemaphore(value: 0)
        let order = OrderLog()
        let holder = Task { try await pool.withState(lane: "slow") { _ in release.wait() } }
        while pool.busy < 1 { await Task.yield() }
        // A state is free, but "slow" holds its share: the second "slow" call waits.
        let second = Task { try await pool.withState(lane: "slow") { _ in order.append("slow") } }
        while pool.waiting < 1 { await Task.yield() }
        #expect(pool.busy == 1)
        try await pool.withState(lane: "other") { _ in order.append("other") }
        #expect(order.entries == ["other"])
        #expect(pool.waiting == 1)
        release.signal()
        try await holder.value
        try await second.value
        #expect(order.entries == ["other", "slow"])
        #expect(pool.busy == 0)
    }

    @Test("waiters of several lanes are served in arrival order, a cancelled one skipped")
    func arrivalOrderAcrossLanes() async throws {
        let pool = try LuaStatePool(size: 1, laneShare: 1) { try makeState() }
        let release = DispatchSemaphore(value: 0)
        let order = OrderLog()
        let holder = Task { try await pool.withState { _ in release.wait() } }
        while pool.busy < 1 { await Task.yield() }
        var waiters: [Task<Void, any Error>] = []
        for (name, lane) in [("a1", "a"), ("b1", "b"), ("a2", "a"), ("none", nil), ("b2", "b")] as [(String, String?)] {
            waiters.append(Task { try await pool.withState(lane: lane) { _ in order.append(name) } })
            while pool.waiting < waiters.count { await Task.yield() }
        }
        waiters[2].cancel()
        while pool.waiting > 4 { await Task.yield() }
        release.signal()
        try await holder.value
        for (index, waiter) in waiters.enumerated() where index != 2 { try await waiter.value }
        #expect(order.entries == ["a1", "b1", "none", "b2"])
        #expect(pool.busy == 0 && pool.waiting == 0)
    }
}

/// Who ran, in order, from any thread.
private final class OrderLog: Sendable {
    private let log = Mutex<[String]>([])
    func append(_ entry: String) { log.withLock { $0.append(entry) } }
    var entries: [String] { log.withLock { $0 } }
}
