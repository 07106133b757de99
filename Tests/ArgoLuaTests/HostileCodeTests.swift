import ArgoLua
import Testing

/// Plugin code that costs time or memory where the instruction count cannot see
/// it: library functions doing long work in C, host functions fed hostile
/// values. Each is stopped with a limit error naming the file and line.
@Suite("Hostile code")
struct HostileCodeTests {
    /// A state with the default budget, a memory cap and a time limit long enough
    /// that the budget, not the clock, is what stops these (the clock has its own tests).
    func state(memory: Int = 64 << 20, instructions: Int = 20_000_000) throws -> LuaState {
        try LuaState(limits: LuaLimits(memoryBytes: memory, instructionsPerCall: instructions, timePerCall: .seconds(600)))
    }

    @Test("a backtracking pattern is stopped by the budget, and the state is marked for replacement")
    func backtrackingPattern() throws {
        let state = try state()
        let error = try #require(luaError {
            _ = try state.evaluate("""
                local subject = string.rep("a", 40)
                return subject:find(string.rep("a*", 12) .. "b")
                """, chunkName: "plugins/regex.lua", plugin: "regex")
        })
        #expect(error.kind == .instructionLimit)
        #expect(error.chunk == "plugins/regex.lua")
        #expect(error.line == 2)
        #expect(state.needsReplacement)
    }

    @Test("each pattern function is bounded", arguments: [
        "return s:match(p)", "return s:gsub(p, '')", "for m in s:gmatch(p) do end", "return s:find(p)",
    ])
    func everyPatternFunction(call: String) throws {
        let state = try state()
        let error = try #require(luaError {
            _ = try state.evaluate("local s, p = string.rep('a', 30), string.rep('a*', 10) .. 'b'\n" + call, chunkName: "plugins/p.lua")
        })
        #expect(error.kind == .instructionLimit)
    }

    @Test("ordinary patterns give Lua's own results")
    func patternsUnchanged() throws {
        let state = try state()
        let results = try state.evaluate("""
            local a, b, c = ("key = value"):find("(%w+)%s*=%s*(%w+)")
            local words = {}
            for w in ("one two  three"):gmatch("%a+") do words[#words + 1] = w end
            local replaced, n = ("hello world"):gsub("o", "0")
            return a, b, c, table.concat(words, ","), replaced, n, ("x(a(b)c)y"):match("%b()"), ("abc"):find("b", 1, true)
            """)
        #expect(results == [1, 11, "key", "one,two,three", "hell0 w0rld", 2, "(a(b)c)", 2, 2])
    }

    @Test("string.rep with an empty result returns at once; one past the memory cap is a memory error")
    func rep() throws {
        let state = try state(memory: 16 << 20)
        #expect(try state.evaluate("return #string.rep('', 1e13), #string.rep('', 1e13, '')") == [0, 0])
        let error = try #require(luaError { _ = try state.evaluate("return string.rep('ab', 1e8)") })
        #expect(error.kind == .memoryLimit)
    }

    @Test("long work per call in C is charged: upper, utf8.len, plain find, table.move, table.concat", arguments: [
        "local s = string.rep('x', 8 << 20) while true do local _ = s:upper() end",
        "local s = string.rep('x', 8 << 20) while true do local _ = utf8.len(s) end",
        "local s = string.rep('x', 8 << 20) while true do local _ = s:find('y', 1, true) end",
        "local m = { __index = rawequal, __newindex = rawequal } table.move(setmetatable({}, m), 1, 1 << 40, 1, setmetatable({}, m))",
        "local t = {} for i = 1, 1000 do t[i] = 'x' end while true do local _ = table.concat(t) end",
        "local s = string.rep('a', 1 << 20) while true do local _ = s:find(string.rep('a', 1 << 19) .. 'b', 1, true) end",
        "local keep = {} for i = 1, 200000 do keep[i] = { i } end while true do collectgarbage() end",
    ])
    func chargedLibraryWork(source: String) throws {
        let state = try state()
        let error = try #require(luaError { _ = try state.evaluate(source, chunkName: "plugins/c.lua") })
        #expect(error.kind == .instructionLimit)
        #expect(error.chunk == "plugins/c.lua")
    }

    @Test("the time limit stops a call the budget would let run, and pcall cannot catch it")
    func timeLimit() throws {
        let state = try LuaState(limits: LuaLimits(instructionsPerCall: Int.max / 2, timePerCall: .milliseconds(50)))
        let error = try #require(luaError {
            _ = try state.evaluate("while true do pcall(function() while true do end end) end", chunkName: "plugins/t.lua", plugin: "t")
        })
        #expect(error.kind == .timeLimit)
        #expect(error.description.contains("time limit of 50 ms exceeded"))
        #expect(error.chunk == "plugins/t.lua")
        #expect(state.needsReplacement)
    }

    @Test("a call that would start after the borrower's deadline fails at once")
    func deadlinePassed() throws {
        let state = try self.state()
        state.deadline = .now - .seconds(1)
        let error = try #require(luaError { _ = try state.evaluate("return 1") })
        #expect(error.kind == .timeLimit)
        #expect(error.message.contains("deadline passed"))
    }

    @Test("json.decode reads its options raw: a throwing metamethod cannot turn the memory cap off")
    func decodeOptionsRaw() throws {
        let state = try state(memory: 16 << 20)
        let results = try state.evaluate("""
            local options = setmetatable({}, { __index = function() error("boom") end })
            local ok, value = pcall(json.decode, "[1, 2]", options)
            return ok, #value
            """)
        #expect(results == [true, 2])
        let error = try #require(luaError {
            _ = try state.evaluate("local t = {} while true do t[#t + 1] = string.rep('x', 4096) .. #t end")
        })
        #expect(error.kind == .memoryLimit)
        #expect(state.memoryInUse < 16 << 20)
    }

    @Test("json.decode stops building a document once the state is over its cap")
    func decodeCountsAgainstCap() throws {
        let state = try state(memory: 24 << 20, instructions: 200_000_000)
        let error = try #require(luaError {
            _ = try state.evaluate("""
                local text = "[" .. string.rep('"abcdefgh",', 1000000) .. '"z"]'
                return json.decode(text)
                """)
        })
        #expect(error.kind == .memoryLimit)
        #expect(state.memoryInUse < 24 << 20)
    }

    @Test("json.encode of a table shared 2^30 times is refused, not walked")
    func encodeSharedTable() async throws {
        // Seconds of encoding in a debug build: on a pooled state's own thread, as a plugin's call would run.
        let pool = try LuaStatePool(size: 1) { try self.state() }
        let error = try await pool.withState { state in
            luaError {
                _ = try state.evaluate("""
                    local t = { "leaf" }
                    for _ = 1, 30 do t = { t, t } end
                    return json.encode(t)
                    """, chunkName: "plugins/e.lua")
            }
        }
        #expect(error?.kind == .instructionLimit || error?.kind == .memoryLimit, "\(String(describing: error))")
    }

    @Test("a shared table returned to the host is refused past a million values")
    func convertSharedTable() throws {
        let state = try state()
        let error = try #require(luaError {
            _ = try state.evaluate("""
                local t = { "leaf" }
                for _ = 1, 30 do t = { t, t } end
                return t
                """)
        })
        #expect(error.kind == .conversion)
    }
}
