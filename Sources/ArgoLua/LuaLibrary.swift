import Foundation

/// The Lua modules plugins may `require`: the files under `plugins/lib/`, read once
/// when the library is made so that `require` never touches the disk.
///
/// `require("indicators")` loads `plugins/lib/indicators.lua`; `require("a.b")`
/// loads `plugins/lib/a/b.lua`. Names are dot-separated identifiers, so no name
/// can reach outside the directory.
public struct LuaLibrary: Sendable, Equatable {
    /// One module's source.
    public struct Module: Sendable, Equatable {
        /// How errors name it, e.g. `plugins/lib/util.lua`.
        public var chunkName: String
        public var source: [UInt8]

        public init(chunkName: String, source: [UInt8]) {
            self.chunkName = chunkName
            self.source = source
        }
    }

    /// Why a module could not be had.
    public struct Missing: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Modules by name (`"a.b"`).
    public var modules: [String: Module]
    /// The directory as messages name it.
    public var directory: String

    public init(modules: [String: Module] = [:], directory: String = "plugins/lib") {
        self.modules = modules
        self.directory = directory
    }

    /// Reads every `*.lua` file under `directory` (recursively). A missing
    /// directory is an empty library.
    public static func load(directory: String) throws -> LuaLibrary {
        var library = LuaLibrary(directory: directory)
        let root = URL(fileURLWithPath: directory)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            return library
        }
        let rootPath = root.standardizedFileURL.path
        for case let url as URL in walker where url.pathExtension == "lua" {
            var relative = String(url.standardizedFileURL.path.dropFirst(rootPath.count))
            while relative.hasPrefix("/") { relative.removeFirst() }
            let name = relative.dropLast(4).replacingOccurrences(of: "/", with: ".")
            guard isValidName(name) else { continue }
            let source = try [UInt8](Data(contentsOf: url))
            library.modules[name] = Module(chunkName: "\(directory)/\(relative)", source: source)
        }
        return library
    }

    /// The module `name`, or why not.
    public func module(named name: String) -> Result<Module, Missing> {
        guard Self.isValidName(name) else {
            return .failure(Missing(description: "require: invalid module name '\(name)' (use dotted identifiers, e.g. 'util' or 'a.b')"))
        }
        guard let module = modules[name] else {
            return .failure(Missing(description: "require: module '\(name)' not found in \(directory)/"))
        }
        return .success(module)
    }

    /// Dot-separated identifiers: `[A-Za-z_][A-Za-z0-9_]*`.
    static func isValidName(_ name: String) -> Bool {
        let segments = name.split(separator: ".", omittingEmptySubsequences: false)
        return !segments.isEmpty && segments.allSatisfy { segment in
            guard let first = segment.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
            return segment.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || ($0 >= 48 && $0 <= 57) }
        }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }
}
