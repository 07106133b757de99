import CJSONScan
import Testing

@Suite("JSON skipping: the vector kernel this CPU runs against the portable one")
struct SkipKernelTests {
    /// Bytes drawn mostly from the ones the skip looks at, in runs long enough for whole 64-byte blocks.
    func randomBytes(_ random: inout SeededRandom, count: Int, backslashes: Bool) -> [UInt8] {
        let alphabet = Array(#"[]{}""::,,  ab19xyz|{\}"#.utf8) + [0x7B | 0x20, 0x5B ^ 0x20, 0xDB, 0xFB, 0x3B, 0x1B]
            + Array(repeating: UInt8(ascii: "a"), count: 30)
        return (0..<count).map { _ in
            let byte = alphabet[random.next(alphabet.count)]
            return byte == UInt8(ascii: "\\") && !backslashes ? UInt8(ascii: "a") : byte
        }
    }

    /// The skip's definition, a byte at a time.
    func reference(_ bytes: [UInt8], _ state: inout argo_json_skip_state) -> Int {
        for (index, byte) in bytes.enumerated() {
            if state.in_string != 0 {
                if state.escaped != 0 { state.escaped = 0 } else if byte == UInt8(ascii: "\\") { state.escaped = 1 } else if byte == UInt8(ascii: "\"") { state.in_string = 0 }
            } else if byte == UInt8(ascii: "\"") {
                state.in_string = 1
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                state.depth += 1
                if state.max_depth > 0, state.depth > state.max_depth {
                    state.too_deep = 1
                    return index + 1
                }
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                if state.depth == 0 {
                    state.closed = 1
                    return index + 1
                }
                state.depth -= 1
            }
        }
        return bytes.count
    }

    @Test("on random bytes and random starting states, the kernel this CPU runs, the portable one and the byte-at-a-time definition stop at the same byte with the same state")
    func sameAsPortable() {
        var random = SeededRandom(seed: 0x51AD)
        for round in 0..<3_000 {
            let bytes = randomBytes(&random, count: 1 + random.next(400), backslashes: round % 3 == 0)
            var fast = argo_json_skip_state()
            fast.in_string = Int32(random.next(2))
            fast.depth = random.next(4)
            fast.max_depth = [0, 3, 6][random.next(3)]
            var portable = fast
            var expected = fast
            let fastEnd = bytes.withUnsafeBufferPointer { argo_json_skip($0.baseAddress, $0.count, &fast) }
            let portableEnd = bytes.withUnsafeBufferPointer { argo_json_skip_portable($0.baseAddress, $0.count, &portable) }
            let expectedEnd = reference(bytes, &expected)
            for (end, state) in [(fastEnd, fast), (portableEnd, portable)] {
                #expect(end == expectedEnd, "round \(round)")
                // A string's state is only defined up to where the skip stopped: both stop at the same byte.
                #expect(state.in_string == expected.in_string && state.escaped == expected.escaped && state.depth == expected.depth
                    && state.closed == expected.closed && state.too_deep == expected.too_deep, "round \(round)")
            }
        }
    }

    @Test("brackets are told from the bytes one bit away from them (| 0x20 folds only [ and ])")
    func foldedBrackets() {
        // '{' | 0x20 and '[' | 0x20 are both '{'; ';' (0x3B) and 0xDB, 0xFB are not brackets.
        let block = Array(String(repeating: "a", count: 60).utf8) + [0x3B, 0xDB, 0xFB, UInt8(ascii: "]")]
        var state = argo_json_skip_state()
        let end = block.withUnsafeBufferPointer { argo_json_skip($0.baseAddress, $0.count, &state) }
        #expect(end == 64 && state.closed == 1 && state.depth == 0)
        #expect(["avx512bw", "avx2", "sse2", "portable"].contains(String(cString: argo_json_skip_kind())))
    }
}
