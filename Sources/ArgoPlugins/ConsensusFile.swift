import ArgoCore
import ArgoLua

/// Reads the table `Config/consensus.lua` returns:
/// `weights`, `min_sources`, `min_confidence`, `neutral_band`,
/// `regime = { BULL = { LONG = 1.1, SHORT = 0.8 }, … }` and an optional `combine`.
enum ConsensusFile {
    /// The keys the table may have.
    static let keys = ["weights", "min_sources", "min_confidence", "neutral_band", "regime", "combine"]

    /// The settings `reference` (the loaded file, whose text is `text`) returns,
    /// and what to warn about. A key the file may not have is an error naming its
    /// line. `sources` are the plugin files' names: a weight for a name one typo
    /// away from one is an error, for any other name a warning (its file may
    /// have been removed, which removes the source).
    static func settings(
        state: LuaState, reference: LuaReference, path: String, text: String, sources: [String]
    ) throws -> (ConsensusSettings, warnings: [String], origins: [String: String]) {
        var warnings: [String] = []
        var origins: [String: String] = [:]
        var settings = ConsensusSettings()
        let fields = try state.fields(of: reference)
        let lines = AssignmentLines(text)
        /// `path:line` of the line that sets `key` (after line `after`), else the path.
        func origin(_ key: String?, after: Int = 0) -> String {
            key.flatMap { lines.line(of: $0, after: after) }.map { "\(path):\($0)" } ?? path
        }
        func fail(_ message: String, key: String? = nil, after: Int = 0) -> ConfigError {
            ConfigError(origin: origin(key, after: after), message: message)
        }
        if let unknown = fields.keys.sorted().first(where: { !keys.contains($0) }) {
            throw fail("unknown key '\(unknown)'\(DidYouMean.hint(for: unknown, among: keys))", key: unknown)
        }
        // Field by field: the table also holds `combine`, which has no Swift form.
        var plain: [LuaValue: LuaValue] = [:]
        for (key, field) in fields {
            switch field {
            case .value(let item): plain[.string(LuaString(key))] = item
            case .function: break
            case .other(let typeName): throw fail("'\(key)' cannot be a \(typeName)", key: key)
            }
        }
        let value = LuaValue.table(plain)
        if case .table(let weights) = value["weights"] {
            for (key, weight) in weights {
                guard let name = key.stringValue, let number = weight.doubleValue, number.isFinite, number >= 0, number <= 1000 else {
                    throw fail("'weights' maps source names to numbers from 0 to 1000", key: "weights")
                }
                settings.weights[name] = number
                origins["weights.\(name)"] = origin(name, after: lines.line(of: "weights") ?? 0)
            }
            let weightsLine = lines.line(of: "weights") ?? 0
            let list = " (sources: \(sources.sorted().joined(separator: ", ")))"
            for unknown in weights.keys.compactMap(\.stringValue).sorted() where !sources.contains(unknown) {
                if let near = DidYouMean.closest(to: unknown, among: sources) {
                    throw fail("'weights' names '\(unknown)', which is not a source (did you mean '\(near)'?)" + list, key: unknown, after: weightsLine)
                }
                let place = origin(unknown, after: weightsLine)
                warnings.append("\(place): the weight for '\(unknown)' applies to no source: there is no plugin '\(unknown)'" + list)
            }
        } else if value["weights"] != .nil { throw fail("'weights' must be a table", key: "weights") }
        if value["min_sources"] != .nil {
            guard let number = value["min_sources"].integerValue, number >= 1 else { throw fail("'min_sources' must be an integer ≥ 1", key: "min_sources") }
            settings.minSources = Int(number)
        }
        for (key, assign) in [("min_confidence", { (v: Double) in settings.minConfidence = v }), ("neutral_band", { settings.neutralBand = $0 })] {
            if value[key] != .nil {
                guard let number = value[key].doubleValue, (0...1).contains(number) else { throw fail("'\(key)' must be a number in [0, 1]", key: key) }
                assign(number)
            }
        }
        if case .table(let regimes) = value["regime"] {
            for (key, multipliers) in regimes {
                let regimeNames = ["BULL", "BEAR", "CHOP", "CRISIS", "UNKNOWN"]
                guard let name = key.stringValue, let regime = Regime(rawValue: name) else {
                    let typed = key.stringValue ?? "\(key)"
                    throw fail("'regime' has an unknown key '\(typed)'\(DidYouMean.hint(for: typed, among: regimeNames)): its keys are \(regimeNames.joined(separator: ", "))",
                               key: typed, after: lines.line(of: "regime") ?? 0)
                }
                guard case .table(let entries) = multipliers else { throw fail("'regime.\(name)' must be a table such as { LONG = 1.1, SHORT = 0.8 }", key: name, after: lines.line(of: "regime") ?? 0) }
                var row: [Direction: Double] = [:]
                for (directionKey, multiplier) in entries {
                    guard let directionName = directionKey.stringValue, let direction = Direction(rawValue: directionName),
                          let number = multiplier.doubleValue, number.isFinite, number >= 0, number <= 1000 else {
                        throw fail("'regime.\(name)' maps LONG/SHORT/NEUTRAL to numbers from 0 to 1000", key: name, after: lines.line(of: "regime") ?? 0)
                    }
                    row[direction] = number
                }
                settings.regimeMultipliers[regime] = row
            }
        } else if value["regime"] != .nil { throw fail("'regime' must be a table", key: "regime") }
        switch fields["combine"] {
        case .function?: settings.hasCombine = true
        case nil: break
        default: throw fail("'combine' must be a function(signals, regime)", key: "combine")
        }
        for key in ["min_sources", "min_confidence", "neutral_band", "regime", "combine"] where fields[key] != nil {
            origins[key] = origin(key)
        }
        return (settings, warnings, origins)
    }
}
