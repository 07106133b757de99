import ArgoCore
import Foundation
import Yams

/// `Config/argo.yaml` flattened to dotted key paths (`cycle.deadline`,
/// `sources.alpaca.base_url`), each with the line that sets it, and overlaid by
/// the environment: the key upper-cased, dots and dashes to underscores,
/// prefixed `ARGO_` (`ARGO_CYCLE_DEADLINE=20s`) wins over the file.
public struct ConfigFile: Sendable {
    public enum Value: Sendable, Equatable {
        case scalar(String)
        case list([String])
    }

    public struct Entry: Sendable, Equatable {
        public var value: Value
        public var origin: String
    }

    /// Entries from the file, by dotted path.
    public private(set) var entries: [String: Entry] = [:]
    public let environment: [String: String]
    public let path: String

    /// An empty configuration (every default), still overridable from the environment.
    public init(environment: [String: String], path: String = "Config/argo.yaml") {
        self.environment = environment
        self.path = path
    }

    /// Parses YAML text; syntax errors and non-scalar lists name the line.
    public init(yaml: String, path: String, environment: [String: String]) throws(ConfigError) {
        self.init(environment: environment, path: path)
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch {
            throw ConfigError(origin: path, message: "not valid YAML: \(error)")
        }
        guard let root else { return }
        guard root.mapping != nil else { throw ConfigError(origin: "\(path):\(root.mark?.line ?? 1)", message: "the top level must be a mapping of keys") }
        try flatten(root, prefix: "")
    }

