#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix
import Synchronization

/// Host names to addresses, once per origin: a cold cycle opens hundreds of
/// connections to one host at once, and each would otherwise make its own
/// pair of DNS queries. Concurrent lookups of one origin share a single
/// `getaddrinfo` (run on NIO's thread pool, never on an event loop); answers
/// are kept for `ttl`, and an origin whose addresses all refused a
/// connection is looked up afresh. IP literals need no lookup.
final class OriginResolver: Sendable {
    private enum Entry {
        case resolving(EventLoopFuture<[SocketAddress]>)
        case resolved([SocketAddress], until: NIODeadline)
    }

    private let entries = Mutex<[RequestTarget.Origin: Entry]>([:])
    private let lookupCount = Atomic<Int>(0)
    private let ttl: TimeAmount
    private let loop: any EventLoop

    init(ttl: TimeAmount = .seconds(60), loop: any EventLoop) {
        self.ttl = ttl
        self.loop = loop
    }

    /// `getaddrinfo` calls made so far (for tests).
    var lookups: Int { lookupCount.load(ordering: .relaxed) }

    /// The origin's addresses: IPv4 first, then IPv6, each in `getaddrinfo`'s order.
    func addresses(for origin: RequestTarget.Origin) async throws -> [SocketAddress] {
        if let literal = try? SocketAddress(ipAddress: origin.host, port: origin.port) { return [literal] }
        let pending: EventLoopFuture<[SocketAddress]> = entries.withLock { entries in
            switch entries[origin] {
            case .resolved(let addresses, let until) where until > .now():
                return loop.makeSucceededFuture(addresses)
            case .resolving(let future):
                return future
            default:
                lookupCount.wrappingAdd(1, ordering: .relaxed)
                let future = NIOThreadPool.singleton.runIfActive(eventLoop: loop) {
                    try Self.lookUp(origin.host, port: origin.port)
                }
                entries[origin] = .resolving(future)
                return future
            }
        }
        do {
            let addresses = try await pending.get()
            entries.withLock { entries in
                if case .resolving = entries[origin] { entries[origin] = .resolved(addresses, until: .now() + ttl) }
            }
            return addresses
        } catch {
            forget(origin)
            throw error
        }
    }

    /// Drops what is known of an origin (its addresses stopped answering).
    func forget(_ origin: RequestTarget.Origin) {
        _ = entries.withLock { $0.removeValue(forKey: origin) }
    }

    /// Every IPv4 and IPv6 address of `host`, for TCP.
    static func lookUp(_ host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw HTTP1ClientError.unknownHost(host, String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            if let raw = info.pointee.ai_addr {
                switch info.pointee.ai_family {
                case AF_INET:
                    addresses.append(SocketAddress(UnsafeRawPointer(raw).load(as: sockaddr_in.self), host: host))
                case AF_INET6:
                    addresses.append(SocketAddress(UnsafeRawPointer(raw).load(as: sockaddr_in6.self), host: host))
                default:
                    break
                }
            }
            next = info.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw HTTP1ClientError.unknownHost(host, "no IPv4 or IPv6 address") }
        // IPv4 first, each family in the resolver's order: a host whose IPv6 route is
        // broken would otherwise cost a connect timeout before its IPv4 address is tried.
        return addresses.filter { $0.protocol == .inet } + addresses.filter { $0.protocol != .inet }
    }
}
