import ArgoLua
import Testing

@Suite("Errors")
struct ErrorTests {
    @Test("a runtime error names chunk, line, message and has a traceback")
    func runtimeError() throws {
        let state = try makeState()
        let plugin = try loadPlugin(state, "alpaca", """
            local M = {}
            function M.parse(response)

              return response.body.bars[1]
            end
            return M
            """)
        let error = try #require(luaError { _ = try state.call(plugin, "parse", plugin: "alpaca", arguments: [["body": [:]]]) })
        #expect(error.kind == .runtime)
        #expect(error.chunk == "plugins/alpaca.lua")
        #expect(error.line == 4)
        #expect(error.message == "attempt to index a nil value (field 'bars')")
        #expect(error.plugin == "alpaca")
        #expect(error.function == "parse")
        #expect(error.description.hasPrefix("plugins/alpaca.lua:4: attempt to index a nil value (field 'bars')"))
        let traceback = try #require(error.traceback)
        #expect(traceback.contains("stack traceback:"))
        #expect(traceback.contains("plugins/alpaca.lua:4: in function"), "\(traceback)")
    }

    @Test("a syntax error names the file and line")
    func syntaxError() throws {
        let state = try makeState()
        let error = try #require(luaError { _ = try loadPlugin(state, "broken", "return {\n  name = 'x',\n  parse = function( end\n}") })
        #expect(error.kind == .syntax)
        #expect(error.chunk == "plugins/broken.lua")
        #expect(error.line == 3)
    }

    @Test("a table raised with error() arrives as a value")
    func tableError() throws {
        let state = try makeState()
        let error = try #require(luaError {
            _ = try state.evaluate("error({ kind = 'rate_limited', retry_after = 60, message = 'slow down' })")
        })
        #expect(error.kind == .runtime)
        #expect(error.value?["kind"] == "rate_limited")
        #expect(error.value?["retry_after"] == 60)
        #expect(error.message == "slow down")
    }

    @Test("calling a missing function is an error naming it")
    func missingFunction() throws {
        let state = try makeState()
        let plugin = try loadPlugin(state, "p", "return { name = 'p' }")
        let error = try #require(luaError { _ = try state.call(plugin, "parse", plugin: "p") })
        #expect(error.description.contains("'parse' is a nil, not a function"))
    }

    @Test("the stack is balanced after successes and failures")
    func stackBalanced() throws {
        let state = try makeState()
        let plugin = try loadPlugin(state, "p", "return { ok = function(x) return x, x end, bad = function() error('no') end }")
        let before = state.argumentCount
        for _ in 0..<100 {
            _ = try state.call(plugin, "ok", arguments: [1])
            _ = luaError { _ = try state.call(plugin, "bad") }
        }
        #expect(state.argumentCount == before)
    }
}
