import ArgoLua
@testable import ArgoPlugins
import Testing

@Suite("Plugin numbers are finite and in range")
struct ManifestNumberTests {
    @Test("an out-of-range number is refused, naming the file and the line", arguments: [
        ("timeout = math.huge,", "field 'timeout' must be a finite number"),
        ("timeout = 0,", "field 'timeout' must be more than 0 and at most 3600 seconds"),
        ("weight = 0/0,", "field 'weight' must be a finite number"),
        ("cache_ttl = 1e12,", "field 'cache_ttl' must be from 0 to 2592000 seconds"),
        ("max_concurrency = 1000000,", "field 'max_concurrency' must be from 1 to 10000"),
        ("rate_limit = { requests = 10, per = math.huge },", "field 'rate_limit' must be { requests = N, per = seconds }"),
    ])
    func refused(line: String, message: String) throws {
        let source = goodPlugin.replacingOccurrences(of: "  base_url = ", with: "  \(line)\n  base_url = ")
        try withPluginDirectory(["good.lua": source]) { path in
            let directory = try PluginDirectory(path: path)
            let (plugins, failures) = directory.load(into: try LuaState(library: directory.library))
            #expect(plugins.isEmpty)
            #expect(failures.first?.description.contains("good.lua:3: \(message)") == true, "\(failures)")
        }
    }
}
