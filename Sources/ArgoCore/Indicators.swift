import Foundation

/// The indicators the host computes from a source's bars (oldest first; the
/// arithmetic is ArgoAnalytics' `Indicators(bars:)`), each the value at the latest bar, with TA-Lib's definitions and seeding: Wilder
/// smoothing for RSI, ATR and ADX; EMAs seeded with the simple average of their
/// first N values. An indicator without enough bars is nil.
public struct Indicators: Sendable, Equatable, Codable {
    public var close: Double?
    public var sma20, sma50, sma200: Double?
    public var ema12, ema26: Double?
    public var rsi14: Double?
    public var macd, macdSignal, macdHist: Double?
    public var atr14, adx14: Double?
    public var bbUpper, bbMiddle, bbLower: Double?
    public var volatility20: Double?
    public var return20d: Double?
    public var high52w, low52w: Double?
    public var bars = 0

    enum CodingKeys: String, CodingKey {
        case close, sma20, sma50, sma200, ema12, ema26, rsi14, macd, atr14, adx14, volatility20, bars
        case macdSignal = "macd_signal", macdHist = "macd_hist", bbUpper = "bb_upper", bbMiddle = "bb_middle", bbLower = "bb_lower"
        case return20d = "return_20d", high52w = "high_52w", low52w = "low_52w"
    }

    /// No indicator yet (the host fills them in from bars).
    public init() {}

    /// The indicators as a Lua-ready dictionary (nil ones left out), named as in the contract.
    public var fields: [(String, Double)] {
        let pairs: [(String, Double?)] = [
            ("close", close), ("sma20", sma20), ("sma50", sma50), ("sma200", sma200), ("ema12", ema12), ("ema26", ema26),
            ("rsi14", rsi14), ("macd", macd), ("macd_signal", macdSignal), ("macd_hist", macdHist), ("atr14", atr14),
            ("adx14", adx14), ("bb_upper", bbUpper), ("bb_middle", bbMiddle), ("bb_lower", bbLower),
            ("volatility20", volatility20), ("return_20d", return20d), ("high_52w", high52w), ("low_52w", low52w),
            ("bars", Double(bars)),
        ]
        return pairs.compactMap { name, value in value.map { (name, $0) } }
    }
}
