/// A calendar day, as days since 1970-01-01 (UTC), with the New York session facts
/// the upstream formats need.
public struct TradingDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var daysSinceEpoch: Int

    public init(daysSinceEpoch: Int) { self.daysSinceEpoch = daysSinceEpoch }

    /// The day of a civil date (proleptic Gregorian; Howard Hinnant's `days_from_civil`).
    public init(year: Int, month: Int, day: Int) {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        daysSinceEpoch = era * 146_097 + doe - 719_468
    }

    /// Parses `YYYY-MM-DD` (and ignores anything after it, such as a time).
    public init?(iso text: Substring) {
        let parts = text.prefix(10).split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Year, month, day (Hinnant's `civil_from_days`).
    public var civil: (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// 0 = Sunday ... 6 = Saturday.
    public var weekday: Int { ((daysSinceEpoch % 7) + 11) % 7 }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (y, m, d) = civil
        return "\(y)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
    }

    /// Whether New York is on daylight time that day (second Sunday of March to first Sunday of November).
    public var isNewYorkDaylightTime: Bool {
        let year = civil.year
        return self >= Self.nthWeekday(2, 0, month: 3, year: year) && self < Self.nthWeekday(1, 0, month: 11, year: year)
    }

    /// Unix seconds of midnight New York time (how Alpaca and Massive stamp daily bars).
    public var newYorkMidnight: Int { daysSinceEpoch * 86_400 + (isNewYorkDaylightTime ? 4 : 5) * 3_600 }

    /// Unix seconds of the 09:30 New York open (how Yahoo stamps daily bars).
    public var sessionOpen: Int { newYorkMidnight + 9 * 3_600 + 1_800 }

    /// Whether NYSE trades that day: a weekday that is not an exchange holiday.
    public var isTradingDay: Bool { weekday != 0 && weekday != 6 && !Self.holidays(year: civil.year).contains(self) }

    public static func < (a: TradingDay, b: TradingDay) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    public func adding(days: Int) -> TradingDay { TradingDay(daysSinceEpoch: daysSinceEpoch + days) }

    /// The `n`th given weekday of a month (n = -1: the last).
    static func nthWeekday(_ n: Int, _ weekday: Int, month: Int, year: Int) -> TradingDay {
        if n < 0 {
            let nextMonth = month == 12 ? TradingDay(year: year + 1, month: 1, day: 1) : TradingDay(year: year, month: month + 1, day: 1)
            var day = nextMonth.adding(days: -1)
            while day.weekday != weekday { day = day.adding(days: -1) }
            return day
        }
        var day = TradingDay(year: year, month: month, day: 1)
        while day.weekday != weekday { day = day.adding(days: 1) }
        return day.adding(days: 7 * (n - 1))
    }

    /// NYSE full-day holidays of a year, with weekend observance.
    static func holidays(year: Int) -> Set<TradingDay> {
        func observed(_ day: TradingDay) -> TradingDay? {
            switch day.weekday {
            case 0: return day.adding(days: 1)
            case 6: return day.civil.month == 1 && day.civil.day == 1 ? nil : day.adding(days: -1)  // NYSE skips New Year's on a Saturday
            default: return day
            }
        }
        var days: [TradingDay?] = [
            observed(TradingDay(year: year, month: 1, day: 1)),
            nthWeekday(3, 1, month: 1, year: year),  // Martin Luther King Jr. Day
            nthWeekday(3, 1, month: 2, year: year),  // Washington's Birthday
            easter(year: year).adding(days: -2),  // Good Friday
            nthWeekday(-1, 1, month: 5, year: year),  // Memorial Day
            observed(TradingDay(year: year, month: 7, day: 4)),
            nthWeekday(1, 1, month: 9, year: year),  // Labor Day
            nthWeekday(4, 4, month: 11, year: year),  // Thanksgiving
            observed(TradingDay(year: year, month: 12, day: 25)),
        ]
        if year >= 2022 { days.append(observed(TradingDay(year: year, month: 6, day: 19))) }
        return Set(days.compactMap { $0 })
    }

    /// Easter Sunday (anonymous Gregorian algorithm).
    static func easter(year: Int) -> TradingDay {
        let a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4
        let f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return TradingDay(year: year, month: month, day: day)
    }
}
