/// Eight bytes of JSON at a time: the word-at-a-time test that lets the pruner
/// pass over a kept string's characters without looking at each byte.
///
/// The test is exact (the classic "has a zero byte" bit trick has no false
/// positives), so a scanner may skip a whole word whenever it is false.
enum JSONWord {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Eight bytes from `pointer` as one word (unaligned load).
    @inline(__always)
    static func load(_ pointer: UnsafePointer<UInt8>) -> UInt64 {
        UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self)
    }

    /// Whether any byte of `word` is zero.
    @inline(__always)
    static func hasZeroByte(_ word: UInt64) -> Bool {
        (word &- ones) & ~word & highs != 0
    }

    /// Whether any byte of `word` is `"` or a backslash.
    @inline(__always)
    static func hasQuoteOrEscape(_ word: UInt64) -> Bool {
        hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
    }
}
