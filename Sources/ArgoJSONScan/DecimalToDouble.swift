/// A decimal number `mantissa × 10^exponent` as the nearest `Double`, without
/// `strtod`, when Clinger's exact fast path applies: the mantissa and the power
/// of ten are both exact `Double`s, so one correctly rounded multiplication or
/// division gives the correctly rounded result.
///
/// Returns nil otherwise (more than 53 bits of mantissa, such as Yahoo's
/// 17-digit prices, or an exponent beyond ±22); the caller then asks `strtod`.
/// `mantissa` must hold every significant digit, not a truncation.
public enum DecimalToDouble {
    public static func value(mantissa: UInt64, exponent: Int, negative: Bool) -> Double? {
        guard mantissa <= 1 << 53, exponent >= -22, exponent <= 22 else { return nil }
        var value = Double(mantissa)
        value = exponent < 0 ? value / exactPowersOfTen[-exponent] : value * exactPowersOfTen[exponent]
        return negative ? -value : value
    }

    /// 10^0 ... 10^22, each exactly a `Double`.
    static let exactPowersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}
