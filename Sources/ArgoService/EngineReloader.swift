import ArgoCore
import ArgoEngine
import ArgoFetch

import ArgoPlugins
import Foundation
import Logging
import Synchronization

/// What one ``EngineReloader/refresh()`` did: the changes it applied and the
/// edits it refused, one line each naming the file (and line when known).
public struct ReloadReport: Sendable, Equatable {
    public var applied: [String] = []
    public var rejected: [String] = []
    public init() {}
}

/// Why Argo cannot start: one line per problem.
public struct StartupError: Error, Sendable, CustomStringConvertible {
    public var lines: [String]
    public var description: String { lines.joined(separator: "\n") }
}

/// Keeps a ``SignalEngine`` in step with the files it was built from —
/// `Config/argo.yaml`, `Config/consensus.lua`, `plugins/*.lua` and
/// `plugins/lib/` — without recompiling or restarting.
///
/// ``refresh()`` runs before each cycle. It rereads the files and validates
/// what changed before using it: a plugin file must load, declare the required
/// functions and pass its own `examples`; the library must keep every working
/// plugin working; the settings and the consensus must parse and apply. A
/// broken edit is refused with one error naming the file and line, and the
/// last good version stays in service (a new file that is broken never
/// joins). A file added or removed adds or removes a source. The engine is
/// rebuilt over the same ``Fetcher``, so pools, caches, rate limits and stats
/// carry over for every source whose policy did not change.
///
/// Call ``refresh()`` from one task at a time (the cycle loop does).
public final class EngineReloader: Sendable {
    public let workspace: Workspace
    public let fetcher: Fetcher
    /// Plugins set aside for overrunning their limits: kept across rebuilds, so
    /// only an edit of the plugin's own file brings it back.
    public let quarantine = PluginQuarantine()
    let logger: Logger
    let metrics: ArgoMetrics?
    private let state = Mutex(State())

    /// The last good versions of everything, and the last text seen of each
    /// file (so a broken edit is reported once, not every cycle).
    struct State: Sendable {
        var config: ArgoConfig?
        var configSeen: String??
        var consensus: PluginHost.ConsensusSource?
        var consensusSeen: String??
        var library = PluginLibrary()
        var librarySeen: PluginLibrary?
        var files: [String: PluginDirectory.File] = [:]
        var seen: [String: String] = [:]
        var engine: SignalEngine?
        /// What may be wrong in the settings but need not be, from the last build.
        var warnings: [String] = []
    }

    /// Loads everything and builds the first engine; throws when nothing can run
    /// (the settings are broken, no plugin loads, or no source is enabled).
    public init(workspace: Workspace, fetcher: Fetcher, logger: Logger, metrics: ArgoMetrics? = nil) async throws(StartupError) {
        self.workspace = workspace
        self.fetcher = fetcher
        self.logger = logger
        self.metrics = metrics
        let report = await refresh(initial: true)
        // At startup there is no last good version to keep: every broken file stops the command.
        guard let engine = state.withLock({ $0.engine }), report.rejected.isEmpty else {
            throw StartupError(lines: report.rejected.isEmpty ? ["nothing could be loaded"] : report.rejected)
        }
        if engine.host.plugins.isEmpty {
            throw StartupError(lines: report.rejected + ["no plugin loads from \(engine.config.pluginsDir)/"])
        }
        if !engine.sources.contains(where: \.isEnabled) {
            throw StartupError(lines: report.rejected + engine.sources.map { "\($0.name) \($0.disabledReason ?? "")" }
                + ["no source is enabled (set the API keys, or try --demo)"])
        }
    }

    /// What may be wrong in the files but need not be (settings or a weight for a
    /// source that has no plugin), one line each: a command prints them every time.
    public var warnings: [String] { state.withLock { $0.warnings } }

    /// The engine the next cycle runs on.
    public var engine: SignalEngine { state.withLock { $0.engine! } }

    /// Rereads the files and rebuilds the engine when something valid changed.
    @discardableResult
    public func refresh() async -> ReloadReport { await refresh(initial: false) }

    private func refresh(initial: Bool) async -> ReloadReport {
        var current = state.withLock { $0 }
        var report = ReloadReport()
        let previousConfig = current.config
        let configChanged = refreshConfig(&current, report: &report)
        guard let config = current.config else { return finish(report, initial: initial) }

        let directory: PluginDirectory
        do {
            directory = try PluginDirectory(path: config.pluginsDir)
        } catch {
            report.rejected.append("\(config.pluginsDir): cannot read the plugin directory: \(error.localizedDescription)")
            if !initial { current.config = previousConfig }
            state.withLock { $0.configSeen = current.configSeen }
            return finish(report, initial: initial)
        }
        await refreshPlugins(directory, state: &current, report: &report)
        refreshConsensus(&current, sourceNames: directory.files.map(\.stem), report: &report)

        guard !report.applied.isEmpty || current.engine == nil else {
            state.withLock { $0 = current }
            return finish(report, initial: initial)
        }
        do {
            current.engine = try build(&current, directory: directory, report: &report)
            if !initial { for warning in current.warnings { logger.warning("\(warning)") } }
        } catch {
            // The settings apply to no source (say `sources.alpaca.timeout: soon`): keep the last good ones.
            report.rejected.append(error.description)
            if configChanged, let previousConfig, !initial {
                current.config = previousConfig
                current.engine = try? build(&current, directory: directory, report: &report)
            }
        }
        if let old = state.withLock({ $0.engine }), let new = current.engine {
            let names = Set(new.sources.map(\.name))
            for source in old.sources where !names.contains(source.name) { fetcher.remove(source: source.name) }
        }
        state.withLock { $0 = current }
        return finish(report, initial: initial)
    }

