import ArgoCore
import ArgoLua
import Foundation
import Synchronization

/// One request a plugin described (before the base URL is applied).
public struct PluginRequest: Sendable, Equatable {
    public var method: String
    public var path: String
    public var query: [FetchRequest.QueryItem]
    public var headers: [FetchRequest.Header]
    public var body: [UInt8]?
    /// `max_items`: keep only the first N entries of every array and object of
    /// the JSON response, pruned as it arrives; nil keeps the whole body.
    public var maxItems: Int? = nil

    /// The request against `baseURL`.
    public func fetchRequest(baseURL: String) -> FetchRequest {
        FetchRequest(method: method, baseURL: baseURL, path: path, query: query, headers: headers, body: body, maxItems: maxItems)
    }
}

/// What `parse` returned.
public enum ParseOutcome: Sendable, Equatable {
    /// Bars (oldest first after sorting) and the request for the next page, if any.
    case bars([Bar], next: PluginRequest?)
    case signal(Direction, confidence: Double, reasoning: String)
}

/// The loaded plugins and `Config/consensus.lua`, in a pool of Lua states that
/// each hold all of them. Every call borrows a state (waiting without blocking)
/// and runs under the state's instruction and memory limits; a Lua failure comes
/// back as a ``FetchError`` of the kind the plugin raised (`error({kind = …})`),
/// or `plugin` with the file and line.
public final class PluginHost: Sendable {
    /// Plugins that loaded, sorted by name.
    public let plugins: [PluginManifest]
    /// Files that did not load, with file and line.
    public let failures: [PluginError]
    public let consensus: ConsensusSettings
    /// What may be wrong in the consensus file but need not be (a weight for a source with no plugin), one line each.
    public let warnings: [String]
    /// Where the consensus file sets each setting (`weights.alpaca`, `min_sources`, …): `Config/consensus.lua:6`.
    public let consensusOrigins: [String: String]
    let pool: LuaStatePool
    private let references: StateRegistry
    /// Plugins set aside for overrunning their limits (shared across reloads by a service).
    public let quarantine: PluginQuarantine
    /// Each plugin's file, and its fingerprint for the quarantine.
    private let files: [String: (path: String, fingerprint: Int)]

    /// States a host holds by default: twice the cores (at least 4). Plugin calls are
    /// short; with more threads than cores, a call spinning to its limit leaves the
    /// others' calls their share of the CPU instead of a place in a queue behind it.
    public static var defaultPoolSize: Int { max(4, 2 * ProcessInfo.processInfo.activeProcessorCount) }

    /// The executor a cycle's tasks should prefer: its threads are Lua threads,
    /// where plugin calls run in place instead of hopping to a state's own thread.
    public static var executor: any TaskExecutor { LuaExecutor.shared }

    /// Each pooled state's references (a replaced state registers its own).
    final class StateRegistry: Sendable {
        let entries = Mutex<[ObjectIdentifier: StateReferences]>([:])
    }

    /// What the first state loaded: the manifests, failures and consensus settings.
    final class FirstLoad: Sendable {
        let value = Mutex<(plugins: [PluginManifest], failures: [PluginError], consensus: ConsensusSettings, warnings: [String], origins: [String: String])?>(nil)
    }

    struct StateReferences: Sendable {
        var plugins: [String: LuaReference]
        var helper: LuaReference
        var consensus: LuaReference?
    }

    /// The text of `Config/consensus.lua` and the path messages name it by.
    public struct ConsensusSource: Sendable, Equatable {
        public var path: String
        public var text: String

        public init(path: String, text: String) {
            self.path = path
            self.text = text
        }

        /// Reads `path`; nil when there is no such file (the default consensus applies).
        public static func read(path: String) -> ConsensusSource? {
            FileManager.default.contents(atPath: path).map { ConsensusSource(path: path, text: String(decoding: $0, as: UTF8.self)) }
        }
    }

    /// Loads `directory` and the consensus file into `poolSize` states.
    /// Throws a ``ConfigError`` when `consensusPath` exists but is broken.
    public convenience init(directory: PluginDirectory, consensusPath: String?, poolSize: Int? = nil) throws {
        try self.init(directory: directory, consensus: consensusPath.flatMap(ConsensusSource.read(path:)), poolSize: poolSize)
    }

