import Foundation
import Testing
@testable import ArgoSimulator

@Suite("Simulator: number formatting")
struct FormatTests {
    @Test("the fast formatter prints what %.Nf prints, for prices, indicators and signs")
    func matchesPrintf() {
        var random = SplitMix64(seed: 7)
        var mismatches: [String] = []
        for index in 0..<20_000 {
            let magnitude = [1.0, 100.0, 10_000.0, 1e6][index % 4]
            let value = (random.nextDouble() * 2 - 1) * magnitude
            for decimals in [0, 2, 4] where format(value, decimals: decimals) != String(format: "%.\(decimals)f", value) {
                mismatches.append("\(value) with \(decimals): \(format(value, decimals: decimals)) vs \(String(format: "%.\(decimals)f", value))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        #expect(format(-0.00001, decimals: 4) == "-0.0000")
        #expect(format(166.5, decimals: 4) == "166.5000")
        #expect(format(.infinity, decimals: 2) == "inf")
        #expect(format(2e12, decimals: 1) == "2000000000000.0")
    }
}
