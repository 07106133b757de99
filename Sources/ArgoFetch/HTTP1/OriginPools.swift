import NIOCore
import Synchronization

/// The client's pools, one per origin, created on first use.
final class OriginPools: Sendable {
    private let pools = Mutex<[RequestTarget.Origin: HTTP1ConnectionPool]>([:])
    private let limit: Int
    private let group: any EventLoopGroup

    init(limit: Int, group: any EventLoopGroup) {
        self.limit = limit
        self.group = group
    }

    func pool(for origin: RequestTarget.Origin) -> HTTP1ConnectionPool {
        pools.withLock { pools in
            if let pool = pools[origin] { return pool }
            let pool = HTTP1ConnectionPool(limit: limit, timerLoop: group.next())
            pools[origin] = pool
            return pool
        }
    }

    var all: [HTTP1ConnectionPool] { pools.withLock { Array($0.values) } }
}