    /// What touching a malformed array of a response raises in plugin code: the
    /// failure `parse` would raise itself (docs/plugins.md).
    static let malformedBody = LazyJSONFailure(kind: FetchError.Kind.badResponse.rawValue, message: "body is not JSON")

    /// The limits every plugin call runs under unless a host is given others:
    /// 64 MiB per state, 20 million instruction-equivalents and 2 seconds per call.
    public static let defaultLimits = LuaLimits()

    /// Loads `directory` and the consensus text into `poolSize` states.
    /// Throws a ``ConfigError`` naming the file and line when the consensus is broken.
    /// `sourceNames` are the sources the consensus may weight: by default the directory's files.
    public init(
        directory: PluginDirectory, consensus consensusSource: ConsensusSource?, sourceNames: [String]? = nil, poolSize: Int? = nil,
        quarantine: PluginQuarantine = PluginQuarantine(), limits: LuaLimits = PluginHost.defaultLimits
    ) throws {
        let sourceNames = sourceNames ?? directory.files.map(\.stem)
        self.quarantine = quarantine
        let references = StateRegistry()
        let first = FirstLoad()
        // Each plugin (a lane) holds at most half the states at once, so a plugin
        // whose calls all run to their time limit cannot keep the others waiting.
        let size = poolSize ?? Self.defaultPoolSize
        pool = try LuaStatePool(size: size, laneShare: max(1, size / 2)) {
            let state = try LuaState(limits: limits, library: directory.library, lazyJSONFailure: Self.malformedBody)
            let loaded = directory.load(into: state)
            let helper = try state.loadChunk(Array(HostLua.source.utf8), chunkName: HostLua.chunkName)
            var consensusRef: LuaReference?
            var settings = ConsensusSettings()
            var warnings: [String] = []
            var origins: [String: String] = [:]
            if let consensusSource {
                do {
                    let ref = try state.loadChunk(Array(consensusSource.text.utf8), chunkName: consensusSource.path, plugin: "consensus")
                    (settings, warnings, origins) = try ConsensusFile.settings(
                        state: state, reference: ref, path: consensusSource.path, text: consensusSource.text, sources: sourceNames)
                    consensusRef = ref
                } catch let error as LuaError {
                    throw ConfigError(origin: "\(error.chunk ?? consensusSource.path):\(error.line ?? 0)", message: error.message)
                }
            }
            references.entries.withLock {
                $0[ObjectIdentifier(state)] = StateReferences(
                    plugins: Dictionary(uniqueKeysWithValues: loaded.plugins.map { ($0.manifest.name, $0.reference) }),
                    helper: helper, consensus: consensusRef)
            }
            first.value.withLock { first in
                if first == nil { first = (loaded.plugins.map(\.manifest).sorted { $0.name < $1.name }, loaded.failures, settings, warnings, origins) }
            }
            return state
        }
        self.references = references
        let loaded = first.value.withLock { $0 }!
        plugins = loaded.plugins
        failures = loaded.failures
        consensus = loaded.consensus
        warnings = loaded.warnings
        consensusOrigins = loaded.origins
        files = Dictionary(uniqueKeysWithValues: loaded.plugins.map { ($0.name, ($0.file, $0.fingerprint)) })
    }

    /// The references held by `state`.
    func referencesOf(_ state: LuaState) -> StateReferences? { references.entries.withLock { $0[ObjectIdentifier(state)] } }

    /// Runs `body` with a state and its references, on the state's thread; its calls end by `deadline`.
    private func withState<R>(
        deadline: ContinuousClock.Instant? = nil, deferred: Bool = false, lane: String? = nil,
        _ body: @escaping (LuaState, StateReferences) throws -> R
    ) async throws -> R {
        try await pool.withState(deadline: deadline, deferred: deferred, lane: lane) { [references] state in
            guard let refs = references.entries.withLock({ $0[ObjectIdentifier(state)] }) else {
                throw FetchError(.plugin, "internal: a Lua state without plugin references")
            }
            return try body(state, refs)
        }
    }

