internal import CZlib

/// Inflates a `Content-Encoding: gzip` or `deflate` body as its parts arrive
/// (zlib; a gzip or zlib stream, told apart by its header), handing the
/// output on in pieces of at most 16 KiB.
///
/// A body that inflates to more than `maxRatio` times its compressed size is
/// refused (a decompression bomb), as is one that ends before its stream does.
final class HTTP1Inflater {
    static let maxRatio = 100
    private static let chunk = 16_384

    /// zlib keeps a pointer back to its stream, so the stream must not move: it lives on the heap.
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer
    private var consumed = 0
    private var produced = 0
    private(set) var ended = false
    /// Whether any compressed byte has come (an empty body is no stream at all).
    var started: Bool { consumed > 0 }

    init() throws(HTTP1ClientError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = .allocate(byteCount: Self.chunk, alignment: 1)
        guard czlib_inflate_init(stream, 15 + 32) == Z_OK else {
            stream.deallocate()
            output.deallocate()
            throw .malformedResponse("cannot start inflating the body")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        output.deallocate()
    }

    /// Inflates the next compressed bytes; `emit` gets each piece of output.
    /// Bytes after the end of the stream are ignored.
    func inflate(_ input: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) throws(HTTP1ClientError) -> Void) throws(HTTP1ClientError) {
        guard !ended, let base = input.baseAddress, !input.isEmpty else { return }
        consumed += input.count
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        defer {
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
        }
        let capacity = output.count
        while true {
            stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(capacity)
            let result = CZlib.inflate(stream, Z_NO_FLUSH)
            let made = capacity - Int(stream.pointee.avail_out)
            if made > 0 {
                produced += made
                guard produced <= consumed * Self.maxRatio else { throw .malformedResponse("the body inflates past \(Self.maxRatio) times its size") }
                try emit(UnsafeRawBufferPointer(rebasing: output[0..<made]))
            }
            switch result {
            case Z_STREAM_END:
                ended = true
                return
            case Z_OK:
                // More output may be pending while the output buffer came back full; else all input is used.
                if made < capacity, stream.pointee.avail_in == 0 { return }
            case Z_BUF_ERROR:
                return  // needs more input
            default:
                throw .malformedResponse("the compressed body is corrupt")
            }
        }
    }
}
