import Foundation

/// Replaces secret values (API keys from the environment) in any text that may
/// leave the process: errors, logs, stats, cache keys.
public struct Redactor: Sendable, Hashable {
    /// The secrets to hide, longest first so a secret containing another is hidden whole.
    public let secrets: [String]
    /// Each secret, then its percent-encoded form when that differs, as bytes to search for.
    private let needles: [[UInt8]]
    public static let placeholder = "[REDACTED]"

    /// Secrets shorter than 4 characters are ignored: hiding every "a" would
    /// make messages unreadable and protects nothing.
    public init(secrets: [String]) {
        self.secrets = Array(Set(secrets.filter { $0.count >= 4 })).sorted { ($0.count, $0) > ($1.count, $1) }
        needles = self.secrets.flatMap { secret in
            let encoded = FetchRequest.encodeQuery(secret)
            return encoded == secret ? [Array(secret.utf8)] : [Array(secret.utf8), Array(encoded.utf8)]
        }
    }

    /// `text` with every occurrence of every secret, plain or percent-encoded, replaced.
    public func redact(_ text: String) -> String {
        guard !needles.isEmpty else { return text }
        var bytes = Array(text.utf8)
        var changed = false
        for needle in needles where Self.replace(needle, in: &bytes) { changed = true }
        return changed ? String(decoding: bytes, as: UTF8.self) : text
    }

    /// Replaces every occurrence of `needle` in `bytes` with the placeholder; whether there was one.
    private static func replace(_ needle: [UInt8], in bytes: inout [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        var result: [UInt8] = []
        var copied = 0, index = 0
        let last = bytes.count - needle.count
        while index <= last {
            if bytes[index] == first, bytes[index..<(index + needle.count)].elementsEqual(needle) {
                if result.isEmpty { result.reserveCapacity(bytes.count) }
                result += bytes[copied..<index]
                result += placeholderBytes
                index += needle.count
                copied = index
            } else {
                index += 1
            }
        }
        guard copied > 0 else { return false }
        result += bytes[copied...]
        bytes = result
        return true
    }

    private static let placeholderBytes = Array(placeholder.utf8)

    public static func == (a: Redactor, b: Redactor) -> Bool { a.secrets == b.secrets }
    public func hash(into hasher: inout Hasher) { hasher.combine(secrets) }
}