    /// Calls the host helper `function` for `plugin`, mapping Lua failures to fetch errors.
    /// A plugin the quarantine set aside fails at once; every call's overrun and CPU are recorded there.
    private func call<R>(
        _ function: String, plugin: String, redactor: Redactor, deadline: ContinuousClock.Instant?,
        arguments: @escaping (LuaState, LuaReference) throws -> Int32, results: @escaping (LuaState, Int32, Int32) throws -> R
    ) async throws(FetchError) -> R {
        let file = files[plugin] ?? (path: plugin, fingerprint: 0)
        if quarantine.isSetAside(plugin, fingerprint: file.fingerprint) { throw setAside(file.path) }
        let cost = CallCost()
        var end = PluginQuarantine.CallEnd.finished
        defer { quarantine.record(plugin, fingerprint: file.fingerprint, end: end, cpuSeconds: Double(cost.nanoseconds) / 1e9) }
        do {
            // A plugin whose last call overran waits behind the others: it cannot starve them.
            let deferred = quarantine.isOnProbation(plugin, fingerprint: file.fingerprint)
            return try await withState(deadline: deadline, deferred: deferred, lane: plugin) { state, refs in
                // Checked once the call has its turn: calls queued behind overruns see the verdict.
                if self.quarantine.isSetAside(plugin, fingerprint: file.fingerprint) { throw SetAside() }
                let before = state.cpuNanoseconds
                defer { cost.nanoseconds = state.cpuNanoseconds &- before }
                guard let reference = refs.plugins[plugin] else { throw FetchError(.plugin, "plugin '\(plugin)' is not loaded") }
                return try state.call(refs.helper, function, plugin: plugin) { state in
                    try arguments(state, reference)
                } results: { state, first, count in
                    try results(state, first, count)
                }
            }
        } catch is SetAside {
            throw setAside(file.path)
        } catch is CancellationError {
            throw FetchError(.timeout, "\(function): cancelled while waiting for a Lua state")
        } catch let error as FetchError {
            throw FetchError(error.kind, redactor.redact(error.message), status: error.status, retryAfter: error.retryAfter, attempts: error.attempts)
        } catch let error as LuaError {
            end = error.isOverrun ? .overran : (error.byDeadline ? .cut : .finished)
            throw Self.fetchError(from: error, function: function, redactor: redactor)
        } catch let error as JSONDecodeError {
            // A long array of the body, decoded only when the host read it.
            throw FetchError(.badResponse, redactor.redact("\(plugin).\(function): body is not JSON: \(error)"))
        } catch {
            throw FetchError(.plugin, redactor.redact("\(plugin).\(function): \(error)"))
        }
    }

    /// Why a plugin's call fails at once.
    private func setAside(_ path: String) -> FetchError {
        FetchError(.plugin, "\(path) is set aside: it overran its limits \(PluginQuarantine.strikes) times in a row; edit the file to bring it back")
    }

    /// A plugin the quarantine set aside while its call waited for a state.
    private struct SetAside: Error {}

    /// A plugin's Lua error as a typed failure: `error({kind = "rate_limited",
    /// message = …, retry_after = …})` keeps its kind; anything else is `plugin`.
    static func fetchError(from error: LuaError, function: String, redactor: Redactor) -> FetchError {
        if case .table(let fields)? = error.value, let kindName = fields[.string("kind")]?.stringValue {
            let kind = FetchError.Kind(rawValue: kindName) ?? .plugin
            let message = fields[.string("message")]?.stringValue ?? kindName
            let retryAfter = fields[.string("retry_after")]?.doubleValue.map(FetchError.cappedRetryAfter)
            return FetchError(kind, redactor.redact(message), retryAfter: retryAfter)
        }
        var text = error.message
        if let chunk = error.chunk, let line = error.line { text = "\(chunk):\(line): \(text)" }
        switch error.kind {
        case .instructionLimit: text += " (instruction limit in \(function))"
        case .memoryLimit: text += " (memory limit in \(function))"
        case .timeLimit where error.byDeadline: return FetchError(.timeout, "\(function): \(error.message) (cycle deadline)")
        case .timeLimit: text += " (time limit in \(function))"
        default: break
        }
        return FetchError(.plugin, redactor.redact(text))
    }

    // MARK: - The three plugin calls

