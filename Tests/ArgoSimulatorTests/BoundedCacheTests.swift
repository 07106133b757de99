@testable import ArgoSimulator
import Testing

@Suite("The simulator's caches stay within their bounds")
struct BoundedCacheTests {
    @Test("ten times the capacity in distinct keys: the total stays under it, the newest are kept and the oldest forgotten")
    func bounded() {
        let cache = BoundedCache<[UInt8]>(capacity: 10_000) { $0.count }
        for index in 0..<1_000 { cache.insert([UInt8](repeating: 1, count: 100), for: "query?t=\(index)") }
        #expect(cache.totalCost <= 10_000)
        #expect(cache.totalCost >= 9_900)
        #expect(cache["query?t=999"] != nil)
        #expect(cache["query?t=0"] == nil)
        cache.insert([UInt8](repeating: 2, count: 100), for: "query?t=999")
        #expect(cache.totalCost <= 10_000 && cache["query?t=999"]?.first == 2, "a replaced entry counts once")
        cache.insert([UInt8](repeating: 3, count: 20_000), for: "too big")
        #expect(cache["too big"] == nil && cache["query?t=999"] != nil, "an entry larger than the whole cache is not kept")
    }
}
