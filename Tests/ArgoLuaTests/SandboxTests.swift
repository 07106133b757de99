import ArgoLua
import Testing

@Suite("Sandbox")
struct SandboxTests {
    /// Each escape, and the words its error must contain.
    static let escapes: [(String, String)] = [
        ("return io.open('/etc/passwd')", "global 'io'"),
        ("return os.execute('true')", "field 'execute'"),
        ("return os.exit(1)", "field 'exit'"),
        ("return os.getenv('HOME')", "field 'getenv'"),
        ("return os.remove('/tmp/x')", "field 'remove'"),
        ("return os.rename('/tmp/x', '/tmp/y')", "field 'rename'"),
        ("return debug.getinfo(1)", "global 'debug'"),
        ("return package.loadlib('libc.so.6', 'system')", "global 'package'"),
        ("return dofile('/etc/passwd')", "global 'dofile'"),
        ("return loadfile('/etc/passwd')", "global 'loadfile'"),
        ("return string.dump(function() end)", "field 'dump'"),
        ("return ('').dump(function() end)", "field 'dump'"),
        ("return coroutine.create(print)", "global 'coroutine'"),
        ("return load(function() return nil end)", "only text chunks"),
        ("return assert(load('\\27Lua\\84\\0'))", "binary chunk"),
        ("return require('../../etc/passwd')", "invalid module name"),
        ("return require('os')", "module 'os' not found in plugins/lib/"),
        ("getmetatable('').__index.upper = nil", "index a boolean value"),
        ("setmetatable({}, { __gc = function() end })", "__gc is not allowed"),
        ("return collectgarbage('stop')", "not allowed in the sandbox"),
    ]

    @Test("every escape fails with a clear error", arguments: escapes)
    func escapeFails(source: String, expected: String) throws {
        let state = try makeState()
        let error = try #require(luaError { _ = try state.evaluate(source, chunkName: "plugins/evil.lua", plugin: "evil") })
        #expect(error.kind == .runtime || error.kind == .syntax)
        #expect(error.description.contains(expected), "\(error.description)")
        #expect(try state.evaluate("return 1 + 1") == [2])
    }

    @Test("allowed libraries work")
    func allowedLibraries() throws {
        let state = try makeState()
        let values = try state.evaluate("""
            return string.format('%05.1f', 3.14159), table.concat({'a','b'}, ','), math.floor(2.7),
                   utf8.char(233), type(os.time()), os.date('!%Y', 0), type(os.clock()),
                   ('abc'):upper(), json.encode({1, 2}), select('#', 1, 2, 3)
            """)
        #expect(values == ["003.1", "a,b", 2, "é", "number", "1970", "number", "ABC", "[1,2]", 3])
    }

    @Test("load runs text chunks inside the sandbox")
    func loadStaysInSandbox() throws {
        let state = try makeState()
        let values = try state.evaluate("""
            x = 41
            local f = assert(load('x = x + 1; return x, io'))
            return f()
            """)
        #expect(values == [42, nil])
    }

    @Test("globals written by one plugin do not leak into another")
    func globalsDoNotLeak() throws {
        let state = try makeState()
        let a = try loadPlugin(state, "a", """
            secret = 'mine'
            string.upper = function() return 'hijacked' end
            return { get = function() return secret, ('x'):upper() end }
            """)
        let b = try loadPlugin(state, "b", """
            return { get = function() return secret, string.upper('x'), ('y'):upper() end }
            """)
        #expect(try state.call(a, "get", plugin: "a") == ["mine", "X"])
        #expect(try state.call(b, "get", plugin: "b") == [nil, "X", "Y"])
    }

    @Test("require loads modules from plugins/lib only, once per plugin")
    func requireFromLibrary() throws {
        let library = LuaLibrary(modules: [
            "util": .init(chunkName: "plugins/lib/util.lua", source: Array("""
                local M = {}
                counter = (counter or 0) + 1
                function M.double(x) return 2 * x end
                M.loads = counter
                return M
                """.utf8)),
            "broken": .init(chunkName: "plugins/lib/broken.lua", source: Array("return {".utf8)),
        ])
        let state = try makeState(library: library)
        let values = try state.evaluate("""
            local u = require('util')
            local again = require('util')
            return u.double(21), rawequal(u, again), u.loads, counter
            """)
        #expect(values == [42, true, 1, nil])
        let error = try #require(luaError { _ = try state.evaluate("return require('broken')") })
        #expect(error.description.contains("plugins/lib/broken.lua:1:"), "\(error.description)")
    }

    @Test("a module loaded from disk is found by require")
    func libraryFromDisk() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("argo-lib-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("a"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "return { name = 'b' }".write(to: directory.appendingPathComponent("a/b.lua"), atomically: true, encoding: .utf8)
        let state = try makeState(library: try LuaLibrary.load(directory: directory.path))
        #expect(try state.evaluate("return require('a.b').name") == ["b"])
    }
}

import Foundation

@Suite("Sandbox: wrapped base functions")
struct WrappedBaseFunctionTests {
    @Test("a misused next, rawget, rawset, rawlen or setmetatable is an error naming that function", arguments: [
        ("next(nil)", "'next'"), ("rawget(1, 2)", "'rawget'"), ("rawset(nil, 1, 2)", "'rawset'"), ("rawlen(5)", "'rawlen'"),
        ("setmetatable(1, {})", "'setmetatable'"),
    ])
    func namesTheFunction(code: String, name: String) throws {
        let state = try makeState()
        let error = luaError { _ = try state.evaluate(code) }
        #expect(error?.message.contains("bad argument #1 to \(name)") == true, "\(error?.message ?? "no error")")
    }
}
