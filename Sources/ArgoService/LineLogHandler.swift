import ArgoCore
import ArgoFetch
import Foundation
import Logging
import Synchronization

/// The secrets every log line is scrubbed of (the API keys the sources use),
/// updated when a reload changes them.
public final class LogSecrets: Sendable {
    private let redactor = Mutex(Redactor(secrets: []))
    public init() {}
    public func set(_ secrets: [String]) { redactor.withLock { $0 = Redactor(secrets: secrets) } }
    func redact(_ text: String) -> String { redactor.withLock { $0 }.redact(text) }
}

/// One line per event, logfmt style, to standard error by default:
///
///     2026-11-24T14:00:00.123Z info cycle id=d0143bec symbols=6 duration_ms=812.4
///
/// Values with spaces or quotes are quoted, newlines escaped, and every known
/// secret replaced by `[REDACTED]`, so a line is always one whole event.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let secrets: LogSecrets
    let write: @Sendable (String) -> Void

    /// - Parameters:
    ///   - write: takes each finished line (without the newline); standard error by default.
    public init(level: Logger.Level, secrets: LogSecrets = LogSecrets(), write: @escaping @Sendable (String) -> Void = LineLogHandler.standardError) {
        self.logLevel = level
        self.secrets = secrets
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        if let error = event.error { fields["error"] = "\(error)" }
        var line = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        line += " \(event.level) \(Self.escape(event.message.description, quoteSpaces: false))"
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(Self.escape(value.description, quoteSpaces: true))"
        }
        write(secrets.redact(line))
    }

    /// Newlines escaped; with `quoteSpaces`, quoted when it holds spaces, quotes or `=`.
    static func escape(_ text: String, quoteSpaces: Bool) -> String {
        var escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        guard quoteSpaces, escaped.isEmpty || escaped.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return escaped }
        escaped = escaped.replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }

    /// Writes a line to standard error (exit status 1 when standard error cannot be written).
    public static let standardError: @Sendable (String) -> Void = { line in StandardStreams.errorLine(line) }

    /// `log.level` names: trace, debug, info, notice, warning, error, critical.
    public static func level(named name: String) -> Logger.Level? { Logger.Level(rawValue: name.lowercased()) }
}
