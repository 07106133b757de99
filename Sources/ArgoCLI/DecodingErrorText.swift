import Foundation

/// One readable line for a configuration decoding failure: the key path and
/// what was wrong, instead of `DecodingError`'s debug dump. Other errors (YAML
/// syntax errors carry their own line and column) pass through as they are.
func describeDecodingError(_ error: any Error) -> String {
    guard let decoding = error as? DecodingError else { return "\(error)" }
    func path(_ keys: [any CodingKey]) -> String {
        let text = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return text.isEmpty ? "top level" : "'\(text)'"
    }
    switch decoding {
    case .typeMismatch(let type, let context): return "\(path(context.codingPath)): expected \(type)"
    case .valueNotFound(let type, let context): return "\(path(context.codingPath)): missing \(type) value"
    case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): required key missing"
    case .dataCorrupted(let context):
        let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
        return "\(path(context.codingPath)): \(underlying ?? context.debugDescription)"
    @unknown default: return "\(error)"
    }
}
