import ArgoCore
import ArgoLua

/// Reads the table `Config/consensus.lua` returns:
/// `weights`, `min_sources`, `min_confidence`, `neutral_band`,
/// `regime = { BULL = { LONG = 1.1, SHORT = 0.8 }, … }` and an optional `combine`.
enum ConsensusFile {
    static func settings(state: LuaState, reference: LuaReference, path: String) throws -> ConsensusSettings {
        var settings = ConsensusSettings()
        let fields = try state.fields(of: reference)
        func fail(_ message: String) -> ConfigError { ConfigError(origin: path, message: message) }
        // Field by field: the table also holds `combine`, which has no Swift form.
        var plain: [LuaValue: LuaValue] = [:]
        for (key, field) in fields {
            switch field {
            case .value(let item): plain[.string(LuaString(key))] = item
            case .function: break
            case .other(let typeName): throw fail("'\(key)' cannot be a \(typeName)")
            }
        }
        let value = LuaValue.table(plain)
        if case .table(let weights) = value["weights"] {
            for (key, weight) in weights {
                guard let name = key.stringValue, let number = weight.doubleValue, number.isFinite, number >= 0, number <= 1000 else {
                    throw fail("'weights' maps source names to numbers from 0 to 1000")
                }
                settings.weights[name] = number
            }
        } else if value["weights"] != .nil { throw fail("'weights' must be a table") }
        if value["min_sources"] != .nil {
            guard let number = value["min_sources"].integerValue, number >= 1 else { throw fail("'min_sources' must be an integer ≥ 1") }
            settings.minSources = Int(number)
        }
        for (key, assign) in [("min_confidence", { (v: Double) in settings.minConfidence = v }), ("neutral_band", { settings.neutralBand = $0 })] {
            if value[key] != .nil {
                guard let number = value[key].doubleValue, (0...1).contains(number) else { throw fail("'\(key)' must be a number in [0, 1]") }
                assign(number)
            }
        }
        if case .table(let regimes) = value["regime"] {
            for (key, multipliers) in regimes {
                guard let name = key.stringValue, let regime = Regime(rawValue: name) else {
                    throw fail("'regime' keys are BULL, BEAR, CHOP, CRISIS, UNKNOWN")
                }
                guard case .table(let entries) = multipliers else { throw fail("'regime.\(name)' must be a table such as { LONG = 1.1, SHORT = 0.8 }") }
                var row: [Direction: Double] = [:]
                for (directionKey, multiplier) in entries {
                    guard let directionName = directionKey.stringValue, let direction = Direction(rawValue: directionName),
                          let number = multiplier.doubleValue, number.isFinite, number >= 0, number <= 1000 else {
                        throw fail("'regime.\(name)' maps LONG/SHORT/NEUTRAL to numbers from 0 to 1000")
                    }
                    row[direction] = number
                }
                settings.regimeMultipliers[regime] = row
            }
        } else if value["regime"] != .nil { throw fail("'regime' must be a table") }
        switch fields["combine"] {
        case .function?: settings.hasCombine = true
        case nil: break
        default: throw fail("'combine' must be a function(signals, regime)")
        }
        return settings
    }
}