    /// `plugin.request(symbol, ctx)`: one request, or named requests.
    public func request(
        _ plugin: String, symbol: String, ctx: PluginContext, redactor: Redactor, deadline: ContinuousClock.Instant? = nil
    ) async throws(FetchError) -> [String?: PluginRequest] {
        try await call("request", plugin: plugin, redactor: redactor, deadline: deadline) { state, reference in
            state.pushReference(reference)
            state.pushString(symbol)
            try state.push(ctx.value)
            return 3
        } results: { state, first, count in
            guard count >= 2 else { throw FetchError(.plugin, "\(plugin).request returned nothing") }
            // Read field by field: no LuaValue tree of hashed dictionaries for a few strings.
            let named = try state.value(at: first + 1) == .boolean(true)
            let requests = try state.withTable(at: first) { table -> [String?: PluginRequest] in
                if !named { return [nil: try Self.pluginRequest(table, plugin: plugin)] }
                guard !table.isEmpty else { throw FetchError(.plugin, "\(plugin).request returned an empty table of named requests") }
                var out: [String?: PluginRequest] = [:]
                try table.forEachTable { key, request in
                    guard let name = key.stringValue else { throw FetchError(.plugin, "\(plugin).request: request names must be strings") }
                    out[name] = try Self.pluginRequest(request, plugin: plugin)
                } other: { key, type in
                    throw FetchError(.plugin, "\(plugin): request '\(key.stringValue ?? key.typeName)' must be a table, got \(type)")
                }
                return out
            }
            guard let requests else { throw FetchError(.plugin, "\(plugin): a request needs a string 'path'") }
            return requests
        }
    }

    /// `plugin.parse(response(s), symbol, ctx)`.
    public func parse(
        _ plugin: String, responses: [String?: FetchResponse], symbol: String, ctx: PluginContext, redactor: Redactor,
        deadline: ContinuousClock.Instant? = nil
    ) async throws(FetchError) -> ParseOutcome {
        try await call("parse", plugin: plugin, redactor: redactor, deadline: deadline) { state, reference in
            state.pushReference(reference)
            if let single = responses[nil], responses.count == 1 {
                try state.pushResponse(single)
            } else {
                state.pushTable(fields: responses.count)
                for (name, response) in responses {
                    try state.pushResponse(response)
                    state.setField(name ?? "default")
                }
            }
            try state.push(.boolean(responses[nil] == nil || responses.count > 1))
            state.pushString(symbol)
            try state.push(ctx.value)
            return 5
        } results: { state, first, count in
            guard count >= 1 else { throw FetchError(.plugin, "\(plugin).parse returned nothing") }
            // Read field by field; the bars, often hundreds, straight off the Lua stack (or the body's text).
            let outcome = try state.withTable(at: first) { result -> ParseOutcome in
                let direction = try result.value("direction")
                if direction != .nil {
                    let (direction, confidence, reasoning) = try Self.signalFields(
                        direction: direction, confidence: try result.value("confidence"), reasoning: try result.value("reasoning"),
                        plugin: plugin, function: "parse")
                    return .signal(direction, confidence: confidence, reasoning: reasoning)
                }
                var bars: [Bar] = []
                bars.reserveCapacity(Self.expectedBars)
                do {
                    var found = try state.forEachRecord(inField: "bars", ofTableAt: first, keys: Bar.fieldNames) { position, fields in
                        bars.append(try Self.bar(fields, position: position, plugin: plugin))
                    }
                    if !found {
                        // Columns: a row with a null (or absent) price is a day without trading, skipped.
                        found = try state.forEachColumnRow(inField: "columns", ofTableAt: first, keys: Bar.fieldNames) { row, fields in
                            for index in 1...4 {
                                switch fields[index] {
                                case .null, .missing: return
                                default: continue
                                }
                            }
                            bars.append(try Self.bar(fields, position: row, plugin: plugin))
                        }
                    }
                    guard found else { throw Self.notAParseResult(plugin) }
                } catch LuaRecordsError.notATable(let position) {
                    throw Self.badBar(position, plugin: plugin)
                } catch is LuaRecordsError {
                    throw Self.notAParseResult(plugin)
                }
                let next = try result.withTable("next") { try Self.pluginRequest($0, plugin: plugin) }
                if next == nil, try result.value("next") != .nil { throw FetchError(.plugin, "\(plugin): a request needs a string 'path'") }
                return .bars(bars, next: next)
            }
            guard let outcome else { throw Self.notAParseResult(plugin) }
            return outcome
        }
    }

