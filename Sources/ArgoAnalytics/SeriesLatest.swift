import ArgoCore
import Foundation

/// The latest value of each indicator, in one pass and without an array per
/// series: ``Indicators`` needs only the value at the latest bar.
///
/// The tests hold a reference implementation that computes every series in
/// full (`Series`, in ArgoAnalyticsTests); each function here does the same
/// arithmetic in the same order, so its value is bit for bit the series' last.
enum SeriesLatest {
    /// `Series.sma(values, period).last`.
    static func sma(_ values: UnsafeBufferPointer<Double>, _ period: Int) -> Double? {
        guard period > 0, values.count >= period else { return nil }
        var sum = 0.0
        for index in values.indices {
            sum += values[index]
            if index >= period { sum -= values[index - period] }
        }
        return sum / Double(period)
    }

    /// `Series.ema(values, period).last`.
    static func ema(_ values: UnsafeBufferPointer<Double>, _ period: Int) -> Double? {
        guard period > 0, values.count >= period else { return nil }
        var average = ExponentialAverage(period: period)
        for value in values { average.add(value) }
        return average.value
    }

    /// `Series.rsi(values, period).last`.
    static func rsi(_ values: UnsafeBufferPointer<Double>, _ period: Int) -> Double? {
        var rsi = WilderRSI(period: period)
        for index in values.indices.dropFirst() { rsi.add(change: values[index] - values[index - 1]) }
        return rsi.value
    }

    /// `Series.macd(values, fast:, slow:, signal:).last`: line, signal, histogram.
    static func macd(_ values: UnsafeBufferPointer<Double>, fast: Int, slow: Int, signal: Int) -> (Double, Double, Double)? {
        guard fast > 0, slow > 0, signal > 0 else { return nil }
        var fastAverage = ExponentialAverage(period: fast), slowAverage = ExponentialAverage(period: slow)
        var signalAverage = ExponentialAverage(period: signal)
        var line = 0.0
        for value in values {
            fastAverage.add(value)
            slowAverage.add(value)
            if let f = fastAverage.value, let s = slowAverage.value {
                line = f - s
                signalAverage.add(line)
            }
        }
        guard let signalValue = signalAverage.value else { return nil }
        return (line, signalValue, line - signalValue)
    }

    /// `Series.atr(bars, period).last`.
    static func atr(_ bars: UnsafeBufferPointer<Bar>, _ period: Int) -> Double? {
        guard period > 0, bars.count > period else { return nil }
        var sum = 0.0
        for index in 1...period { sum += trueRange(bars, index) }
        var current = sum / Double(period)
        for index in (period + 1)..<max(period + 1, bars.count) {
            current = (current * Double(period - 1) + trueRange(bars, index)) / Double(period)
        }
        return current
    }

    /// `Series.adx(bars, period).last`.
    static func adx(_ bars: UnsafeBufferPointer<Bar>, _ period: Int) -> Double? {
        guard period > 0, bars.count >= 2 * period else { return nil }
        var plus = 0.0, minus = 0.0, range = 0.0
        for index in 1...period {
            let (up, down) = moves(bars, index)
            plus += up
            minus += down
            range += trueRange(bars, index)
        }
        func dx() -> Double {
            guard range > 0 else { return 0 }
            let plusDI = 100 * plus / range, minusDI = 100 * minus / range
            return plusDI + minusDI == 0 ? 0 : 100 * abs(plusDI - minusDI) / (plusDI + minusDI)
        }
        // The first ADX is the mean of the first `period` DX values (the first from the sums above).
        var dxSum = 0.0 + dx()
        var dxCount = 1
        var adx: Double? = nil
        for index in (period + 1)..<bars.count {
            let (up, down) = moves(bars, index)
            plus = plus - plus / Double(period) + up
            minus = minus - minus / Double(period) + down
            range = range - range / Double(period) + trueRange(bars, index)
            let value = dx()
            if let previous = adx {
                adx = (previous * Double(period - 1) + value) / Double(period)
            } else {
                dxSum += value
                dxCount += 1
                if dxCount == period { adx = dxSum / Double(period) }
            }
        }
        return adx
    }

