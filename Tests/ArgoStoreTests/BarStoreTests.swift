import ArgoCore
@testable import ArgoStore
import Foundation
import Testing

@Suite("Store: the bar store")
struct BarStoreTests {
    static func bar(_ day: String, close: Double) -> Bar {
        Bar(t: (Bar.timestamp(day) ?? 0) + 5 * 3600, o: close, h: close + 1, l: close - 1, c: close, v: 1000)
    }

    @Test("bars read back in day order; a day sent again is replaced; coverage widens to what is held")
    func roundTrip() async throws {
        try await SignalStoreTests.withStorePath { path in
            let store = try SignalStore(path: path)
            try await store.saveBars([Self.bar("2026-11-24", close: 10), Self.bar("2026-11-23", close: 9)], symbol: "AAPL", source: "alpaca",
                                     fetchedAt: "2026-11-24T20:00:00Z")
            try await store.saveBars([Self.bar("2026-11-24", close: 11), Self.bar("2026-11-25", close: 12)], symbol: "AAPL", source: "alpaca",
                                     fetchedAt: "2026-11-25T20:00:00Z")
            let bars = try await store.bars(symbol: "AAPL", source: "alpaca")
            #expect(bars.map(\.date) == ["2026-11-23", "2026-11-24", "2026-11-25"])
            #expect(bars.map(\.c) == [9, 11, 12])
            #expect(try await store.bars(symbol: "AAPL", source: "alpaca", from: "2026-11-24", through: "2026-11-24").map(\.c) == [11])
            let coverage = try await store.barCoverage(symbol: "AAPL")
            #expect(coverage == [BarCoverage(symbol: "AAPL", source: "alpaca", firstDay: "2026-11-23", lastDay: "2026-11-25", fetchedAt: "2026-11-25T20:00:00Z")])
            #expect(try await store.barCoverage(symbol: "MSFT").isEmpty)
            #expect(try await store.bars(symbol: "AAPL", source: "massive").isEmpty)
            try store.close()
        }
    }
}
