import ArgoCore
import ArgoEngine
import ArgoPlugins
import ArgoService
import ArgumentParser
import Foundation

/// `argo doctor`: what stands between this setup and a good cycle, one line per
/// problem with its fix.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the settings, plugins, keys, storage and examples; one line per problem, with its fix.",
        discussion: """
            Checks, for each source: that it is enabled or why not, its keys (named, never shown), its grant, \
            its base URL and scheme, and that its examples pass; then the plugins directory, consensus.lua, and \
            that the history database can be written. --online also sends one real request per enabled source. \
            Exits 1 when there is a problem.
            """)

    @Flag(help: "Also send one real request per enabled source (for the first watch-list symbol).")
    var online = false

    @OptionGroup var location: SourcesCommand.Location

    func run() async throws {
        var problems: [String] = []
        func problem(_ what: String, fix: String) throws {
            problems.append(what)
            try printLine("problem  \(what) — fix: \(fix)")
        }
        func fine(_ what: String) throws { try printLine("ok       \(what)") }

        let config = try location.config()
        let directory = try location.directory(config)
        if directory.files.isEmpty {
            try problem("no plugin in \(directory.path)/", fix: "set plugins_dir in Config/argo.yaml to the directory of the .lua files")
        }
        let names = directory.files.map(\.stem)
        do {
            for warning in try config.checkSources(names) { try problem(warning, fix: "remove the setting, or put the plugin back") }
        } catch {
            try problem("\(error)", fix: "correct the name")
        }
        let validator = PluginValidator()
        for file in directory.files {
            if case .broken(let reason) = await validator.check(file, library: directory.library, pluginsDir: directory.path) {
                try problem(reason, fix: "correct the plugin (`argo sources test \(file.stem)` runs its examples)")
            }
        }
        let host: PluginHost
        do {
            host = try PluginHost(directory: directory, consensus: try location.consensus(), poolSize: 1)
        } catch {
            try problem("\(error)", fix: "correct consensus.lua")
            throw ExitCode(1)
        }
        for warning in host.warnings { try problem(warning, fix: "remove the weight, or put the plugin back") }
        let environment = ProcessInfo.processInfo.environment
        let sources: [SourceSetup]
        do {
            sources = try SourceSetup.all(plugins: host.plugins, config: config, consensus: host.consensus, environment: environment)
        } catch {
            try problem("\(error)", fix: "correct the setting")
            throw ExitCode(1)
        }
        for source in sources {
            try check(source, config: config, problem: problem, fine: fine)
        }
        try checkStorage(config.storagePath, problem: problem, fine: fine)
        if online, !problems.contains(where: { $0.hasPrefix("no plugin") }) {
            try await checkOnline(problem: problem, fine: fine)
        }
        try printLine(problems.isEmpty ? "no problems found" : "\(problems.count) problem\(problems.count == 1 ? "" : "s") found")
        if !problems.isEmpty { throw ExitCode(1) }
    }

    /// One source: enabled or why not, its keys, grant and base URL.
    private func check(_ source: SourceSetup, config: ArgoConfig, problem: (String, String) throws -> Void, fine: (String) throws -> Void) throws {
        let name = source.name
        let scheme = source.baseURL.split(separator: ":").first.map(String.init) ?? ""
        if scheme != "https", !(scheme == "http" && SecretGrant.isLoopback(source.baseURL)) {
            try problem("\(name): base_url \(source.baseURL) is not https", "use the vendor's https:// URL (plain http only to a loopback address)")
        }
        guard let reason = source.disabledReason else {
            let keys = source.manifest.env.isEmpty ? "no keys needed" : "keys set: \(source.manifest.env.joined(separator: ", "))"
            try fine("\(name): enabled, \(keys), weight \(source.weight), \(source.baseURL)")
            return
        }
        if (try? config.isEnabled(name)) == false {
            try fine("\(name): disabled in the settings (\(reason))")
        } else if reason.hasPrefix("missing ") {
            let variables = reason.dropFirst("missing ".count)
            // `A, B` are both needed; `A or B` takes either, A named first.
            let exports = variables.components(separatedBy: ", ").compactMap { $0.components(separatedBy: " or ").first }.map { "\($0)=…" }
            try problem("\(name): disabled — \(variables) \(exports.count == 1 ? "is" : "are") not set",
                        "export \(exports.joined(separator: " ")) before running argo, or set sources.\(name).enabled: false")
        } else {
            try problem("\(name): disabled — \(reason)", "grant the variables and origins in Config/argo.yaml (docs/plugins.md)")
        }
    }

    /// Whether the history database can be opened for writing where `storage.path` says.
    private func checkStorage(_ path: String, problem: (String, String) throws -> Void, fine: (String) throws -> Void) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: path) {
            if manager.isWritableFile(atPath: path) { return try fine("storage: \(path) is writable") }
            return try problem("storage: \(path) is not writable", "make it writable, or set storage.path (`--no-store` runs without it)")
        }
        var ancestor = (path as NSString).deletingLastPathComponent
        if ancestor.isEmpty { ancestor = "." }
        while !manager.fileExists(atPath: ancestor), ancestor != "/", !ancestor.isEmpty, ancestor != "." {
            ancestor = (ancestor as NSString).deletingLastPathComponent
            if ancestor.isEmpty { ancestor = "." }
        }
        if manager.isWritableFile(atPath: ancestor) { return try fine("storage: \(path) will be created") }
        try problem("storage: \(path) cannot be created (\(ancestor) is not writable)", "set storage.path to a writable place")
    }

    /// One real request per enabled source, through the same engine `cycle` builds.
    private func checkOnline(problem: (String, String) throws -> Void, fine: (String) throws -> Void) async throws {
        let runtime = try await Runtime.start(try Runtime.Options.parse(location.settings.config.map { ["--config", $0] } ?? []))
        let engine = runtime.engine
        let symbol = engine.config.symbols.first ?? "AAPL"
        let contexts = engine.contexts(now: Int64(Date().timeIntervalSince1970))
        // As long as the slowest source may take: Perplexity's first answer to a new schema can take 30 s,
        // and this request is what makes later ones fast.
        let longest = engine.sources.filter(\.isEnabled).map(\.policy.timeout).max() ?? 0
        let deadline = ContinuousClock.now + .seconds(max(engine.config.cycleDeadline, longest + 5))
        for source in engine.sources where source.isEnabled {
            let (outcome, bars) = await engine.runSource(named: source.name, symbol: symbol, deadline: deadline, ctx: contexts[source.name]!)
            switch outcome.status {
            case .ok, .cached:
                let what = bars.map { "\($0.count) bars" } ?? "\(outcome.direction?.rawValue ?? "?") \(String(format: "%.2f", outcome.confidence ?? 0))"
                try fine("\(source.name): online, \(symbol): \(what) in \(Int(outcome.latencyMs ?? 0)) ms")
            default:
                try problem("\(source.name): online request for \(symbol) failed: \(outcome.errorKind ?? "error"): \(outcome.error ?? outcome.reason ?? "")",
                            "check the key, the base URL and the network (`argo sources test \(source.name)` runs it offline)")
            }
        }
        await runtime.shutdown()
    }
}
