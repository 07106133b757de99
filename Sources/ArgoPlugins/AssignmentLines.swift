/// Finds the line of a Lua file that sets a key, so that an error about a field
/// can point at it: `key =` or `["key"] =`, at the start of a line or after `{`
/// or `,` (`weights = { alpaca = 0.25, xai = 1.0 }`).
struct AssignmentLines {
    let lines: [Substring]

    init(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The first line (1-based) that assigns `key`, if any; `after` skips the lines before it.
    func line(of key: String, after: Int = 0) -> Int? {
        for (index, line) in lines.enumerated() where index + 1 > after {
            // What follows `--` is a comment (a commented-out key does not count).
            let code = line.range(of: "--").map { line[..<$0.lowerBound] } ?? line
            if Self.assigns(key, in: code) { return index + 1 }
        }
        return nil
    }

    private static func assigns(_ key: String, in code: Substring) -> Bool {
        for form in [key, "[\"\(key)\"]", "['\(key)']"] {
            var rest = code[...]
            while let range = rest.range(of: form) {
                let before = code[..<range.lowerBound].last { $0 != " " && $0 != "\t" }
                let after = code[range.upperBound...].drop { $0 == " " || $0 == "\t" }
                if before == nil || before == "{" || before == ",", after.first == "=", after.dropFirst().first != "=" { return true }
                rest = code[range.upperBound...]
            }
        }
        return false
    }
}
