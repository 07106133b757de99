@testable import ArgoAnalytics
import ArgoCore
import Foundation

/// Indicator series, one value per input bar (nil until enough bars).
enum Series {
    /// Simple moving average of the last `period` values.
    static func sma(_ values: [Double], _ period: Int) -> [Double?] {
        guard period > 0 else { return values.map { _ in nil } }
        var out = [Double?](repeating: nil, count: values.count)
        var sum = 0.0
        for (index, value) in values.enumerated() {
            sum += value
            if index >= period { sum -= values[index - period] }
            if index >= period - 1 { out[index] = sum / Double(period) }
        }
        return out
    }

    /// EMA with α = 2/(period+1), seeded with the SMA of the first `period` values (TA-Lib's default).
    static func ema(_ values: [Double], _ period: Int) -> [Double?] {
        var average = ExponentialAverage(period: period)
        return values.map { value in
            average.add(value)
            return average.value
        }
    }

    /// Wilder's RSI: the first average gain and loss are simple means of the
    /// first `period` changes, then `avg = (avg·(period−1) + x) / period`.
    static func rsi(_ values: [Double], _ period: Int) -> [Double?] {
        var rsi = WilderRSI(period: period)
        var out = [Double?](repeating: nil, count: values.count)
        for index in values.indices.dropFirst() {
            rsi.add(change: values[index] - values[index - 1])
            out[index] = rsi.value
        }
        return out
    }

    /// MACD line (EMA fast − EMA slow), its signal (an EMA of the line seeded with
    /// the SMA of its first `signal` values) and the histogram (line − signal).
    static func macd(_ values: [Double], fast: Int, slow: Int, signal: Int) -> [(Double, Double, Double)?] {
        let fastEMA = ema(values, fast), slowEMA = ema(values, slow)
        let line: [Double?] = zip(fastEMA, slowEMA).map { f, s in f.flatMap { f in s.map { f - $0 } } }
        guard let start = line.firstIndex(where: { $0 != nil }) else { return values.map { _ in nil } }
        let signalSeries = ema(line[start...].map { $0! }, signal)
        var out = [(Double, Double, Double)?](repeating: nil, count: values.count)
        for (offset, value) in signalSeries.enumerated() {
            guard let value, let macd = line[start + offset] else { continue }
            out[start + offset] = (macd, value, macd - value)
        }
        return out
    }

    /// True range of bar `index` (≥ 1): max(h−l, |h−prev c|, |l−prev c|).
    static func trueRange(_ bars: [Bar], _ index: Int) -> Double {
        let bar = bars[index], previous = bars[index - 1].c
        return max(bar.h - bar.l, abs(bar.h - previous), abs(bar.l - previous))
    }

    /// Wilder's ATR: the first value is the mean of the first `period` true
    /// ranges (bars 1…period), then `atr = (atr·(period−1) + tr) / period`.
    static func atr(_ bars: [Bar], _ period: Int) -> [Double?] {
        var out = [Double?](repeating: nil, count: bars.count)
        guard period > 0, bars.count > period else { return out }
        var current = (1...period).map { trueRange(bars, $0) }.reduce(0, +) / Double(period)
        out[period] = current
        for index in (period + 1)..<max(period + 1, bars.count) {
            current = (current * Double(period - 1) + trueRange(bars, index)) / Double(period)
            out[index] = current
        }
        return out
    }

    /// Wilder's ADX (TA-Lib): +DM/−DM and TR summed over the first `period`
    /// bars, then smoothed `s = s − s/period + x`; DX = 100·|+DI − −DI| / (+DI + −DI);
    /// the first ADX is the mean of the first `period` DX values, then Wilder-smoothed.
    static func adx(_ bars: [Bar], _ period: Int) -> [Double?] {
        var out = [Double?](repeating: nil, count: bars.count)
        guard period > 0, bars.count >= 2 * period else { return out }
        func moves(_ index: Int) -> (plus: Double, minus: Double) {
            let up = bars[index].h - bars[index - 1].h
            let down = bars[index - 1].l - bars[index].l
            return (up > down && up > 0 ? up : 0, down > up && down > 0 ? down : 0)
        }
        var plus = 0.0, minus = 0.0, range = 0.0
        for index in 1...period {
            let m = moves(index)
            plus += m.plus
            minus += m.minus
            range += trueRange(bars, index)
        }
        func dx() -> Double {
            guard range > 0 else { return 0 }
            let plusDI = 100 * plus / range, minusDI = 100 * minus / range
            return plusDI + minusDI == 0 ? 0 : 100 * abs(plusDI - minusDI) / (plusDI + minusDI)
        }
        var dxValues = [dx()]
        var adx: Double? = nil
        for index in (period + 1)..<bars.count {
            let m = moves(index)
            plus = plus - plus / Double(period) + m.plus
            minus = minus - minus / Double(period) + m.minus
            range = range - range / Double(period) + trueRange(bars, index)
            let value = dx()
            if let previous = adx {
                adx = (previous * Double(period - 1) + value) / Double(period)
            } else {
                dxValues.append(value)
                if dxValues.count == period { adx = dxValues.reduce(0, +) / Double(period) }
            }
            out[index] = adx
        }
        return out
    }

    /// Bollinger bands of the last `period` closes: (lower, middle, upper) with
    /// population standard deviations.
    static func bollinger(_ values: [Double], _ period: Int, deviations: Double) -> (Double, Double, Double)? {
        guard period > 0, values.count >= period else { return nil }
        let window = values.suffix(period)
        let mean = window.reduce(0, +) / Double(period)
        let variance = window.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(period)
        let spread = deviations * variance.squareRoot()
        return (mean - spread, mean, mean + spread)
    }

    /// Sample standard deviation of the last `period` daily log returns, × √252.
    static func volatility(_ values: [Double], _ period: Int) -> Double? {
        guard period > 1, values.count > period else { return nil }
        let window = Array(values.suffix(period + 1))
        let returns = (1..<window.count).map { log(window[$0] / window[$0 - 1]) }
        let mean = returns.reduce(0, +) / Double(returns.count)
        let variance = returns.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(returns.count - 1)
        return variance.squareRoot() * 252.0.squareRoot()
    }
}
