@testable import ArgoAnalytics
import ArgoCore
import Foundation
import Testing

/// References are derived by hand on short series (the arithmetic is written
/// beside each), so they do not depend on this code or on another library.
@Suite("Engine: indicators")
struct IndicatorTests {
    static func bar(_ h: Double, _ l: Double, _ c: Double) -> Bar { Bar(t: 0, o: c, h: h, l: l, c: c, v: 0) }

    @Test("SMA and EMA (seeded with the SMA of the first N)")
    func movingAverages() {
        // SMA3 of 1…5: (1+2+3)/3 = 2, (2+3+4)/3 = 3, (3+4+5)/3 = 4.
        #expect(Series.sma([1, 2, 3, 4, 5], 3) == [nil, nil, 2, 3, 4])
        // EMA3: α = 2/4 = 0.5; seed = SMA3 = 2; then 2 + 0.5·(4−2) = 3; 3 + 0.5·(8−3) = 5.5.
        #expect(Series.ema([1, 2, 3, 4, 8], 3) == [nil, nil, 2, 3, 5.5])
    }

    @Test("RSI with Wilder smoothing")
    func rsi() {
        // Period 2, closes 10, 11, 10, 12, 11.
        // Changes +1, −1, +2, −1. First averages: gain (1+0)/2 = 0.5, loss (0+1)/2 = 0.5 → RSI 50.
        // Next: gain (0.5·1 + 2)/2 = 1.25, loss (0.5·1 + 0)/2 = 0.25 → RS 5 → 100 − 100/6 = 83.333…
        // Next: gain (1.25 + 0)/2 = 0.625, loss (0.25 + 1)/2 = 0.625 → RS 1 → 50.
        let values = Series.rsi([10, 11, 10, 12, 11], 2)
        #expect(values[0] == nil && values[1] == nil)
        #expect(values[2] == 50)
        #expect(abs(values[3]! - (100 - 100.0 / 6)) < 1e-12)
        #expect(abs(values[4]! - 50) < 1e-12)
        // Only gains: RSI 100.
        #expect(Series.rsi([1, 2, 3, 4], 2).last == 100)
    }

    @Test("ATR with Wilder smoothing")
    func atr() {
        // Bars (h, l, c): (10, 8, 9), (11, 9, 10), (12, 9, 11), (11, 7, 8).
        // TR1 = max(11−9, |11−9|, |9−9|) = 2; TR2 = max(3, |12−10|, |9−10|) = 3; TR3 = max(4, |11−11|, |7−11|) = 4.
        // Period 2: ATR at bar 2 = (2+3)/2 = 2.5; at bar 3 = (2.5·1 + 4)/2 = 3.25.
        let bars = [Self.bar(10, 8, 9), Self.bar(11, 9, 10), Self.bar(12, 9, 11), Self.bar(11, 7, 8)]
        #expect(Series.atr(bars, 2) == [nil, nil, 2.5, 3.25])
    }

    @Test("ADX: DM, Wilder sums, DX, then the mean of the first DX values")
    func adx() {
        // Period 2. Bars (h, l, c): b0 (10, 8, 9), b1 (12, 9, 11), b2 (13, 10, 12), b3 (12, 8, 9), b4 (14, 9, 13).
        // b1: up 2, down −1 → +DM 2, −DM 0; TR max(3, 3, 0) = 3.
        // b2: up 1, down −1 → +DM 1, −DM 0; TR max(3, 2, 1) = 3.
        // Sums over b1…b2: +DM 3, −DM 0, TR 6 → +DI 50, −DI 0 → DX 100 (at b2).
        // b3: up −1, down 2 → +DM 0, −DM 2; TR max(4, 0, 4) = 4.
        //   +DM 3 − 1.5 + 0 = 1.5; −DM 0 − 0 + 2 = 2; TR 6 − 3 + 4 = 7 → +DI 21.43, −DI 28.57 → DX 100·0.5/3.5 = 14.2857.
        //   ADX at b3 = (100 + 14.2857)/2 = 57.142857.
        // b4: up 2, down −1 → +DM 2, −DM 0; TR max(5, 5, 0) = 5.
        //   +DM 0.75 + 2 = 2.75; −DM 1 + 0 = 1; TR 3.5 + 5 = 8.5 → DX 100·1.75/3.75 = 46.6667.
        //   ADX at b4 = (57.142857·1 + 46.6667)/2 = 51.904762.
        let bars = [Self.bar(10, 8, 9), Self.bar(12, 9, 11), Self.bar(13, 10, 12), Self.bar(12, 8, 9), Self.bar(14, 9, 13)]
        let adx = Series.adx(bars, 2)
        #expect(adx[0] == nil && adx[1] == nil && adx[2] == nil)
        #expect(abs(adx[3]! - 400.0 / 7) < 1e-9)
        #expect(abs(adx[4]! - (400.0 / 7 + 140.0 / 3) / 2) < 1e-9)
    }

