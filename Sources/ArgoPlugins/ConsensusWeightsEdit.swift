import Foundation

/// Rewriting the `weights` of `Config/consensus.lua` in place: only the numbers
/// change, so the file's comments, order and layout stay the user's.
public enum ConsensusWeightsEdit {
    /// `text` with each source's weight set to `weights[source]`: the number on
    /// the line that assigns it inside `weights = { … }` is replaced; a source
    /// without a line gets one before the table's closing brace; a file without
    /// a `weights` table gets one after `return {`.
    public static func rewrite(_ text: String, weights: [String: Double]) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let assignments = AssignmentLines(text)
        let formatted = { (value: Double) in String(format: "%.3f", value).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression) }
        guard let start = assignments.line(of: "weights").map({ $0 - 1 }) else {
            let entries = weights.keys.sorted().map { "    \($0) = \(formatted(weights[$0]!))," }
            let at = (lines.firstIndex { $0.contains("return") && $0.contains("{") } ?? -1) + 1
            lines.insert(contentsOf: ["  weights = {"] + entries + ["  },"], at: at)
            return lines.joined(separator: "\n")
        }
        // The lines of the table: from `weights = {` to the brace that closes it.
        var depth = 0, end = start
        for index in start..<lines.count {
            let code = lines[index].range(of: "--").map { String(lines[index][..<$0.lowerBound]) } ?? lines[index]
            depth += code.filter { $0 == "{" }.count - code.filter { $0 == "}" }.count
            end = index
            if depth <= 0, index > start || code.contains("}") { break }
        }
        var missing: [String] = []
        for source in weights.keys.sorted() {
            let value = formatted(weights[source]!)
            let pattern = #"(^|[\s{,])(\#(NSRegularExpression.escapedPattern(for: source))\s*=\s*)([-+0-9.eE]+)"#
            if let index = (start...end).first(where: { lines[$0].range(of: pattern, options: .regularExpression) != nil }) {
                let expression = try! NSRegularExpression(pattern: pattern)
                let line = lines[index]
                lines[index] = expression.stringByReplacingMatches(
                    in: line, range: NSRange(line.startIndex..., in: line), withTemplate: "$1$2\(NSRegularExpression.escapedTemplate(for: value))")
            } else {
                missing.append("\(source) = \(value),")
            }
        }
        if !missing.isEmpty {
            if start == end {
                // A one-line table: `weights = { a = 1 },` becomes a block.
                let line = lines[end]
                let closing = line.range(of: "}", options: .backwards)!.lowerBound
                var before = String(line[..<closing])
                while before.last == " " { before.removeLast() }
                if before.last == "," { before.removeLast() }
                lines[end] = before + ", " + missing.map { String($0.dropLast()) }.joined(separator: ", ") + " " + line[closing...]
            } else {
                let indent = lines[(start + 1)...end].first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                    .map { String($0.prefix { $0 == " " || $0 == "\t" }) } ?? "    "
                lines.insert(contentsOf: missing.map { indent + $0 }, at: end)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The lines that differ between `old` and `new`, each `-` (removed) or `+`
    /// (added) after an `@@ line N` of the old file: a longest-common-subsequence
    /// diff, which is enough for a file of a few dozen lines.
    public static func diff(_ old: String, _ new: String, path: String) -> [String] {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false), b = new.split(separator: "\n", omittingEmptySubsequences: false)
        var common = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                common[i][j] = a[i] == b[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
            }
        }
        var out: [String] = []
        var i = 0, j = 0, inRun = false
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                i += 1
                j += 1
                inRun = false
                continue
            }
            if !inRun { out.append("@@ line \(i + 1)") }
            inRun = true
            if i < a.count, j == b.count || common[i + 1][j] >= common[i][j + 1] {
                out.append("-\(a[i])")
                i += 1
            } else {
                out.append("+\(b[j])")
                j += 1
            }
        }
        return out.isEmpty ? [] : ["--- \(path)", "+++ \(path) (proposed)"] + out
    }
}