    /// Logs and counts what a refresh did.
    private func finish(_ report: ReloadReport, initial: Bool) -> ReloadReport {
        for line in report.applied where !initial { logger.notice("reload", metadata: ["change": "\(line)"]) }
        for line in report.rejected { logger.error("reload rejected", metadata: ["error": "\(line)"]) }
        if !initial {
            if !report.applied.isEmpty { metrics?.reloaded(applied: true) }
            if !report.rejected.isEmpty { metrics?.reloaded(applied: false) }
        }
        return report
    }

    // MARK: - Each kind of file

    /// `Config/argo.yaml`: parsed and checked when its text changed. Returns whether a new version was taken.
    private func refreshConfig(_ current: inout State, report: inout ReloadReport) -> Bool {
        let path = workspace.configPath
        let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        guard current.configSeen != .some(text) || current.config == nil else { return false }
        current.configSeen = .some(text)
        do {
            let file = try text.map { text throws(ConfigError) in try ConfigFile(yaml: text, path: path, environment: workspace.environment) }
                ?? ConfigFile(environment: workspace.environment, path: path)
            let config = try ArgoConfig(file: file)
            if current.config != nil { report.applied.append("\(path) updated") }
            current.config = config
            return true
        } catch {
            report.rejected.append(current.config == nil ? error.description : "\(error.description) (keeping the previous settings)")
            return false
        }
    }

    /// `plugins/*.lua` and `plugins/lib/`: each changed file validated on its own.
    private func refreshPlugins(_ directory: PluginDirectory, state current: inout State, report: inout ReloadReport) async {
        let validator = PluginValidator()
        var verdicts: [String: PluginValidator.Verdict] = [:]
        if current.librarySeen != directory.library {
            current.librarySeen = directory.library
            for file in directory.files { verdicts[file.path] = await validator.check(file, library: directory.library, pluginsDir: directory.path) }
            let broken = current.files.keys.sorted().compactMap { path -> String? in
                if case .broken(let reason)? = verdicts[path] { return reason }
                return nil
            }
            if broken.isEmpty || current.engine == nil {
                if current.engine != nil { report.applied.append("\(directory.path)/lib updated") }
                current.library = directory.library
            } else {
                report.rejected.append("\(directory.path)/lib: change refused, it breaks \(broken.joined(separator: "; ")) (keeping the previous library)")
                verdicts = [:]
            }
        }
        let paths = Set(directory.files.map(\.path))
        for file in directory.files {
            let verdict: PluginValidator.Verdict
            if let known = verdicts[file.path] {
                verdict = known
            } else if current.seen[file.path] != file.source {
                verdict = await validator.check(file, library: current.library, pluginsDir: directory.path)
            } else {
                continue
            }
            let isNew = current.files[file.path] == nil
            current.seen[file.path] = file.source
            switch verdict {
            case .good:
                if current.files[file.path] != file {
                    if current.engine != nil { report.applied.append("\(file.path) \(isNew ? "added" : "updated")") }
                    current.files[file.path] = file
                }
            case .broken(let reason):
                report.rejected.append(isNew ? "\(reason) (not loaded)" : "\(reason) (keeping the previous version)")
            }
        }
        for path in current.files.keys.sorted() where !paths.contains(path) {
            current.files[path] = nil
            report.applied.append("\(path) removed")
        }
        for path in current.seen.keys where !paths.contains(path) { current.seen[path] = nil }
    }

    /// `Config/consensus.lua`: must load and give valid settings.
    private func refreshConsensus(_ current: inout State, sourceNames: [String], report: inout ReloadReport) {
        let source = PluginHost.ConsensusSource.read(path: workspace.consensusPath)
        guard current.consensusSeen != .some(source?.text) else { return }
        current.consensusSeen = .some(source?.text)
        do {
            _ = try PluginHost(directory: PluginDirectory(path: "", files: [], library: current.library), consensus: source,
                               sourceNames: sourceNames, poolSize: 1)
            if current.engine != nil { report.applied.append("\(workspace.consensusPath) \(source == nil ? "removed" : "updated")") }
            current.consensus = source
        } catch {
            report.rejected.append("\(error) (keeping the previous consensus)")
        }
    }

    /// A new engine from the good versions, over the same fetcher.
    private func build(_ current: inout State, directory: PluginDirectory, report: inout ReloadReport) throws(ConfigError) -> SignalEngine {
        let config = current.config!
        let files = current.files.values.sorted { $0.path < $1.path }
        // Every file names a source, loaded or not: settings for a broken plugin are not unknown.
        let sourceNames = directory.files.map(\.stem)
        let configWarnings = try config.checkSources(sourceNames)
        let host: PluginHost
        do {
            host = try PluginHost(
                directory: PluginDirectory(path: directory.path, files: files, library: current.library), consensus: current.consensus,
                sourceNames: sourceNames, quarantine: quarantine)
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(origin: directory.path, message: "\(error)")
        }
        // Two files claiming one name: each was valid alone, the later one is refused.
        for failure in host.failures {
            report.rejected.append("\(failure) (not loaded)")
            current.files[failure.file] = nil
        }
        let sources = try workspace.sources(plugins: host.plugins, config: config, consensus: host.consensus)
        current.warnings = configWarnings + host.warnings
        return SignalEngine(config: config, host: host, fetcher: fetcher, sources: sources)
    }
}
