@testable import ArgoAnalytics
import ArgoCore
import ArgoSimulator
import Testing

@Suite("Engine: regime detection on the simulator's shaped series")
struct RegimeTests {
    static let market = SimulatedMarket(today: TradingDay(year: 2026, month: 11, day: 24))

    static func bars(_ symbol: String, last count: Int = 300) -> [Bar] {
        market.bars(symbol).suffix(count).map {
            Bar(t: Int64($0.day.daysSinceEpoch) * 86_400, o: $0.open, h: $0.high, l: $0.low, c: $0.close, v: Double($0.volume))
        }
    }

    @Test("a steady rise is BULL, a steady fall BEAR, flat noise CHOP, a crash CRISIS", arguments: [
        ("UPTR", Regime.bull), ("DNTR", .bear), ("FLAT", .chop), ("CRSH", .crisis),
    ])
    func shapes(symbol: String, expected: Regime) {
        let reading = RegimeDetector.detect(Self.bars(symbol))
        #expect(reading.regime == expected, "\(symbol): \(reading.summary)")
    }

    @Test("fewer than 200 bars is UNKNOWN")
    func unknown() {
        #expect(RegimeDetector.detect(Self.bars("UPTR", last: 199)).regime == .unknown)
        #expect(RegimeDetector.detect(Self.bars("UPTR", last: 200)).regime == .bull)
    }

    @Test("the crash needs both the fall and the volatility spike")
    func crisisNeedsBoth() {
        var thresholds = RegimeThresholds()
        thresholds.crisisVolatilityRatio = 100
        #expect(RegimeDetector.detect(Self.bars("CRSH"), thresholds: thresholds).regime != .crisis)
        thresholds = RegimeThresholds()
        thresholds.crisisDrawdown = 0.9
        #expect(RegimeDetector.detect(Self.bars("CRSH"), thresholds: thresholds).regime != .crisis)
    }
}
