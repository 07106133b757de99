import Foundation

/// Replaces secret values (API keys from the environment) in any text that may
/// leave the process: errors, logs, stats, cache keys.
public struct Redactor: Sendable, Hashable {
    /// The secrets to hide, longest first so a secret containing another is hidden whole.
    public let secrets: [String]
    public static let placeholder = "[REDACTED]"

    /// Secrets shorter than 4 characters are ignored: hiding every "a" would
    /// make messages unreadable and protects nothing.
    public init(secrets: [String]) {
        self.secrets = Array(Set(secrets.filter { $0.count >= 4 })).sorted { ($0.count, $0) > ($1.count, $1) }
    }

    /// `text` with every occurrence of every secret, plain or percent-encoded, replaced.
    public func redact(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var result = text
        for secret in secrets {
            result = result.replacingOccurrences(of: secret, with: Self.placeholder)
            let encoded = FetchRequest.encodeQuery(secret)
            if encoded != secret { result = result.replacingOccurrences(of: encoded, with: Self.placeholder) }
        }
        return result
    }
}
