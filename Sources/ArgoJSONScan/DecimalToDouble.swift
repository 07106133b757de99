/// A decimal number `mantissa × 10^exponent` as the nearest `Double`, without
/// `strtod`: Clinger's exact fast path when both fit a `Double`, else the
/// Eisel–Lemire algorithm (Lemire, "Number Parsing at a Gigabyte per Second",
/// 2021; as in fast_double_parser), which decides the correctly rounded result
/// from a 128-bit product in all but rare halfway cases.
///
/// Returns nil when it cannot decide (a halfway case, an exponent outside
/// ``smallestPower``...``largestPower``, a subnormal or overflowing result): the
/// caller then asks `strtod`. `mantissa` must hold every significant digit (up
/// to 19), not a truncation.
public enum DecimalToDouble {
    public static func value(mantissa: UInt64, exponent: Int, negative: Bool) -> Double? {
        if mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / exactPowersOfTen[-exponent] : value * exactPowersOfTen[exponent]
            return negative ? -value : value
        }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        guard exponent >= smallestPower, exponent <= largestPower else { return nil }
        let factor = powersOfFive[exponent - smallestPower]
        let biasedExponent = (((152_170 + 65_536) * Int64(exponent)) >> 16) + 1024 + 63
        var leadingZeros = Int64(mantissa.leadingZeroBitCount)
        let shifted = mantissa << UInt64(leadingZeros)
        var (upper, lower) = shifted.multipliedFullWidth(by: factor.high)
        if upper & 0x1FF == 0x1FF, lower &+ shifted < lower {
            // The first product may be off in its last bits: add the second half of the power.
            let (middleLow, low) = shifted.multipliedFullWidth(by: factor.low)
            var high = upper
            let (middle, carry) = lower.addingReportingOverflow(middleLow)
            if carry { high &+= 1 }
            if middle &+ 1 == 0, high & 0x1FF == 0x1FF, low &+ shifted < low { return nil }
            upper = high
            lower = middle
        }
        let upperBit = upper >> 63
        var significand = upper >> (upperBit + 9)
        leadingZeros += Int64(1 ^ upperBit)
        // Exactly halfway between two doubles: round-to-even needs the digits strtod sees.
        if lower == 0, upper & 0x1FF == 0, significand & 3 == 1 { return nil }
        significand += significand & 1
        significand >>= 1
        if significand >= 1 << 53 {
            significand = 1 << 52
            leadingZeros -= 1
        }
        significand &= ~(1 << 52)
        let realExponent = biasedExponent - leadingZeros
        guard realExponent >= 1, realExponent <= 2046 else { return nil }
        let bits = significand | UInt64(realExponent) << 52 | (negative ? 1 << 63 : 0)
        return Double(bitPattern: bits)
    }

    /// 10^0 ... 10^22, each exactly a `Double`.
    static let exactPowersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}
