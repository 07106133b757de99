import Foundation

/// One daily bar, as every market-data source's parse returns it, normalised:
/// `t` in Unix seconds (the bar's start), prices and volume as doubles.
public struct Bar: Sendable, Equatable, Codable {
    public var t: Int64
    public var o: Double
    public var h: Double
    public var l: Double
    public var c: Double
    public var v: Double

    public init(t: Int64, o: Double, h: Double, l: Double, c: Double, v: Double) {
        self.t = t
        self.o = o
        self.h = h
        self.l = l
        self.c = c
        self.v = v
    }

    /// The bar's trading date (`YYYY-MM-DD`): every vendor stamps daily bars
    /// between New York midnight (05:00Z) and the session open (14:30Z), which
    /// is the same UTC date.
    public var date: String {
        let days = Int64((Double(t) / 86_400).rounded(.down))
        let (y, m, d) = civil(fromDays: days)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// Reads `t` as Unix seconds, Unix milliseconds (Massive) or an RFC 3339
    /// string (Alpaca); nil when it is none of those.
    static func timestamp(_ value: Any?) -> Int64? {
        switch value {
        case let number as Int64: return number > 100_000_000_000 ? number / 1000 : number
        case let number as Double where number.isFinite: return timestamp(Int64(number))
        case let text as String:
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
            formatter.formatOptions = [.withInternetDateTime]
            if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
            formatter.formatOptions = [.withFullDate]
            return formatter.date(from: text).map { Int64($0.timeIntervalSince1970) }
        default: return nil
        }
    }
}

/// Gregorian (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's algorithm).
func civil(fromDays days: Int64) -> (Int, Int, Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
}
