import ArgoEngine
import ArgoFetch

import ArgoPlugins
import Foundation

/// Decides whether one plugin file may go into service: it must load in a
/// fresh sandboxed state, return a valid manifest (the required functions,
/// fields of the right types) and pass every one of its own `examples`.
public struct PluginValidator: Sendable {
    public init() {}

    public enum Verdict: Sendable, Equatable {
        case good
        /// One line naming the file (and line when known).
        case broken(String)
    }

    /// The verdict on `file`, loaded with `library` as `pluginsDir` holds it.
    public func check(_ file: PluginDirectory.File, library: PluginLibrary, pluginsDir: String) async -> Verdict {
        let host: PluginHost
        do {
            host = try PluginHost(directory: PluginDirectory(path: pluginsDir, files: [file], library: library), consensus: nil, poolSize: 1)
        } catch {
            return .broken("\(file.path): \(error)")
        }
        if let failure = host.failures.first { return .broken(failure.description) }
        guard let manifest = host.plugins.first else { return .broken("\(file.path): no plugin in the file") }
        let ctx: PluginContext
        do {
            ctx = try SourceSetup.offlineContext(for: manifest, consensus: host.consensus)
        } catch {
            return .broken("\(file.path): \(error)")
        }
        let problems = await host.exampleProblems(manifest.name, ctx: ctx)
        return problems.isEmpty ? .good : .broken("\(file.path): \(problems.joined(separator: "; "))")
    }
}
