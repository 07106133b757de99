/// Eight bytes of JSON at a time: the word-at-a-time tests that let a scanner
/// pass over digits, dates and indentation without looking at each byte.
///
/// Each test is exact (the classic "has a zero byte" bit trick has no false
/// positives), so a scanner may skip a whole word whenever a test is false.
public enum JSONWord {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Eight bytes from `pointer` as one word (unaligned load).
    @inlinable @inline(__always)
    public static func load(_ pointer: UnsafePointer<UInt8>) -> UInt64 {
        UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self)
    }

    /// Whether any byte of `word` is zero.
    @inlinable @inline(__always)
    public static func hasZeroByte(_ word: UInt64) -> Bool {
        (word &- ones) & ~word & highs != 0
    }

    /// Whether any byte of `word` is `"`, `[`, `{`, `]` or `}` (brackets and braces are pairs 0x20 apart).
    @inlinable @inline(__always)
    public static func hasStructural(_ word: UInt64) -> Bool {
        let folded = word | (ones &* 0x20)
        return hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(folded ^ (ones &* 0x7B)) || hasZeroByte(folded ^ (ones &* 0x7D))
    }

    /// Whether any byte of `word` is `"` or a backslash.
    @inlinable @inline(__always)
    public static func hasQuoteOrEscape(_ word: UInt64) -> Bool {
        hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
    }
}
