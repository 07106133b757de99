import Synchronization

/// One day's prices, as the simulator's single source of truth; every vendor
/// formats these same numbers its own way.
public struct SimulatedBar: Sendable, Equatable {
    public var day: TradingDay
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Int
    public var trades: Int
    public var vwap: Double
}

/// Deterministic daily bars per symbol, on NYSE trading days only, ending at a
/// configurable "today".
///
/// Prices follow a seeded random walk per symbol (the seed is a hash of the
/// symbol), so a symbol always gets the same series. Scenario symbols have known
/// shapes for tests: `UPTR` rises steadily, `DNTR` falls steadily, `FLAT` is
/// flat and noisy, `CRSH` rises and then falls more than 30% with a volatility
/// spike over its last 20 days. Symbols in ``unlisted`` do not exist.
public final class SimulatedMarket: Sendable {
    /// The last day with a bar (the latest trading day on or before the configured today).
    public let today: TradingDay
    /// How many trading days of history each symbol has.
    public let historyDays: Int
    /// Symbols every vendor answers "not found" (or empty) for.
    public let unlisted: Set<String>

    /// Each symbol's generated history, for the symbols asked about most recently (about 60 kB each).
    private let cache = BoundedCache<[SimulatedBar]>(capacity: 4_096) { _ in 1 }

    public init(today: TradingDay, historyDays: Int = 1_300, unlisted: Set<String> = ["XYZ", "ZZZZ", "NOPE"]) {
        var day = today
        while !day.isTradingDay { day = day.adding(days: -1) }
        self.today = day
        self.historyDays = historyDays
        self.unlisted = unlisted
    }

    /// Whether the symbol exists (1–10 letters, digits, dots or dashes, not unlisted).
    public func isListed(_ symbol: String) -> Bool {
        !symbol.isEmpty && symbol.utf8.count <= 10 && !unlisted.contains(symbol)
            && symbol.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 45 }
    }

    /// All bars of a symbol, oldest first; empty for an unlisted symbol.
    public func bars(_ symbol: String) -> [SimulatedBar] {
        guard isListed(symbol) else { return [] }
        if let cached = cache[symbol] { return cached }
        let generated = generate(symbol)
        cache.insert(generated, for: symbol)
        return generated
    }

    /// Bars of a symbol from `start` through `end`, inclusive.
    public func bars(_ symbol: String, from start: TradingDay, through end: TradingDay) -> ArraySlice<SimulatedBar> {
        let all = bars(symbol)
        let lower = all.partitioningIndex { $0.day >= start }
        let upper = all.partitioningIndex { $0.day > end }
        return lower < upper ? all[lower..<upper] : []
    }

    /// The trading days of the history, oldest first.
    private func tradingDays() -> [TradingDay] {
        var days: [TradingDay] = []
        days.reserveCapacity(historyDays)
        var day = today
        while days.count < historyDays {
            if day.isTradingDay { days.append(day) }
            day = day.adding(days: -1)
        }
        return days.reversed()
    }

    private func generate(_ symbol: String) -> [SimulatedBar] {
        var random = SplitMix64(seed: fnv1a(symbol))
        let days = tradingDays()
        let count = days.count
        var price = 20 + random.nextDouble() * 380
        var bars: [SimulatedBar] = []
        bars.reserveCapacity(count)
        let baseDrift = (random.nextDouble() - 0.45) * 0.0012
        let baseVolatility = 0.010 + random.nextDouble() * 0.015
        for (index, day) in days.enumerated() {
            let fromEnd = count - 1 - index
            var drift = baseDrift
            var volatility = baseVolatility
            switch symbol {
            case "UPTR": drift = 0.0025; volatility = 0.006
            case "DNTR": drift = -0.0025; volatility = 0.006
            case "FLAT": drift = (100 - price) / 100 * 0.2; volatility = 0.012
            case "CRSH":
                if fromEnd < 20 { drift = -0.035; volatility = 0.03 } else { drift = 0.0008; volatility = 0.008 }
            default: break
            }
            let open = price * (1 + random.gaussian() * volatility * 0.3)
            let close = max(1, open * (1 + drift + random.gaussian() * volatility))
            let high = max(open, close) * (1 + abs(random.gaussian()) * volatility * 0.5)
            let low = min(open, close) * (1 - abs(random.gaussian()) * volatility * 0.5)
            let volume = Int(2_000_000 + random.nextDouble() * 60_000_000 * (1 + volatility * 20))
            bars.append(SimulatedBar(
                day: day, open: round4(open), high: round4(high), low: round4(low), close: round4(close),
                volume: volume, trades: volume / 90 + Int(random.nextDouble() * 1_000),
                vwap: round4((high + low + close) / 3)))
            price = close
        }
        return bars
    }
}

/// Prices are kept at 4 decimals, so every vendor's rounding starts from the same value.
func round4(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }

/// FNV-1a, 64 bits: a stable seed from a string.
func fnv1a(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
}

/// A small, fast, seedable generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func nextDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal (Box–Muller).
    mutating func gaussian() -> Double {
        let u = max(nextDouble(), 1e-12)
        return (-2 * _log(u)).squareRoot() * _cos(2 * .pi * nextDouble())
    }
}

extension Collection {
    /// The first index where `belongs` becomes true (the collection is partitioned by it).
    func partitioningIndex(where belongs: (Element) -> Bool) -> Index {
        var low = startIndex
        var count = self.count
        while count > 0 {
            let half = count / 2
            let middle = index(low, offsetBy: half)
            if belongs(self[middle]) { count = half } else { low = index(after: middle); count -= half + 1 }
        }
        return low
    }
}

import Foundation

@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Foundation.cos(x) }
