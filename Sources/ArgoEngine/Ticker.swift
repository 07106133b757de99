/// Ticker symbols as Argo accepts them: 1 to 12 letters, digits, `.` and `-`
/// (`AAPL`, `BRK.B`, `BF-B`), upper-cased, each once.
public enum Ticker {
    /// Whether `text` (already trimmed) can be a ticker.
    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 12
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
            }
    }

    /// `symbols` upper-cased, each kept once (the first time it appears), in order:
    /// `AAPL, aapl` is one symbol, so a cycle never reports or stores it twice.
    public static func normalized(_ symbols: some Sequence<String>) -> [String] {
        var seen: Set<String> = []
        return symbols.map { $0.uppercased() }.filter { seen.insert($0).inserted }
    }
}
