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

    /// The fields a plugin's bar record has, in the order ``PluginHost`` reads them.
    public static let fieldNames = ["t", "o", "h", "l", "c", "v"]

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
    public var date: String { Self.date(of: t) }

    /// The UTC date (`YYYY-MM-DD`) of Unix seconds `t`.
    public static func date(of t: Int64) -> String {
        let days = Int64((Double(t) / 86_400).rounded(.down))
        let (y, m, d) = civil(fromDays: days)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// Reads `t` as Unix seconds, Unix milliseconds (Massive) or an RFC 3339
    /// string (Alpaca); nil when it is none of those.
    public static func timestamp(_ value: Any?) -> Int64? {
        switch value {
        case let number as Int64: timestamp(number)
        case let number as Double: timestamp(number)
        case let text as String: timestamp(text)
        default: nil
        }
    }

    /// Unix seconds; past 10^11 (the year 5138 in seconds) it is milliseconds (Massive).
    public static func timestamp(_ number: Int64) -> Int64 { number > 100_000_000_000 ? number / 1000 : number }

    /// Beyond ±9e15 a double is no timestamp (and would trap converting to Int64).
    public static func timestamp(_ number: Double) -> Int64? {
        number.isFinite && abs(number) < 9e15 ? timestamp(Int64(number)) : nil
    }

    /// An RFC 3339 date-time or a date.
    public static func timestamp(_ text: String) -> Int64? {
        if let fast = rfc3339(text) { return fast }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
        formatter.formatOptions = [.withFullDate]
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970) }
    }
}

/// Unix seconds of `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, parsed
/// by hand: a formatter per bar cost more than everything else in a cycle (ICU).
func rfc3339(_ text: String) -> Int64? {
    var text = text
    return text.withUTF8(rfc3339)
}

/// ``rfc3339(_:)`` of UTF-8 bytes.
func rfc3339(_ utf8: UnsafeBufferPointer<UInt8>) -> Int64? {
    guard utf8.count >= 10 else { return nil }
    func number(_ range: Range<Int>) -> Int64? {
        guard range.upperBound <= utf8.count else { return nil }
        var value: Int64 = 0
        for index in range {
            let digit = utf8[index] &- 48
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
        }
        return value
    }
    guard let year = number(0..<4), utf8[4] == 45, let month = number(5..<7), utf8[7] == 45, let day = number(8..<10),
          (1...12).contains(month), (1...31).contains(day) else { return nil }
    var seconds = days(fromCivil: year, month, day) * 86_400
    if utf8.count == 10 { return seconds }
    guard utf8.count >= 20, utf8[10] == 84 || utf8[10] == 116 || utf8[10] == 32, let hour = number(11..<13), utf8[13] == 58,
          let minute = number(14..<16), utf8[16] == 58, let second = number(17..<19) else { return nil }
    seconds += hour * 3600 + minute * 60 + second
    var index = 19
    if utf8[index] == 46 {  // fractional seconds: ignored
        index += 1
        while index < utf8.count, utf8[index] >= 48, utf8[index] <= 57 { index += 1 }
    }
    guard index < utf8.count else { return nil }
    switch utf8[index] {
    case 90, 122: return index + 1 == utf8.count ? seconds : nil
    case 43, 45:
        guard index + 6 == utf8.count, let offsetHours = number(index + 1..<index + 3), utf8[index + 3] == 58,
              let offsetMinutes = number(index + 4..<index + 6) else { return nil }
        let offset = offsetHours * 3600 + offsetMinutes * 60
        return utf8[index] == 43 ? seconds - offset : seconds + offset
    default: return nil
    }
}

/// Days since 1970-01-01 of a Gregorian date (Howard Hinnant's algorithm).
func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
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