    /// Reads the file at `path`; a missing file is an empty configuration.
    public static func load(path: String, environment: [String: String]) throws(ConfigError) -> ConfigFile {
        guard FileManager.default.fileExists(atPath: path) else { return ConfigFile(environment: environment, path: path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(origin: path, message: "cannot be read")
        }
        return try ConfigFile(yaml: String(decoding: data, as: UTF8.self), path: path, environment: environment)
    }

    private mutating func flatten(_ node: Node, prefix: String) throws(ConfigError) {
        let origin = "\(path):\(node.mark?.line ?? 0)"
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard let name = key.string else { throw ConfigError(origin: origin, message: "keys must be plain strings") }
                try flatten(value, prefix: prefix.isEmpty ? name : prefix + "." + name)
            }
        case .sequence(let sequence):
            var items: [String] = []
            for item in sequence {
                guard let text = item.scalar?.string else {
                    throw ConfigError(origin: "\(path):\(item.mark?.line ?? 0)", message: "'\(prefix)' must be a list of plain values")
                }
                items.append(text)
            }
            entries[prefix] = Entry(value: .list(items), origin: origin)
        case .scalar(let scalar):
            entries[prefix] = Entry(value: .scalar(scalar.string), origin: origin)
        case .alias:
            throw ConfigError(origin: origin, message: "aliases are not supported")
        }
    }

    /// The environment variable that overrides `path`.
    public static func environmentName(_ path: String) -> String {
        "ARGO_" + path.uppercased().map { $0 == "." || $0 == "-" ? "_" : $0 }.map(String.init).joined()
    }

    /// The value for a key path: the environment's, else the file's, else nil.
    public func entry(_ path: String) -> Entry? {
        let name = Self.environmentName(path)
        if let value = environment[name] {
            return Entry(value: .scalar(value), origin: "\(name) (environment)")
        }
        return entries[path]
    }

    // MARK: Typed getters

    public func string(_ path: String) -> String? {
        switch entry(path)?.value {
        case .scalar(let text)?: text
        case .list(let items)?: items.joined(separator: ",")
        case nil: nil
        }
    }

    /// A path: one the file gives is relative to the file's directory (so a
    /// settings file means the same wherever Argo is started); one from the
    /// environment is relative to the current directory, as a shell's are.
    public func path(of key: String) -> String? {
        guard let value = string(key) else { return nil }
        guard environment[Self.environmentName(key)] == nil, !value.hasPrefix("/") else { return value }
        return Self.joined((path as NSString).deletingLastPathComponent, value)
    }

    /// `base/relative` with `.` and `..` resolved in the text: `Config` + `../plugins` is `plugins`.
    static func joined(_ base: String, _ relative: String) -> String {
        var parts: [Substring] = []
        let absolute = base.hasPrefix("/")
        for part in (base + "/" + relative).split(separator: "/") {
            switch part {
            case ".": continue
            case "..":
                if let last = parts.last, last != ".." { parts.removeLast() } else if !absolute { parts.append(part) }
            default: parts.append(part)
            }
        }
        let text = parts.joined(separator: "/")
        return absolute ? "/" + text : (text.isEmpty ? "." : text)
    }

    /// A list: a YAML sequence, or a comma-separated scalar (the environment's form).
    public func list(_ path: String) -> [String]? {
        switch entry(path)?.value {
        case .list(let items)?: items
        case .scalar(let text)?: text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case nil: nil
        }
    }

    public func number(_ path: String, atLeast minimum: Double? = nil) throws(ConfigError) -> Double? {
        guard let entry = entry(path), let text = string(path) else { return nil }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw ConfigError(origin: entry.origin, message: "'\(path)' must be a number, got '\(text)'")
        }
        if let minimum, value < minimum {
            throw ConfigError(origin: entry.origin, message: "'\(path)' must be at least \(minimum), got \(text)")
        }
        return value
    }

    public func integer(_ path: String, atLeast minimum: Int = 0, atMost maximum: Int = Int(Int32.max)) throws(ConfigError) -> Int? {
        guard let entry = entry(path), let text = string(path) else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= minimum, value <= maximum else {
            throw ConfigError(origin: entry.origin, message: "'\(path)' must be an integer from \(minimum) to \(maximum), got '\(text)'")
        }
        return value
    }

    public func bool(_ path: String) throws(ConfigError) -> Bool? {
        guard let entry = entry(path), let text = string(path) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConfigError(origin: entry.origin, message: "'\(path)' must be true or false, got '\(text)'")
        }
    }

    /// Seconds from `20s`, `500ms`, `2m`, `1h` or a plain number of seconds, within `range`
    /// (by default up to ``maxDuration``): a value out of range is an error naming where it came from.
    public func duration(_ path: String, in range: ClosedRange<Double> = 0...Self.maxDuration) throws(ConfigError) -> Double? {
        guard let entry = entry(path), let text = string(path) else { return nil }
        guard let seconds = Self.parseDuration(text) else {
            throw ConfigError(origin: entry.origin, message: "'\(path)' must be a duration such as 20s, 500ms or 2m, got '\(text)'")
        }
        guard range.contains(seconds) else {
            throw ConfigError(origin: entry.origin,
                              message: "'\(path)' must be from \(Self.formatSeconds(range.lowerBound)) to \(Self.formatSeconds(range.upperBound)), got '\(text)'")
        }
        return seconds
    }

    /// The longest duration any setting takes: 30 days.
    public static let maxDuration = 30 * 86_400.0

    /// `0.5s`, `20s`, `3600s`: a bound as an error message gives it.
    public static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }

    public static func parseDuration(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        for (suffix, scale) in [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)] where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count)), value.isFinite, value >= 0 else { return nil }
            return value * scale
        }
        guard let value = Double(trimmed), value.isFinite, value >= 0 else { return nil }
        return value
    }

    /// File keys not matched by any of `patterns` (`*` matches one path segment).
    public func unknownKeys(allowed patterns: [String]) -> [(String, String)] {
        entries.keys.sorted().compactMap { key in
            let parts = key.split(separator: ".")
            let known = patterns.contains { pattern in
                let expected = pattern.split(separator: ".")
                return expected.count == parts.count && zip(expected, parts).allSatisfy { $0 == "*" || $0 == $1 }
            }
            return known ? nil : (key, entries[key]!.origin)
        }
    }
}
