@testable import ArgoAnalytics
import ArgoCore
import Foundation
import Testing

/// ``Indicators`` computes each value at the latest bar in one pass
/// (``SeriesLatest``); it must give, bit for bit, the last element of the
/// series ``Series`` computes bar by bar.
@Suite("Engine: latest indicators equal the series' last values")
struct LatestIndicatorTests {
    /// The indicators as the last elements of the full series.
    static func reference(_ bars: [Bar]) -> Indicators {
        var ind = Indicators(bars: [])
        let closes = bars.map(\.c)
        ind.bars = bars.count
        ind.close = closes.last
        ind.sma20 = Series.sma(closes, 20).last ?? nil
        ind.sma50 = Series.sma(closes, 50).last ?? nil
        ind.sma200 = Series.sma(closes, 200).last ?? nil
        ind.ema12 = Series.ema(closes, 12).last ?? nil
        ind.ema26 = Series.ema(closes, 26).last ?? nil
        ind.rsi14 = Series.rsi(closes, 14).last ?? nil
        if let last = Series.macd(closes, fast: 12, slow: 26, signal: 9).last, let (line, signal, hist) = last {
            (ind.macd, ind.macdSignal, ind.macdHist) = (line, signal, hist)
        }
        ind.atr14 = Series.atr(bars, 14).last ?? nil
        ind.adx14 = Series.adx(bars, 14).last ?? nil
        if let band = Series.bollinger(closes, 20, deviations: 2) { (ind.bbLower, ind.bbMiddle, ind.bbUpper) = band }
        ind.volatility20 = Series.volatility(closes, 20)
        if closes.count > 20 { ind.return20d = closes[closes.count - 1] / closes[closes.count - 21] - 1 }
        if bars.count >= 252 {
            ind.high52w = bars.suffix(252).map(\.h).max()
            ind.low52w = bars.suffix(252).map(\.l).min()
        }
        return ind
    }

    /// A random walk of `count` bars from `seed` (xorshift64*: the same bars on every run).
    static func walk(_ count: Int, seed: UInt64) -> [Bar] {
        var state = seed | 1
        func next() -> Double {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Double((state &* 2_685_821_657_736_338_717) >> 11) / Double(1 << 53)
        }
        var close = 50 + 100 * next()
        return (0..<count).map { day in
            let open = close
            close *= 1 + (next() - 0.5) * 0.06
            let high = max(open, close) * (1 + next() * 0.02), low = min(open, close) * (1 - next() * 0.02)
            return Bar(t: Int64(day) * 86_400, o: open, h: high, l: low, c: close, v: (next() * 1e7).rounded())
        }
    }

    static func bits(_ value: Double?) -> UInt64? { value?.bitPattern }

    static func fields(_ ind: Indicators) -> [UInt64?] {
        [ind.close, ind.sma20, ind.sma50, ind.sma200, ind.ema12, ind.ema26, ind.rsi14, ind.macd, ind.macdSignal, ind.macdHist,
         ind.atr14, ind.adx14, ind.bbUpper, ind.bbMiddle, ind.bbLower, ind.volatility20, ind.return20d, ind.high52w, ind.low52w]
            .map(bits) + [UInt64(ind.bars)]
    }

    @Test("every length from 0 to 300 bars, and a year and a half, on random walks", arguments: [1, 2, 3])
    func randomWalks(seed: UInt64) async {
        for count in Array(0...300) + [378, 520] {
            await Task.yield()  // let the suites' network tests run between the lengths
            let bars = Self.walk(count, seed: seed &* 7919 &+ UInt64(count))
            let fast = Indicators(bars: bars), slow = Self.reference(bars)
            #expect(Self.fields(fast) == Self.fields(slow), "\(count) bars, seed \(seed)")
        }
    }

    @Test("flat prices, gaps and equal highs: the edge cases of RSI, ADX and the 52-week range")
    func flatAndEqual() {
        let flat = (0..<260).map { Bar(t: Int64($0), o: 10, h: 10, l: 10, c: 10, v: 0) }
        #expect(Self.fields(Indicators(bars: flat)) == Self.fields(Self.reference(flat)))
        #expect(Indicators(bars: flat).rsi14 == 50 && Indicators(bars: flat).adx14 == 0)
        var steps = Self.walk(260, seed: 9)
        for index in stride(from: 0, to: steps.count, by: 3) { steps[index].h = steps[index].c; steps[index].l = steps[index].c }
        #expect(Self.fields(Indicators(bars: steps)) == Self.fields(Self.reference(steps)))
    }

    @Test("regime detection's averages and volatilities equal the series' values", arguments: [4, 5])
    func regimeMeasurements(seed: UInt64) async {
        let t = RegimeThresholds()
        for count in stride(from: 200, through: 520, by: 8) {
            await Task.yield()
            let bars = Self.walk(count, seed: seed &* 104_729 &+ UInt64(count))
            let reading = RegimeDetector.detect(bars, thresholds: t)
            let closes = bars.map(\.c)
            let sma50 = Series.sma(closes, 50), sma200 = Series.sma(closes, 200).last!!
            let recent = Series.volatility(closes, 20)!, base = Series.volatility(Array(closes.dropLast(20).suffix(101)), 100)!
            #expect(Self.bits(reading.separation) == (sma50.last!! / sma200 - 1).bitPattern, "\(count) bars")
            #expect(Self.bits(reading.slope) == (sma50.last!! / sma50[count - 1 - t.slopeWindow]! - 1).bitPattern, "\(count) bars")
            #expect(Self.bits(reading.volatility20) == recent.bitPattern && Self.bits(reading.volatilityRatio) == (recent / base).bitPattern)
        }
    }
}
