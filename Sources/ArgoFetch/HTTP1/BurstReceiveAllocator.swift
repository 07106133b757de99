import NIOCore

/// Receive buffers for many connections that mostly wait: each connection keeps
/// one small buffer (NIO's pool holds it for the channel), enough for a chat
/// completion or a response head; once a read fills it, the reads that follow
/// go into a large buffer made for that read and freed as soon as the bytes are
/// consumed (the client copies them out at once), until a read returns less
/// than the small buffer holds. A large body is then read in a few calls
/// without every connection keeping a large buffer for good.
///
/// NIO's adaptive allocator instead keeps a buffer of up to 64 KiB per
/// connection for as long as it lives, which at hundreds of connections is most
/// of the host's memory (docs/performance.md).
struct BurstReceiveAllocator: RecvByteBufferAllocator {
    /// What each connection keeps.
    static let small = 2_048
    /// One read's buffer while a large body arrives.
    static let large = 65_536

    /// Reads per readiness event, which is also how many buffers NIO's pool
    /// keeps for a channel: one, so that a large buffer is never kept.
    static let readsPerEvent: UInt = 1

    private var bursting = false

    /// The pooled small buffer's size; no hint while bursting, so that NIO's
    /// pool makes a fresh buffer instead of growing the one it keeps.
    func nextBufferSize() -> Int? { bursting ? nil : Self.small }

    func buffer(allocator: ByteBufferAllocator) -> ByteBuffer {
        allocator.buffer(capacity: bursting ? Self.large : Self.small)
    }

    /// Bursts while reads return at least the small buffer's worth; returns
    /// whether the next buffer is large.
    mutating func record(actualReadBytes: Int) -> Bool {
        bursting = actualReadBytes >= Self.small
        return bursting
    }
}
