import Synchronization

/// A cache that forgets its oldest entries once what it holds passes `capacity`
/// (in whatever unit `cost` measures), so a simulator that runs for weeks stays
/// the same size: clients ask with query parameters that change with the clock,
/// and every such request is a new key.
final class BoundedCache<Value: Sendable>: Sendable {
    private struct Store {
        var values: [String: (value: Value, cost: Int)] = [:]
        /// Keys in insertion order; `head` is the oldest still held.
        var order: [String] = []
        var head = 0
        var total = 0
    }

    private let store = Mutex(Store())
    private let capacity: Int
    private let cost: @Sendable (Value) -> Int

    init(capacity: Int, cost: @escaping @Sendable (Value) -> Int) {
        self.capacity = capacity
        self.cost = cost
    }

    subscript(key: String) -> Value? { store.withLock { $0.values[key]?.value } }

    func insert(_ value: Value, for key: String) {
        let itemCost = cost(value)
        guard itemCost <= capacity else { return }
        store.withLock { store in
            if let old = store.values.updateValue((value, itemCost), forKey: key) {
                store.total -= old.cost
            } else {
                store.order.append(key)
            }
            store.total += itemCost
            while store.total > capacity, store.head < store.order.count {
                let oldest = store.order[store.head]
                store.head += 1
                if let removed = store.values.removeValue(forKey: oldest) { store.total -= removed.cost }
            }
            if store.head >= 1024, store.head * 2 >= store.order.count {
                store.order.removeFirst(store.head)
                store.head = 0
            }
        }
    }

    /// What the entries held cost together.
    var totalCost: Int { store.withLock { $0.total } }
}