    @Test("MACD: line, signal seeded with the SMA of the first line values, histogram")
    func macd() {
        // fast 2, slow 3, signal 2 on closes 1, 2, 4, 8, 16.
        // EMA2 (α 2/3): seed (1+2)/2 = 1.5; 1.5 + 2/3·2.5 = 3.1667; 3.1667 + 2/3·4.8333 = 6.3889; 6.3889 + 2/3·9.6111 = 12.7963.
        // EMA3 (α 1/2): seed (1+2+4)/3 = 2.3333; 2.3333 + 0.5·5.6667 = 5.1667; 5.1667 + 0.5·10.8333 = 10.5833.
        // Line from index 2: 3.1667−2.3333 = 0.8333; 6.3889−5.1667 = 1.2222; 12.7963−10.5833 = 2.2130.
        // Signal EMA2 of the line: seed (0.8333+1.2222)/2 = 1.0278 at index 3; 1.0278 + 2/3·(2.2130−1.0278) = 1.8179.
        let macd = Series.macd([1, 2, 4, 8, 16], fast: 2, slow: 3, signal: 2)
        #expect(macd[2] == nil)
        let (line, signal, hist) = macd[4]!
        #expect(abs(line - (12.796296296 - 10.583333333)) < 1e-6)
        #expect(abs(signal - 1.817901234) < 1e-6)
        #expect(abs(hist - (line - signal)) < 1e-12)
    }

    @Test("Bollinger (population σ), volatility (sample σ of log returns ×√252), 20-day return, 52-week range")
    func bandsAndVolatility() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population σ 2 (the textbook example) → bands 1 and 9 at 2σ.
        let band = Series.bollinger([2, 4, 4, 4, 5, 5, 7, 9], 8, deviations: 2)!
        #expect(band == (1, 5, 9))
        // Log returns of 100, 110, 99: r1 = ln 1.1, r2 = ln 0.9. With two values the sample σ is
        // |r1 − r2|/√2 = ln(1.1/0.9)/√2 = 0.2006707/1.4142136 = 0.1418965; ×√252 = 2.2525.
        #expect(abs(Series.volatility([100, 110, 99], 2)! - log(1.1 / 0.9) / 2.0.squareRoot() * 252.0.squareRoot()) < 1e-12)
        let bars = (0..<260).map { Bar(t: Int64($0) * 86_400, o: 1, h: Double($0) + 2, l: Double($0), c: Double($0) + 1, v: 1) }
        let ind = Indicators(bars: bars)
        #expect(ind.return20d == 260.0 / 240.0 - 1)  // close 260 against close 240
        #expect(ind.high52w == 261 && ind.low52w == 8)  // bars 8…259
        #expect(ind.sma200 != nil && ind.bars == 260)
        #expect(Indicators(bars: Array(bars.prefix(30))).sma50 == nil, "not enough bars: nil")
    }

    @Test("bar timestamps: RFC 3339, epoch seconds and epoch milliseconds agree on the date")
    func timestamps() {
        let alpaca = Bar.timestamp("2026-11-23T05:00:00Z")!
        let massive = Bar.timestamp(Int64(1_763_874_000_000))!
        let yahoo = Bar.timestamp(Int64(1_763_908_200))!
        #expect(Bar(t: alpaca, o: 0, h: 0, l: 0, c: 0, v: 0).date == "2026-11-23")
        #expect(Bar(t: massive, o: 0, h: 0, l: 0, c: 0, v: 0).date == "2025-11-23")
        #expect(Bar(t: yahoo, o: 0, h: 0, l: 0, c: 0, v: 0).date == "2025-11-23")
        // 2026-11-23T05:00:00Z: 56·365 + 14 leap days = 20 454 days to 2026-01-01, + 326 (Jan–Oct 304, + 22) = 20 780; × 86 400 + 5 h.
        #expect(alpaca == 20_780 * 86_400 + 5 * 3600)
        #expect(Bar.timestamp("2026-11-23T05:00:00.123456789Z") == alpaca)
        #expect(Bar.timestamp("2026-11-23T00:00:00-05:00") == alpaca)
        #expect(Bar.timestamp("2026-11-23") == Int64(20_780 * 86_400))
        #expect(Bar.timestamp("2026-13-23") == nil && Bar.timestamp("yesterday") == nil)
        #expect(Bar.timestamp(1e300) == nil, "a hostile plugin's number is no timestamp, and no crash")
    }
}