    /// `plugin.signal(ind, symbol, ctx)` → direction, confidence, reasoning.
    public func signal(
        _ plugin: String, indicators: Indicators, symbol: String, ctx: PluginContext, redactor: Redactor,
        deadline: ContinuousClock.Instant? = nil
    ) async throws(FetchError) -> (Direction, Double, String) {
        try await call("signal", plugin: plugin, redactor: redactor, deadline: deadline) { state, reference in
            state.pushReference(reference)
            let fields = indicators.fields
            state.pushTable(fields: fields.count)
            for (name, value) in fields {
                if name == "bars" { state.pushInteger(Int64(value)) } else { state.pushNumber(value) }
                state.setField(name)
            }
            state.pushString(symbol)
            try state.push(ctx.value)
            return 4
        } results: { state, first, count in
            guard count >= 1 else { throw FetchError(.plugin, "\(plugin).signal returned nothing") }
            let fields = try state.withTable(at: first) { result in
                (try result.value("direction"), try result.value("confidence"), try result.value("reasoning"))
            }
            return try Self.signalFields(direction: fields?.0 ?? .nil, confidence: fields?.1 ?? .nil, reasoning: fields?.2 ?? .nil,
                                         plugin: plugin, function: "signal")
        }
    }

    /// `consensus.combine(signals, regime)`, when `Config/consensus.lua` defines it.
    public func combine(
        _ signals: [SourceSignal], regime: Regime, deadline: ContinuousClock.Instant? = nil
    ) async throws(FetchError) -> (Direction, Double, String)? {
        guard consensus.hasCombine else { return nil }
        do {
            return try await withState(deadline: deadline) { state, refs in
                guard let consensusRef = refs.consensus else { return nil }
                var table: [LuaValue: LuaValue] = [:]
                for signal in signals {
                    table[.string(LuaString(signal.source))] = .table([
                        "direction": .string(LuaString(signal.direction.rawValue)), "confidence": .number(signal.confidence),
                        "weight": .number(signal.weight), "reasoning": .string(LuaString(signal.reasoning)),
                    ])
                }
                return try state.call(refs.helper, "combine", plugin: "consensus") { state in
                    state.pushReference(consensusRef)
                    try state.push(.table(table))
                    state.pushString(regime.rawValue)
                    return 3
                } results: { state, first, count in
                    guard count >= 1 else { throw FetchError(.plugin, "consensus.combine returned nothing") }
                    return try Self.signalFields(try state.value(at: first), plugin: "consensus", function: "combine")
                }
            }
        } catch let error as FetchError {
            throw error
        } catch let error as LuaError {
            throw Self.fetchError(from: error, function: "combine", redactor: Redactor(secrets: []))
        } catch {
            throw FetchError(.plugin, "consensus.combine: \(error)")
        }
    }

    // MARK: - Conversions

    /// A request table a plugin returned (from `request`, or `next` of `parse`).
    static func pluginRequest(_ request: LuaTableReader, plugin: String) throws -> PluginRequest {
        guard let path = try request.value("path").stringValue else { throw FetchError(.plugin, "\(plugin): a request needs a string 'path'") }
        func pairs(_ field: String) throws -> [(String, String)] {
            let read = try request.withTable(field) { table -> [(String, String)]? in
                if table.isList { return nil }
                var out: [(String, String)] = []
                try table.forEach { key, item in
                    guard let name = key.stringValue else { throw FetchError(.plugin, "\(plugin): request '\(field)' keys must be strings") }
                    out.append((name, try Self.text(of: item, field: field, name: name, plugin: plugin)))
                }
                return out.sorted { $0.0 < $1.0 }
            }
            if case .some(.some(let pairs)) = read { return pairs }
            if read == nil, try request.value(field) == .nil { return [] }
            throw FetchError(.plugin, "\(plugin): request '\(field)' must be a table of names to values")
        }
        let body: [UInt8]? = switch try request.value("body") {
        case .string(let text): text.bytes
        default: nil
        }
        let given = try request.value("max_items")
        let maxItems: Int? = switch given {
        case .nil: nil
        case .integer(let number) where number >= 1: Int(number)
        case .number(let number) where number >= 1 && number == number.rounded() && number < 1e15: Int(number)
        default:
            let shown = given.doubleValue.map { "\($0)" } ?? given.typeName
            throw FetchError(.plugin, "\(plugin): request 'max_items' must be a positive integer, got \(shown)")
        }
        return PluginRequest(
            method: try request.value("method").stringValue?.uppercased() ?? "GET", path: path,
            query: try pairs("query").map { FetchRequest.QueryItem($0.0, $0.1) },
            headers: try pairs("headers").map { FetchRequest.Header($0.0, $0.1) }, body: body, maxItems: maxItems)
    }

