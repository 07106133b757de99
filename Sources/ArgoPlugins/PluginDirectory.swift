import ArgoLua
import Foundation

/// The plugin files of a directory (`plugins/*.lua`) and the modules under its
/// `lib/`, read from disk once.
public struct PluginDirectory: Sendable {
    /// One plugin file's text.
    public struct File: Sendable, Equatable {
        /// The path as messages name it (`plugins/alpaca.lua`).
        public var path: String
        /// The file name without `.lua`: the plugin's default name.
        public var stem: String
        public var source: String

        public init(path: String, stem: String, source: String) {
            self.path = path
            self.stem = stem
            self.source = source
        }
    }

    public var path: String
    public var files: [File]
    public var library: LuaLibrary

    /// A directory made of these files and library (for validating one edit, or
    /// keeping the last good version of each file).
    public init(path: String, files: [File], library: LuaLibrary) {
        self.path = path
        self.files = files
        self.library = library
    }

    /// Reads `path/*.lua` (sorted by name) and `path/lib/`. Throws when the
    /// directory cannot be read.
    public init(path: String) throws {
        self.path = path
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".lua") }.sorted()
        files = try names.map { name in
            let filePath = (path as NSString).appendingPathComponent(name)
            return File(path: filePath, stem: String(name.dropLast(4)), source: try String(contentsOfFile: filePath, encoding: .utf8))
        }
        library = try LuaLibrary.load(directory: (path as NSString).appendingPathComponent("lib"))
    }

    /// A plugin loaded into a state, with its validated manifest.
    public struct Loaded: Sendable {
        public var manifest: PluginManifest
        public var reference: LuaReference
    }

    /// Loads and validates every file into `state`. A broken file is reported
    /// and skipped; the others load. Two files claiming one name are both
    /// refused, each naming the other: neither may take the other's settings and keys.
    public func load(into state: LuaState) -> (plugins: [Loaded], failures: [PluginError]) {
        var plugins: [Loaded] = []
        var failures: [PluginError] = []
        for file in files {
            do {
                plugins.append(try Self.load(file, into: state))
            } catch let error as PluginError {
                failures.append(error)
            } catch {
                failures.append(PluginError(file: file.path, message: "\(error)"))
            }
        }
        let byName = Dictionary(grouping: plugins, by: \.manifest.name)
        for (name, claimants) in byName where claimants.count > 1 {
            let files = claimants.map(\.manifest.file).sorted()
            for loaded in claimants {
                state.release(loaded.reference)
                failures.append(PluginError(file: loaded.manifest.file,
                                            message: "plugin name '\(name)' is claimed by \(files.joined(separator: " and ")): neither is loaded"))
            }
        }
        plugins.removeAll { byName[$0.manifest.name]!.count > 1 }
        return (plugins, failures)
    }

    /// Loads every file into a fresh state to read and validate its manifest
    /// (`argo sources list` and `check`); the state is dropped afterwards.
    public func manifests() throws -> (plugins: [PluginManifest], failures: [PluginError]) {
        let state = try LuaState(library: library)
        let loaded = load(into: state)
        return (loaded.plugins.map(\.manifest), loaded.failures)
    }

    static func load(_ file: File, into state: LuaState) throws -> Loaded {
        let reference: LuaReference
        do {
            reference = try state.loadChunk(Array(file.source.utf8), chunkName: file.path, plugin: file.stem)
        } catch let error as LuaError {
            throw PluginError(file: file.path, luaError: error)
        }
        do {
            let fields: [String: LuaField]
            do {
                fields = try state.fields(of: reference)
            } catch {
                throw PluginError(file: file.path, message: "the file must return a table (the plugin), got something else")
            }
            let manifest = try PluginManifest(fields: fields, file: file.path, source: file.source, defaultName: file.stem)
            return Loaded(manifest: manifest, reference: reference)
        } catch {
            state.release(reference)
            throw error
        }
    }
}

/// The Lua modules under a plugins directory's `lib/`, which plugins `require`.
public typealias PluginLibrary = LuaLibrary