    /// `Series.bollinger(values, period, deviations:)`.
    static func bollinger(_ values: UnsafeBufferPointer<Double>, _ period: Int, deviations: Double) -> (Double, Double, Double)? {
        guard period > 0, values.count >= period else { return nil }
        let window = UnsafeBufferPointer(rebasing: values[(values.count - period)...])
        var sum = 0.0
        for value in window { sum += value }
        let mean = sum / Double(period)
        var squares = 0.0
        for value in window { squares += (value - mean) * (value - mean) }
        let spread = deviations * (squares / Double(period)).squareRoot()
        return (mean - spread, mean, mean + spread)
    }

    /// `Series.volatility(values, period)`.
    static func volatility(_ values: UnsafeBufferPointer<Double>, _ period: Int) -> Double? {
        guard period > 1, values.count > period else { return nil }
        let first = values.count - period  // the window is values[first - 1 ..< count]
        var sum = 0.0
        for index in first..<values.count { sum += log(values[index] / values[index - 1]) }
        let mean = sum / Double(period)
        var squares = 0.0
        for index in first..<values.count {
            let change = log(values[index] / values[index - 1])
            squares += (change - mean) * (change - mean)
        }
        return (squares / Double(period - 1)).squareRoot() * 252.0.squareRoot()
    }

    /// Directional movement of bar `index` (≥ 1), as `Series.adx` counts it.
    @inline(__always)
    private static func moves(_ bars: UnsafeBufferPointer<Bar>, _ index: Int) -> (plus: Double, minus: Double) {
        let up = bars[index].h - bars[index - 1].h
        let down = bars[index - 1].l - bars[index].l
        return (up > down && up > 0 ? up : 0, down > up && down > 0 ? down : 0)
    }

    /// `Series.trueRange` on a buffer.
    @inline(__always)
    private static func trueRange(_ bars: UnsafeBufferPointer<Bar>, _ index: Int) -> Double {
        let bar = bars[index], previous = bars[index - 1].c
        return max(bar.h - bar.l, abs(bar.h - previous), abs(bar.l - previous))
    }
}

/// An EMA fed one value at a time, as `Series.ema` computes it: nil
/// until `period` values, then seeded with their mean, then `+= α·(x − ema)`.
struct ExponentialAverage {
    let period: Int
    let alpha: Double
    private var count = 0
    private var sum = 0.0
    private(set) var value: Double?

    init(period: Int) {
        self.period = period
        alpha = 2.0 / Double(period + 1)
    }

    @inline(__always)
    mutating func add(_ x: Double) {
        if let current = value {
            value = current + alpha * (x - current)
            return
        }
        sum += x
        count += 1
        if count == period { value = sum / Double(period) }
    }
}

/// Wilder's RSI fed one change at a time, as `Series.rsi` computes it:
/// nil until `period` changes, then from the simple means of the gains and the
/// losses so far, then Wilder-smoothed: `avg = (avg·(period−1) + x) / period`.
struct WilderRSI {
    let period: Int
    private var count = 0
    private var gain = 0.0
    private var loss = 0.0
    private(set) var value: Double?

    init(period: Int) { self.period = period }

    @inline(__always)
    mutating func add(change: Double) {
        guard period > 0 else { return }
        count += 1
        if count > period {
            gain = (gain * Double(period - 1) + max(change, 0)) / Double(period)
            loss = (loss * Double(period - 1) + max(-change, 0)) / Double(period)
        } else {
            if change > 0 { gain += change } else { loss -= change }
            guard count == period else { return }
            gain /= Double(period)
            loss /= Double(period)
        }
        value = loss == 0 ? (gain == 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss)
    }
}
