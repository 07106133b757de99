import ArgoLua
import Testing

@Suite("Limits")
struct LimitTests {
    @Test("an endless loop is stopped, naming plugin, function and limit, and the state still works")
    func endlessLoop() throws {
        let state = try makeState(instructions: 1_000_000)
        let plugin = try loadPlugin(state, "spin", """
            return {
              parse = function()
                while true do end
              end,
              ok = function() return 'still here' end,
            }
            """)
        let error = try #require(luaError { _ = try state.call(plugin, "parse", plugin: "spin") })
        #expect(error.kind == .instructionLimit)
        #expect(error.plugin == "spin")
        #expect(error.function == "parse")
        #expect(error.chunk == "plugins/spin.lua")
        #expect(error.line == 3)
        #expect(error.description.contains("instruction budget of 1000000 instructions exceeded"))
        #expect(try state.call(plugin, "ok") == ["still here"])
    }

    @Test("a loop that catches the budget error with pcall is stopped too")
    func pcallCannotEscapeBudget() throws {
        let state = try makeState(instructions: 500_000)
        let error = try #require(luaError {
            _ = try state.evaluate("""
                local n = 0
                while true do
                  pcall(function() while true do end end)
                  n = n + 1
                end
                """)
        })
        #expect(error.kind == .instructionLimit)
    }

    @Test("a memory bomb is stopped and the state still works")
    func memoryBomb() throws {
        let state = try makeState(memory: 8 << 20)
        let plugin = try loadPlugin(state, "bomb", """
            return {
              parse = function()
                local t = {}
                while true do t[#t + 1] = string.rep('x', 4096) .. #t end
              end,
              big_string = function() return string.rep('y', 1 << 30) end,
              ok = function() return 1 end,
            }
            """)
        let error = try #require(luaError { _ = try state.call(plugin, "parse", plugin: "bomb") })
        #expect(error.kind == .memoryLimit)
        #expect(error.description.contains("memory limit of 8 MiB exceeded"))
        #expect(error.plugin == "bomb")
        #expect(state.memoryInUse < 8 << 20)
        let big = try #require(luaError { _ = try state.call(plugin, "big_string", plugin: "bomb") })
        #expect(big.kind == .memoryLimit)
        #expect(try state.call(plugin, "ok") == [1])
        #expect(state.needsReplacement, "a state that went over its cap is discarded by the pool")
    }

    @Test("json.decode of a body larger than the cap is stopped without unwinding Swift")
    func hostFunctionOverLimit() throws {
        let state = try makeState(memory: 4 << 20)
        let error = try #require(luaError {
            _ = try state.evaluate("""
                local parts = {}
                for i = 1, 40000 do parts[i] = '[1,2,3,4,5,6,7,8]' end
                local text = '[' .. table.concat(parts, ',') .. ']'
                parts = nil
                collectgarbage()
                return #json.decode(text)
                """)
        })
        #expect(error.kind == .memoryLimit)
        #expect(try state.evaluate("return #json.decode('[1,2,3]')") == [3])
    }

    @Test("a plugin that keeps what it grabbed gets its state replaced by the pool")
    func poolReplacesDirtyState() async throws {
        let pool = try LuaStatePool(size: 1) {
            let state = try makeState(memory: 8 << 20)
                        return state
        }
        let leaked = try await pool.withState { state -> Bool in
            let hog = try loadPlugin(state, "hog2", """
                local keep = {}
                return { grab = function() while true do keep[#keep + 1] = string.rep('z', 8192) .. #keep end end }
                """)
            _ = luaError { _ = try state.call(hog, "grab", plugin: "hog2") }
            return state.needsReplacement
        }
        #expect(leaked)
        #expect(pool.replacements == 1)
        let fresh = try await pool.withState { state in state.memoryInUse }
        #expect(fresh < 1 << 20)
    }
}
