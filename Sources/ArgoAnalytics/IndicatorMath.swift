import ArgoCore
import Foundation

extension Indicators {
    /// Each indicator at the latest of `bars` (oldest first).
    public init(bars: [Bar]) {
        self.init()
        let closes = bars.map(\.c)
        self.bars = bars.count
        close = closes.last
        // Only the latest values, in one pass each and without a series array (SeriesLatest).
        closes.withUnsafeBufferPointer { closes in
            sma20 = SeriesLatest.sma(closes, 20)
            sma50 = SeriesLatest.sma(closes, 50)
            sma200 = SeriesLatest.sma(closes, 200)
            ema12 = SeriesLatest.ema(closes, 12)
            ema26 = SeriesLatest.ema(closes, 26)
            rsi14 = SeriesLatest.rsi(closes, 14)
            if let (line, signal, hist) = SeriesLatest.macd(closes, fast: 12, slow: 26, signal: 9) {
                macd = line
                macdSignal = signal
                macdHist = hist
            }
            if let band = SeriesLatest.bollinger(closes, 20, deviations: 2) {
                (bbLower, bbMiddle, bbUpper) = band
            }
            volatility20 = SeriesLatest.volatility(closes, 20)
        }
        bars.withUnsafeBufferPointer { bars in
            atr14 = SeriesLatest.atr(bars, 14)
            adx14 = SeriesLatest.adx(bars, 14)
            if bars.count >= 252 {
                // As `max()` and `min()` compare: the first of equal values is kept.
                var high = bars[bars.count - 252].h, low = bars[bars.count - 252].l
                for bar in bars[(bars.count - 251)...] {
                    if high < bar.h { high = bar.h }
                    if bar.l < low { low = bar.l }
                }
                high52w = high
                low52w = low
            }
        }
        if closes.count > 20 { return20d = closes[closes.count - 1] / closes[closes.count - 21] - 1 }
    }
}
