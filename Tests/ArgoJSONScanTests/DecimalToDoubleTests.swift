import ArgoJSONScan
import Foundation
import Testing

@Suite("Decimal to double without strtod")
struct DecimalToDoubleTests {
    @Test("random significands of 1 to 19 digits with exponents −30…30 round exactly as strtod does, or are left to it")
    func matchesStrtod() {
        var random = SeededRandom(seed: 0xD0_0B1E)
        var decided = 0
        let rounds = 200_000
        for round in 0..<rounds {
            let digits = 1 + random.next(19)
            var mantissa: UInt64 = UInt64(1 + random.next(9))
            for _ in 1..<digits { mantissa = mantissa &* 10 &+ UInt64(random.next(10)) }
            let exponent = random.next(61) - 30
            let negative = round % 3 == 0
            let text = (negative ? "-" : "") + "\(mantissa)e\(exponent)"
            guard let value = DecimalToDouble.value(mantissa: mantissa, exponent: exponent, negative: negative) else {
                #expect(mantissa > 1 << 53 || abs(exponent) > 22, "\(mantissa)e\(exponent) fits the fast path")
                continue
            }
            decided += 1
            let expected = strtod(text, nil)
            if value.bitPattern != expected.bitPattern {
                Issue.record("\(text): \(value) (0x\(String(value.bitPattern, radix: 16))), strtod gives \(expected)")
                return
            }
        }
        #expect(decided > rounds / 3, "only \(decided) of \(rounds) decided without strtod")
    }

    @Test("prices as Alpaca sends them, the edges of the fast path, and what it leaves to strtod")
    func knownCases() {
        let cases: [(UInt64, Int)] = [
            (18712, -2), (2345600128173828, -13), (9007199254740992, 0), (9007199254740992, -22), (2, -1), (1, 22),
            (1, -22), (4503599627370497, -1), (0, 0),
        ]
        for (mantissa, exponent) in cases {
            let text = "\(mantissa)e\(exponent)"
            if let value = DecimalToDouble.value(mantissa: mantissa, exponent: exponent, negative: false) {
                #expect(value == strtod(text, nil), "\(text)")
            }
        }
        #expect(DecimalToDouble.value(mantissa: 1, exponent: 23, negative: false) == nil, "10^23 is not exact")
        #expect(DecimalToDouble.value(mantissa: 9007199254740993, exponent: 0, negative: false) == nil, "beyond 2^53")
        #expect(DecimalToDouble.value(mantissa: 1871199951171875, exponent: -13, negative: false) != nil)
        #expect(DecimalToDouble.value(mantissa: 18711999511718750, exponent: -14, negative: false) == nil, "Yahoo: strtod")
        #expect(DecimalToDouble.value(mantissa: 0, exponent: 5, negative: true)?.sign == .minus)
    }
}
