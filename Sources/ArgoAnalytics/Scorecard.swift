import ArgoCore
import Foundation

/// One signal with what happened next: its direction and confidence, and the
/// forward return `close(d+h) / close(d) − 1` at one horizon.
public struct ScoredObservation: Sendable, Equatable {
    public var direction: Direction
    public var confidence: Double
    public var forwardReturn: Double

    public init(direction: Direction, confidence: Double, forwardReturn: Double) {
        self.direction = direction
        self.confidence = confidence
        self.forwardReturn = forwardReturn
    }

    /// `+confidence` for LONG, `−confidence` for SHORT, 0 for NEUTRAL.
    public var signedScore: Double { confidence * direction.sign }

    /// Whether a LONG or SHORT was right: the return has its sign (a zero return is a miss); nil for NEUTRAL.
    public var hit: Bool? {
        switch direction {
        case .long: forwardReturn > 0
        case .short: forwardReturn < 0
        case .neutral: nil
        }
    }
}

/// The figures of section 7 of the contract for one set of observations
/// (one source, horizon and regime). Every figure that has nothing to stand
/// on is nil, never a made-up zero.
public struct Score: Sendable, Equatable {
    public var observations: Int
    public var directional: Int
    /// NEUTRAL ÷ observations.
    public var abstainRate: Double?
    /// Among directional signals, the share that had the return's sign.
    public var hitRate: Double?
    /// The 95% Wilson score interval of ``hitRate``.
    public var hitRateInterval: (low: Double, high: Double)?
    public var meanReturnLong: Double?
    public var meanReturnShort: Double?
    /// Spearman's rank correlation of the signed score against the forward return.
    public var ic: Double?
    /// `ic × sqrt((n − 2) / (1 − ic²))`.
    public var icT: Double?
    /// The mean of `(confidence − hit)²` over directional signals.
    public var brier: Double?

    public static func == (a: Score, b: Score) -> Bool {
        a.observations == b.observations && a.directional == b.directional && a.abstainRate == b.abstainRate && a.hitRate == b.hitRate
            && a.hitRateInterval?.low == b.hitRateInterval?.low && a.hitRateInterval?.high == b.hitRateInterval?.high
            && a.meanReturnLong == b.meanReturnLong && a.meanReturnShort == b.meanReturnShort && a.ic == b.ic && a.icT == b.icT
            && a.brier == b.brier
    }
}

/// The scorecard's arithmetic, with the contract's definitions (section 7).
public enum Scorecard {
    /// z for a two-sided 95% interval.
    public static let z95 = 1.959964

    public static func score(_ observations: [ScoredObservation]) -> Score {
        let n = observations.count
        let directional = observations.filter { $0.direction != .neutral }
        let hits = directional.filter { $0.hit == true }.count
        let longs = observations.filter { $0.direction == .long }.map(\.forwardReturn)
        let shorts = observations.filter { $0.direction == .short }.map(\.forwardReturn)
        let ic = spearman(observations.map(\.signedScore), observations.map(\.forwardReturn))
        return Score(
            observations: n, directional: directional.count,
            abstainRate: n == 0 ? nil : Double(n - directional.count) / Double(n),
            hitRate: directional.isEmpty ? nil : Double(hits) / Double(directional.count),
            hitRateInterval: wilson(successes: hits, trials: directional.count),
            meanReturnLong: mean(longs), meanReturnShort: mean(shorts),
            ic: ic, icT: ic.flatMap { tStatistic(ic: $0, n: n) },
            brier: directional.isEmpty ? nil : directional.map { pow($0.confidence - ($0.hit == true ? 1 : 0), 2) }.reduce(0, +) / Double(directional.count))
    }

    /// The Wilson score interval for `successes` of `trials` at `z`; nil when there are no trials.
    public static func wilson(successes: Int, trials: Int, z: Double = z95) -> (low: Double, high: Double)? {
        guard trials > 0 else { return nil }
        let n = Double(trials), p = Double(successes) / n, z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z * ((p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()) / (1 + z2 / n)
        return (max(0, centre - half), min(1, centre + half))
    }

    /// Spearman's rank correlation, ties ranked by their average rank; nil when
    /// either side is constant or there are fewer than 3 pairs.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count == y.count, x.count >= 3 else { return nil }
        return pearson(averageRanks(x), averageRanks(y))
    }

    /// 1-based ranks, a tie's members each given the mean of the ranks they span.
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = rank }
            start = end + 1
        }
        return ranks
    }

    /// Pearson's correlation; nil when either side has no variance.
    static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        let n = Double(x.count)
        let meanX = x.reduce(0, +) / n, meanY = y.reduce(0, +) / n
        var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
        for (a, b) in zip(x, y) {
            covariance += (a - meanX) * (b - meanY)
            varianceX += (a - meanX) * (a - meanX)
            varianceY += (b - meanY) * (b - meanY)
        }
        guard varianceX > 0, varianceY > 0 else { return nil }
        return max(-1, min(1, covariance / (varianceX * varianceY).squareRoot()))
    }

    /// `ic × sqrt((n − 2) / (1 − ic²))`; nil when |ic| is 1.
    static func tStatistic(ic: Double, n: Int) -> Double? {
        guard abs(ic) < 1, n > 2 else { return nil }
        return ic * (Double(n - 2) / (1 - ic * ic)).squareRoot()
    }

    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}
