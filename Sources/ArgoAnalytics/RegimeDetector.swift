import ArgoCore
import Foundation

/// Regime detection, in this order:
/// 1. fewer than `minBars` bars → UNKNOWN;
/// 2. CRISIS when the close is ≥ `crisisDrawdown` below the highest close of the
///    last `drawdownWindow` bars **and** the 20-day volatility is both ≥
///    `crisisVolatilityRatio` × the volatility of the 100 bars before them and ≥
///    `crisisVolatilityFloor` — a sudden fall with a volatility spike;
/// 3. BULL when SMA50 ≥ SMA200·(1 + `trendSeparation`), SMA50 rose ≥ `trendSlope`
///    over `slopeWindow` bars and the close is above SMA50; BEAR mirrored;
/// 4. otherwise CHOP (flat, or trend signals that disagree).
public enum RegimeDetector {
    public static func detect(_ bars: [Bar], thresholds t: RegimeThresholds = RegimeThresholds()) -> RegimeReading {
        var reading = RegimeReading(regime: .unknown)
        guard bars.count >= max(t.minBars, 200) else { return reading }
        let closes = bars.map(\.c)
        let close = closes[closes.count - 1]
        let peak = closes.suffix(t.drawdownWindow).max() ?? close
        reading.drawdown = close / peak - 1
        let (recentVol, baseVol, averages) = closes.withUnsafeBufferPointer { closes in
            let before = UnsafeBufferPointer(rebasing: closes.dropLast(20).suffix(101))
            // SMA50 at the latest bar and `slopeWindow` bars before it, SMA200 at the latest bar.
            let earlier = t.slopeWindow >= 0 && t.slopeWindow < closes.count
                ? SeriesLatest.sma(UnsafeBufferPointer(rebasing: closes.dropLast(t.slopeWindow)), 50) : nil
            return (SeriesLatest.volatility(closes, 20), SeriesLatest.volatility(before, 100),
                    (SeriesLatest.sma(closes, 50), SeriesLatest.sma(closes, 200), earlier))
        }
        reading.volatility20 = recentVol
        if let recentVol, let baseVol, baseVol > 0 { reading.volatilityRatio = recentVol / baseVol }
        guard let sma50 = averages.0, let sma200 = averages.1, let sma50Before = averages.2 else { return reading }
        reading.separation = sma50 / sma200 - 1
        reading.slope = sma50 / sma50Before - 1
        if let drawdown = reading.drawdown, drawdown <= -t.crisisDrawdown,
           let ratio = reading.volatilityRatio, ratio >= t.crisisVolatilityRatio,
           let vol = recentVol, vol >= t.crisisVolatilityFloor {
            reading.regime = .crisis
        } else if reading.separation! >= t.trendSeparation, reading.slope! >= t.trendSlope, close > sma50 {
            reading.regime = .bull
        } else if reading.separation! <= -t.trendSeparation, reading.slope! <= -t.trendSlope, close < sma50 {
            reading.regime = .bear
        } else {
            reading.regime = .chop
        }
        return reading
    }
}