    /// A query or header value as sent: strings as they are, integral numbers without a fraction.
    static func text(of item: LuaValue, field: String, name: String, plugin: String) throws -> String {
        switch item {
        case .string(let text): return text.description
        case .integer(let number): return String(number)
        case .number(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .boolean(let flag): return flag ? "true" : "false"
        default: throw FetchError(.plugin, "\(plugin): request \(field) '\(name)' must be a string or number, got \(item.typeName)")
        }
    }

    /// Room made for a page of bars up front: a year of daily bars, what the shipped plugins ask for.
    static let expectedBars = 272

    /// One bar from a record of `t, o, h, l, c, v` (``Bar/fieldNames``); a `v` that is no number is 0.
    static func bar(_ fields: [LuaScalar], position: Int, plugin: String) throws -> Bar {
        let t: Int64? = switch fields[0] {
        case .integer(let number): Bar.timestamp(number)
        case .number(let number): Bar.timestamp(number)
        case .string(let text): Bar.timestamp(text)
        default: nil
        }
        guard let t, let o = fields[1].doubleValue, let h = fields[2].doubleValue, let l = fields[3].doubleValue,
              let c = fields[4].doubleValue, c.isFinite, c > 0 else { throw badBar(position, plugin: plugin) }
        return Bar(t: t, o: o, h: h, l: l, c: c, v: fields[5].doubleValue ?? 0)
    }

    static func badBar(_ position: Int, plugin: String) -> FetchError {
        FetchError(.badResponse, "\(plugin).parse: bar \(position) lacks t, o, h, l or a positive c")
    }

    static func notAParseResult(_ plugin: String) -> FetchError {
        FetchError(.plugin, "\(plugin).parse must return { bars = {...} }, { columns = {...} } or a signal { direction, confidence, reasoning }")
    }

    static func signalFields(_ value: LuaValue, plugin: String, function: String) throws -> (Direction, Double, String) {
        try signalFields(direction: value["direction"], confidence: value["confidence"], reasoning: value["reasoning"], plugin: plugin, function: function)
    }

    /// A signal's direction (LONG, SHORT or NEUTRAL, any case), confidence (clamped to [0, 1]) and reasoning.
    static func signalFields(direction: LuaValue, confidence: LuaValue, reasoning: LuaValue, plugin: String, function: String) throws -> (Direction, Double, String) {
        guard let text = direction.stringValue, let parsed = Direction(rawValue: text.uppercased()) else {
            throw FetchError(.plugin, "\(plugin).\(function): 'direction' must be LONG, SHORT or NEUTRAL, got \(direction.stringValue ?? direction.typeName)")
        }
        guard let number = confidence.doubleValue, number.isFinite else {
            throw FetchError(.plugin, "\(plugin).\(function): 'confidence' must be a number in [0, 1]")
        }
        return (parsed, min(1, max(0, number)), reasoning.stringValue ?? "")
    }
}

/// The CPU one plugin call used, handed from the state's thread to the caller.
///
/// `@unchecked Sendable`: written on the state's thread before the caller resumes, read after.
private final class CallCost: @unchecked Sendable {
    var nanoseconds: UInt64 = 0
}

extension LuaError {
    /// Whether the call ran and was stopped by one of its limits: time, budget or
    /// memory (not refused, or cut, by the borrower's deadline).
    var isOverrun: Bool {
        (kind == .timeLimit || kind == .instructionLimit || kind == .memoryLimit) && !byDeadline
    }
}
