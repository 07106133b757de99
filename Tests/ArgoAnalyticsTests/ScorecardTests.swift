import ArgoAnalytics
import ArgoCore
import Testing

@Suite("Scorecard: the figures are right where the answer is known by construction")
struct ScorecardTests {
    /// Returns that are never zero, from a fixed seed.
    static func returns(_ count: Int, seed: UInt64) -> [Double] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let unit = Double(state >> 11) / Double(1 << 53)
            return (unit - 0.5) / 10 + (unit < 0.5 ? -0.0001 : 0.0001)
        }
    }

    @Test("a source that is always right scores a hit rate of 1 and an IC of 1")
    func alwaysRight() {
        // The direction has the return's sign, the confidence grows with its size: ranks agree exactly.
        let observations = Self.returns(500, seed: 7).map { r in
            ScoredObservation(direction: r > 0 ? .long : .short, confidence: min(1, abs(r) * 10), forwardReturn: r)
        }
        let score = Scorecard.score(observations)
        #expect(score.hitRate == 1)
        #expect(score.ic == 1)
        #expect(score.icT == nil, "|ic| = 1 has no t")
        #expect(score.observations == 500 && score.directional == 500 && score.abstainRate == 0)
        #expect((score.meanReturnLong ?? 0) > 0 && (score.meanReturnShort ?? 0) < 0)
    }

    @Test("a source that is always wrong scores a hit rate of 0 and an IC of −1")
    func alwaysWrong() {
        let observations = Self.returns(500, seed: 11).map { r in
            ScoredObservation(direction: r > 0 ? .short : .long, confidence: min(1, abs(r) * 10), forwardReturn: r)
        }
        let score = Scorecard.score(observations)
        #expect(score.hitRate == 0)
        #expect(score.ic == -1)
        #expect(score.brier.map { $0 > 0 } == true)
    }

    @Test("a coin flip's 95% interval covers 0.5")
    func coinFlip() {
        let returns = Self.returns(2_000, seed: 3)
        let coins = Self.returns(2_000, seed: 99)
        let observations = zip(returns, coins).map { r, coin in
            ScoredObservation(direction: coin > 0 ? .long : .short, confidence: 0.5, forwardReturn: r)
        }
        let score = Scorecard.score(observations)
        let interval = try! #require(score.hitRateInterval)
        #expect(interval.low < 0.5 && 0.5 < interval.high, "\(interval)")
        #expect(abs(score.ic ?? 1) < 0.1)
        #expect(score.brier == 0.25, "a constant 0.5 scores 0.25 whatever happens")
    }

    @Test("Spearman with ties, worked by hand: x 1,2,2,3 against y 1,3,2,4 is 4.5 / √22.5")
    func spearmanTies() {
        #expect(Scorecard.averageRanks([1, 2, 2, 3]) == [1, 2.5, 2.5, 4])
        #expect(Scorecard.averageRanks([5, 5, 5]) == [2, 2, 2])
        let rho = try! #require(Scorecard.spearman([1, 2, 2, 3], [1, 3, 2, 4]))
        #expect(abs(rho - 4.5 / 22.5.squareRoot()) < 1e-12)
        #expect(Scorecard.spearman([1, 1, 1], [1, 2, 3]) == nil, "a constant side")
        #expect(Scorecard.spearman([1, 2], [1, 2]) == nil, "fewer than 3")
    }

    @Test("the Wilson interval at n = 0, 1 and 10")
    func wilson() {
        #expect(Scorecard.wilson(successes: 0, trials: 0) == nil)
        let one = try! #require(Scorecard.wilson(successes: 1, trials: 1))
        #expect(abs(one.low - 0.206549) < 1e-5 && one.high == 1)
        let none = try! #require(Scorecard.wilson(successes: 0, trials: 1))
        #expect(none.low == 0 && abs(none.high - 0.793451) < 1e-5)
        let ten = try! #require(Scorecard.wilson(successes: 7, trials: 10))
        #expect(abs(ten.low - 0.396778) < 1e-5 && abs(ten.high - 0.892209) < 1e-5, "\(ten)")
    }

    @Test("nothing to stand on is nil: no observations, only NEUTRALs, a zero return is a miss")
    func edges() {
        let empty = Scorecard.score([])
        #expect(empty.observations == 0 && empty.abstainRate == nil && empty.hitRate == nil && empty.ic == nil && empty.brier == nil)
        let neutral = Scorecard.score([ScoredObservation(direction: .neutral, confidence: 0.3, forwardReturn: 0.01)])
        #expect(neutral.abstainRate == 1 && neutral.hitRate == nil && neutral.hitRateInterval == nil && neutral.meanReturnLong == nil)
        let flat = Scorecard.score([ScoredObservation(direction: .long, confidence: 0.8, forwardReturn: 0)])
        #expect(flat.hitRate == 0)
        #expect(abs((flat.brier ?? 0) - 0.64) < 1e-12)
    }
}
