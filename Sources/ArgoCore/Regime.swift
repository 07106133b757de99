import Foundation

/// The market regime of one symbol, from its market-data bars.
public enum Regime: String, Sendable, Codable, CaseIterable {
    case bull = "BULL", bear = "BEAR", chop = "CHOP", crisis = "CRISIS", unknown = "UNKNOWN"
}

/// Thresholds of regime detection (`regime:` in `Config/argo.yaml`).
public struct RegimeThresholds: Sendable, Equatable {
    /// Bars needed for anything but UNKNOWN.
    public var minBars = 200
    /// CRISIS: the close at least this far below the highest close of the last `drawdownWindow` bars…
    public var crisisDrawdown = 0.25
    public var drawdownWindow = 60
    /// …and the 20-day volatility at least this multiple of the volatility of the 100 bars before them…
    public var crisisVolatilityRatio = 1.8
    /// …and at least this high (annualised).
    public var crisisVolatilityFloor = 0.30
    /// BULL/BEAR: SMA50 at least this far above/below SMA200 (fraction)…
    public var trendSeparation = 0.03
    /// …SMA50 moving the same way over the last `slopeWindow` bars by at least this
    /// fraction, and the close on the trend's side of SMA50.
    public var trendSlope = 0.01
    public var slopeWindow = 20

    public init() {}
}

/// Measurements behind a regime call, for the reasoning and for tests.
public struct RegimeReading: Sendable, Equatable {
    public var regime: Regime
    public var drawdown: Double?
    public var volatilityRatio: Double?
    public var volatility20: Double?
    public var separation: Double?
    public var slope: Double?

    public init(regime: Regime, drawdown: Double? = nil, volatilityRatio: Double? = nil, volatility20: Double? = nil,
                separation: Double? = nil, slope: Double? = nil) {
        self.regime = regime
        self.drawdown = drawdown
        self.volatilityRatio = volatilityRatio
        self.volatility20 = volatility20
        self.separation = separation
        self.slope = slope
    }

    /// One line: the regime and the figures that decided it.
    public var summary: String {
        guard regime != .unknown else { return "UNKNOWN (fewer bars than regime detection needs)" }
        func pct(_ v: Double?) -> String { v.map { String(format: "%+.1f%%", $0 * 100) } ?? "n/a" }
        return "\(regime.rawValue): SMA50/SMA200 \(pct(separation)), SMA50 slope \(pct(slope)), drawdown \(pct(drawdown)), vol20 \(volatility20.map { String(format: "%.0f%%", $0 * 100) } ?? "n/a") (×\(volatilityRatio.map { String(format: "%.1f", $0) } ?? "n/a") of before)"
    }
}
