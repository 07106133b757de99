@testable import ArgoFetch
import NIOCore
import Testing

@Suite("Fetch: receive buffers")
struct ReceiveBufferTests {
    /// One read as NIO's channel does it: a buffer from the pool, `bytes` read into it, recorded.
    func read(_ bytes: Int, pool: inout NIOPooledRecvBufferAllocator) -> Int {
        let (buffer, capacity) = pool.buffer(allocator: ByteBufferAllocator()) { buffer -> Int in
            let capacity = buffer.capacity
            buffer.writeRepeatingByte(0x41, count: min(bytes, capacity))
            return capacity
        }
        pool.record(actualReadBytes: min(bytes, buffer.readableBytes))
        return capacity
    }

    @Test("a connection keeps one small buffer; a large body is read into large buffers that the pool does not keep")
    func burstsAreNotKept() {
        var pool = NIOPooledRecvBufferAllocator(capacity: Int(BurstReceiveAllocator.readsPerEvent), recvAllocator: BurstReceiveAllocator())
        #expect(read(300, pool: &pool) == BurstReceiveAllocator.small, "a chat completion fits the small buffer")
        #expect(read(300, pool: &pool) == BurstReceiveAllocator.small)
        // A 258 kB body: the first read fills the small buffer, the next ones are large.
        var remaining = 258_000
        var capacities: [Int] = []
        while remaining > 0 {
            let capacity = read(remaining, pool: &pool)
            capacities.append(capacity)
            remaining -= capacity
        }
        #expect(capacities.first == BurstReceiveAllocator.small)
        #expect(capacities.dropFirst().allSatisfy { $0 >= BurstReceiveAllocator.large }, "\(capacities)")
        #expect(capacities.count <= 1 + 258_000 / BurstReceiveAllocator.large + 1, "a few reads: \(capacities.count)")
        // The next response's first read may still be large (the body's tail filled
        // more than the small buffer); once a read is short, reads go back to the
        // one buffer kept, which is still the small one.
        _ = read(100, pool: &pool)
        #expect(read(100, pool: &pool) == BurstReceiveAllocator.small)
        #expect(pool.count == 1)
    }
}
