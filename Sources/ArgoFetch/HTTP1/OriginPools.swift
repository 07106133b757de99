import NIOCore
import Synchronization

/// The client's pools, one per origin, created on first use.
final class OriginPools: Sendable {
    private let pools = Mutex<(byOrigin: [RequestTarget.Origin: HTTP1ConnectionPool], closed: Bool)>(([:], false))
    private let limit: Int
    private let group: any EventLoopGroup

    init(limit: Int, group: any EventLoopGroup) {
        self.limit = limit
        self.group = group
    }

    /// The origin's pool; after ``closeAll()``, one that refuses every lease.
    func pool(for origin: RequestTarget.Origin) -> HTTP1ConnectionPool {
        pools.withLock { pools in
            if let pool = pools.byOrigin[origin] { return pool }
            let pool = HTTP1ConnectionPool(limit: limit, timerLoop: group.next(), refusing: pools.closed)
            pools.byOrigin[origin] = pool
            return pool
        }
    }

    var all: [HTTP1ConnectionPool] { pools.withLock { Array($0.byOrigin.values) } }

    /// Marks every pool, present and future, closed; returns those to shut down.
    func closeAll() -> [HTTP1ConnectionPool] {
        pools.withLock { pools in
            pools.closed = true
            return Array(pools.byOrigin.values)
        }
    }
}
