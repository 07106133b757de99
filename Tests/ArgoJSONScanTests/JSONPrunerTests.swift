import ArgoJSONScan
import Testing

@Suite("JSON pruning as a body arrives")
struct JSONPrunerTests {
    @Test("keeps the input's own bytes up to each container's limit, and the closing brackets")
    func keepsTheInputsBytes() {
        let text = "{\"a\": [1, 2, 3],\n \"b\": {\"x\": \"],}\\\"{[\", \"y\": 2, \"z\": 3}, \"c\": 3}"
        #expect(pruned(text, 2) == "{\"a\": [1, 2],\n \"b\": {\"x\": \"],}\\\"{[\", \"y\": 2}}")
        #expect(pruned(text, 1) == "{\"a\": [1]}")
        #expect(pruned(text, 3) == text)
        #expect(pruned("[[1, 2, 3], [4, 5, 6], [7]]", 2) == "[[1, 2], [4, 5]]")
        #expect(pruned("[]", 1) == "[]")
        #expect(pruned("  \n {\"k\": {}, \"l\": []}", 1) == "  \n {\"k\": {}}")
    }

    @Test("a body that does not start as JSON passes through unchanged")
    func verbatim() {
        for text in ["<html><body>[1, 2, 3] Service Unavailable</body></html>", "  \n Thank you for using Alpha Vantage, [a, b, c]", "", "   "] {
            #expect(pruned(text, 1) == text)
            #expect(pruned(text, 1, chunk: 1) == text)
        }
    }

    @Test("random documents: the pruned text is the document with only the first N entries of every container, however it is split")
    func randomDocuments() {
        var random = SeededRandom(seed: 0x5EED)
        for round in 0..<300 {
            checkPruning(Node.random(&random, depth: 0), limit: 1 + round % 4, chunk: 1 + round % 13, round: round, &random)
        }
    }

