import ArgoLua
import ArgoPlugins
import Foundation
import Testing

/// A temporary plugin directory with the given files, removed afterwards.
func withPluginDirectory<R>(_ files: [String: String], _ body: (String) throws -> R) throws -> R {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("argo-plugins-\(UInt64.random(in: 0...UInt64.max))")
    defer { try? FileManager.default.removeItem(at: root) }
    for (name, text) in files {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    return try body(root.path)
}

let goodPlugin = """
    return {
      name = "good",
      base_url = "http://127.0.0.1:1",
      request = function(symbol) return { path = "/" .. symbol } end,
      parse = function(response) return { direction = "LONG", confidence = 0.5, reasoning = "ok" } end,
    }
    """

@Suite("Plugin directory")
struct PluginDirectoryTests {
    @Test("a broken plugin is reported with file and line; the others load")
    func brokenPluginsAreSkipped() throws {
        let files = [
            "good.lua": goodPlugin,
            "syntax.lua": "return {\n  name = 'syntax',\n  parse = function( end,\n}",
            "mistyped.lua": goodPlugin.replacingOccurrences(of: "name = \"good\",", with: "name = \"mistyped\",\n  priority = 1,\n  chain = \"market_data\",\n  weight = \"heavy\","),
            "noparse.lua": "return { name = 'noparse', base_url = 'http://127.0.0.1:1', request = function() end }",
            "crash.lua": "local x = nil\nreturn { name = x.name }",
            "spin.lua": "while true do end",
            "notatable.lua": "return 42",
        ]
        try withPluginDirectory(files) { path in
            let directory = try PluginDirectory(path: path)
            let state = try LuaState(limits: LuaLimits(instructionsPerCall: 100_000), library: directory.library)
            let (plugins, failures) = directory.load(into: state)
            #expect(plugins.map(\.manifest.name) == ["good"])
            let messages = Dictionary(uniqueKeysWithValues: failures.map { (($0.file as NSString).lastPathComponent, $0.description) })
            #expect(messages["syntax.lua"]?.contains("syntax.lua:3:") == true, "\(messages)")
            #expect(messages["mistyped.lua"]?.contains("mistyped.lua:5: field 'weight' must be a number, got string") == true, "\(messages)")
            #expect(messages["noparse.lua"]?.contains("function 'parse' is required") == true, "\(messages)")
            #expect(messages["crash.lua"]?.contains("crash.lua:2: attempt to index a nil value (local 'x')") == true, "\(messages)")
            #expect(messages["spin.lua"]?.contains("spin.lua:1: instruction budget") == true, "\(messages)")
            #expect(messages["notatable.lua"]?.contains("must return a table") == true, "\(messages)")
            #expect(failures.count == 6)
        }
    }

    @Test("a plugin's name is its file name: a file that calls itself after another source is refused, naming both")
    func nameIsFileName() throws {
        try withPluginDirectory(["aaa.lua": goodPlugin, "good.lua": goodPlugin]) { path in
            let directory = try PluginDirectory(path: path)
            let (plugins, failures) = directory.load(into: try LuaState(library: directory.library))
            #expect(plugins.map(\.manifest.name) == ["good"])
            #expect(failures.count == 1)
            #expect(failures.first?.description.contains("aaa.lua") == true)
            #expect(failures.first?.description.contains("field 'name' is 'good' but a plugin's name is its file name ('aaa')") == true,
                    "\(failures)")
        }
    }

    @Test("two files claiming one name (from two directories) are both refused, each naming the other")
    func clashRejectsBoth() throws {
        try withPluginDirectory(["good.lua": goodPlugin]) { path in
            let file = try #require(try PluginDirectory(path: path).files.first)
            var other = file
            other.path = "elsewhere/good.lua"
            let directory = PluginDirectory(path: path, files: [file, other], library: LuaLibrary())
            let (plugins, failures) = directory.load(into: try LuaState())
            #expect(plugins.isEmpty)
            #expect(failures.count == 2)
            let both = [file.path, "elsewhere/good.lua"].sorted().joined(separator: " and ")
            #expect(failures.allSatisfy { $0.description.contains("claimed by \(both): neither is loaded") }, "\(failures)")
        }
    }

    @Test("a market-data source without a signal function is refused, naming the chain line")
    func marketDataNeedsSignal() throws {
        let source = goodPlugin.replacingOccurrences(of: "name = \"good\",", with: "name = \"md\",\n  chain = \"market_data\",")
        try withPluginDirectory(["md.lua": source]) { path in
            let directory = try PluginDirectory(path: path)
            let (_, failures) = directory.load(into: try LuaState(library: directory.library))
            #expect(failures.first?.description.hasSuffix("md.lua:3: a market_data source needs a 'signal' function to turn indicators into a signal") == true, "\(failures)")
        }
    }
}

@Suite("Shipped plugins")
struct ShippedPluginTests {
    static let pluginsPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("plugins").path

    @Test("every shipped plugin loads and validates")
    func shippedPluginsLoad() throws {
        let directory = try PluginDirectory(path: Self.pluginsPath)
        let (plugins, failures) = directory.load(into: try LuaState(library: directory.library))
        #expect(failures.isEmpty, "\(failures)")
        #expect(plugins.contains { $0.manifest.name == "yfinance" })
    }
}
