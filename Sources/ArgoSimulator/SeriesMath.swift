/// The few indicator series Alpha Vantage serves, computed over closes (oldest
/// first) with TA-Lib's seeding: EMA seeded with the SMA of its first `period`
/// values, RSI with Wilder smoothing. Each result is aligned to the input; `nil`
/// where the indicator is not yet defined.
enum SeriesMath {
    static func sma(_ values: [Double], _ period: Int) -> [Double?] {
        var out = [Double?](repeating: nil, count: values.count)
        guard period > 0, values.count >= period else { return out }
        var sum = values[0..<period].reduce(0, +)
        out[period - 1] = sum / Double(period)
        for i in period..<values.count {
            sum += values[i] - values[i - period]
            out[i] = sum / Double(period)
        }
        return out
    }

    static func ema(_ values: [Double], _ period: Int) -> [Double?] {
        var out = [Double?](repeating: nil, count: values.count)
        guard period > 0, values.count >= period else { return out }
        let k = 2 / Double(period + 1)
        var current = values[0..<period].reduce(0, +) / Double(period)
        out[period - 1] = current
        for i in period..<values.count {
            current = (values[i] - current) * k + current
            out[i] = current
        }
        return out
    }

    static func rsi(_ values: [Double], _ period: Int) -> [Double?] {
        var out = [Double?](repeating: nil, count: values.count)
        guard period > 0, values.count > period else { return out }
        var gain = 0.0, loss = 0.0
        for i in 1...period {
            let change = values[i] - values[i - 1]
            if change > 0 { gain += change } else { loss -= change }
        }
        gain /= Double(period)
        loss /= Double(period)
        func value() -> Double { loss == 0 ? 100 : 100 - 100 / (1 + gain / loss) }
        out[period] = value()
        for i in (period + 1)..<values.count {
            let change = values[i] - values[i - 1]
            gain = (gain * Double(period - 1) + max(change, 0)) / Double(period)
            loss = (loss * Double(period - 1) + max(-change, 0)) / Double(period)
            out[i] = value()
        }
        return out
    }

    /// MACD line, signal and histogram.
    static func macd(_ values: [Double], fast: Int, slow: Int, signal: Int) -> [(Double, Double, Double)?] {
        let fastEMA = ema(values, fast), slowEMA = ema(values, slow)
        let start = max(fast, slow) - 1
        var out = [(Double, Double, Double)?](repeating: nil, count: values.count)
        guard values.count > start else { return out }
        let line = (start..<values.count).map { fastEMA[$0]! - slowEMA[$0]! }
        let signalLine = ema(line, signal)
        for (offset, value) in line.enumerated() {
            if let s = signalLine[offset] { out[start + offset] = (value, s, value - s) }
        }
        return out
    }
}