    @Test("long documents, mostly dropped 64 bytes at a time: strings longer than a block, brackets inside them, escapes here and there")
    func longDocuments() async {
        var random = SeededRandom(seed: 0xB10C)
        for round in 0..<40 {
            await Task.yield()  // a turn for the tests beside this one that wait on deadlines
            // Escapes only in some rounds, so that most blocks take the 64-byte path.
            let escapes = round % 4 == 0
            let members = (0..<(50 + random.next(200))).map { index in
                (#""m\#(index)""#, Node.random(&random, depth: 1, long: true, escapes: escapes))
            }
            checkPruning(Node.object(members), limit: 1 + round % 5, chunk: 61 + round, round: round, &random)
        }
    }

    @Test("every split of a document into two parts gives the same text, escapes and strings across the split included")
    func everySplit() {
        let text = #"{"k\"ey": ["a\\", "b\"]", {"c": [1, 2, 3]}, "d"], "e": "\u005D,", "f": [[], {}], "g": 1}"#
        let whole = pruned(text, 2)
        #expect(whole == #"{"k\"ey": ["a\\", "b\"]"], "e": "\u005D,"}"#)
        let bytes = Array(text.utf8)
        for split in 0...bytes.count {
            var pruner = JSONPruner(maxItems: 2)
            var output: [UInt8] = []
            bytes[..<split].withUnsafeBytes { pruner.feed($0, into: &output) }
            bytes[split...].withUnsafeBytes { pruner.feed($0, into: &output) }
            #expect(String(decoding: output, as: UTF8.self) == whole, "split at \(split)")
        }
    }

    @Test("nesting deeper than the tracked depth is kept whole, and nothing fails")
    func deepNesting() {
        let depth = JSONPruner.trackedDepth + 40
        let text = String(repeating: "[", count: depth) + "1, 2, 3" + String(repeating: "]", count: depth)
        #expect(pruned(text, 1) == text, "the innermost array is past the tracked depth")
        let shallow = "[" + text + ", 4]"
        #expect(pruned(shallow, 1) == "[" + text + "]")
    }

    // MARK: - Helpers

    /// `document`'s text (random blanks) pruned whole, byte by byte and in parts of `chunk` bytes:
    /// the same text each time, and, blanks aside, the document truncated to `limit` entries per container.
    func checkPruning(_ document: Node, limit: Int, chunk: Int, round: Int, _ random: inout SeededRandom) {
        let text = document.text(&random)
        let expected = minified(document.truncated(to: limit).text(&random))
        let whole = pruned(text, limit)
        #expect(minified(whole) == expected, "round \(round), limit \(limit), \(text.utf8.count) bytes: \(text.prefix(300))")
        #expect(pruned(text, limit, chunk: 1) == whole, "byte by byte, round \(round)")
        #expect(pruned(text, limit, chunk: chunk) == whole, "in parts of \(chunk), round \(round)")
    }

    func pruned(_ text: String, _ limit: Int, chunk: Int? = nil) -> String {
        let bytes = Array(text.utf8)
        var pruner = JSONPruner(maxItems: limit)
        var output: [UInt8] = []
        let size = chunk ?? max(1, bytes.count)
        var start = 0
        while start < bytes.count {
            let stop = min(bytes.count, start + size)
            bytes[start..<stop].withUnsafeBytes { pruner.feed($0, into: &output) }
            start = stop
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `text` without the blanks outside strings.
    func minified(_ text: String) -> String {
        var output: [UInt8] = []
        var inString = false
        var escaped = false
        for byte in text.utf8 {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
            } else if byte == 0x22 {
                inString = true
            } else if byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D {
                continue
            }
            output.append(byte)
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// A JSON document as a tree, for generating test input.
indirect enum Node {
    case scalar(String)
    case array([Node])
    case object([(String, Node)])

    static let scalars = ["1", "-2.5e3", "true", "null", #""plain""#, #""a, \"b\" ] }""#, #""\\""#, #""[{""#, #""\u007D""#]
    static let keys = [#""k""#, #""2026-11-21""#, #""q\"]""#, #""x,y""#]

    /// Without backslashes, and strings past a 64-byte block with brackets, quotes' neighbours and commas inside.
    static let plainScalars = ["1", "-2.5e3", "true", "null", #""plain""#, #""a, b ] } { [""#,
                               "\"" + String(repeating: "x]}, ", count: 30) + "\"", "\"" + String(repeating: "0123456789", count: 9) + "\""]
    static let plainKeys = [#""k""#, #""2026-11-21""#, #""x,y""#, #""{[""#]

    static func random(_ random: inout SeededRandom, depth: Int, long: Bool = false, escapes: Bool = true) -> Node {
        let pick = random.next(depth > 3 ? 1 : 4)
        let scalarPool = escapes ? scalars + (long ? plainScalars : []) : plainScalars
        let keyPool = escapes ? keys : plainKeys
        if pick == 0 { return .scalar(scalarPool[random.next(scalarPool.count)]) }
        let count = random.next(long ? 12 : 6)
        if pick % 2 == 1 { return .array((0..<count).map { _ in Node.random(&random, depth: depth + 1, long: long, escapes: escapes) }) }
        return .object((0..<count).map { _ in (keyPool[random.next(keyPool.count)], Node.random(&random, depth: depth + 1, long: long, escapes: escapes)) })
    }

    func truncated(to limit: Int) -> Node {
        switch self {
        case .scalar: self
        case .array(let items): .array(items.prefix(limit).map { $0.truncated(to: limit) })
        case .object(let members): .object(members.prefix(limit).map { ($0.0, $0.1.truncated(to: limit)) })
        }
    }

    /// The document's text, with random blanks between tokens.
    func text(_ random: inout SeededRandom) -> String {
        let blanks = ["", " ", "\n    ", "\t"]
        func blank() -> String { blanks[random.next(blanks.count)] }
        switch self {
        case .scalar(let text):
            return text
        case .array(let items):
            return "[" + blank() + items.map { $0.text(&random) + blank() }.joined(separator: "," + blank()) + "]"
        case .object(let members):
            return "{" + blank() + members.map { $0.0 + blank() + ":" + blank() + $0.1.text(&random) }.joined(separator: "," + blank()) + blank() + "}"
        }
    }
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
