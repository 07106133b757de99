import ArgoJSONScan
import Foundation
import Testing

@Suite("Decimal to double without strtod")
struct DecimalToDoubleTests {
    @Test("random significands of 1 to 19 digits with exponents −60…60 round exactly as strtod does; few are left to it")
    func matchesStrtod() {
        var random = SeededRandom(seed: 0xD0_0B1E)
        var undecided = 0
        let rounds = 200_000
        for round in 0..<rounds {
            let digits = 1 + random.next(19)
            var mantissa: UInt64 = UInt64(1 + random.next(9))
            for _ in 1..<digits { mantissa = mantissa &* 10 &+ UInt64(random.next(10)) }
            let exponent = random.next(121) - 60
            let negative = round % 3 == 0
            let text = (negative ? "-" : "") + "\(mantissa)e\(exponent)"
            guard let value = DecimalToDouble.value(mantissa: mantissa, exponent: exponent, negative: negative) else {
                undecided += 1
                continue
            }
            let expected = strtod(text, nil)
            if value.bitPattern != expected.bitPattern {
                Issue.record("\(text): \(value) (0x\(String(value.bitPattern, radix: 16))), strtod gives \(expected)")
                return
            }
        }
        #expect(undecided < rounds / 100, "\(undecided) of \(rounds) left to strtod")
    }

    @Test("prices as Yahoo sends them (float32 widened to 17 digits), halfway cases, and the edges of the table")
    func knownCases() {
        let cases: [(UInt64, Int)] = [
            (1871199951171875, -13), (2345600128173828, -13), (99999999999999999, -17), (17976931348623157, 292),
            (9007199254740993, 0), (9007199254740992, 0), (2, -1), (1, 22), (1, 23), (123456789012345678, -96),
            (18446744073709551615, 0), (18446744073709551615, -19), (4503599627370497, -1), (1, -96), (1, 96),
        ]
        for (mantissa, exponent) in cases {
            let text = "\(mantissa)e\(exponent)"
            if let value = DecimalToDouble.value(mantissa: mantissa, exponent: exponent, negative: false) {
                #expect(value == strtod(text, nil), "\(text)")
            }
        }
        #expect(DecimalToDouble.value(mantissa: 1, exponent: 400, negative: false) == nil, "past the table: strtod decides")
        #expect(DecimalToDouble.value(mantissa: 0, exponent: 5, negative: true)?.sign == .minus)
    }
}
