import ArgoJSONScan
import NIOCore

/// How a response body is read: at most `maxBytes` received, and, with
/// `maxItems`, JSON kept only to the first `maxItems` entries of every array
/// and object, pruned part by part as it arrives (``JSONPruner``).
struct BodyRule: Sendable, Equatable {
    var maxBytes: Int
    var maxItems: Int?
}

/// One response body gathered part by part under a ``BodyRule``: each part
/// is copied once into one array (or only what the pruner keeps of it).
struct BodyCollector {
    private let maxBytes: Int
    private var pruner: JSONPruner?
    private var received = 0
    private(set) var bytes: [UInt8] = []

    init(_ rule: BodyRule) {
        maxBytes = rule.maxBytes
        pruner = rule.maxItems.map { JSONPruner(maxItems: $0) }
    }

    /// A declared `Content-Length`: refused past the limit, else room made for
    /// it at once (unless pruning, which keeps far less).
    mutating func expect(declaredLength: Int) throws(HTTP1ClientError) {
        guard declaredLength <= maxBytes else { throw .bodyTooLarge }
        if pruner == nil, declaredLength > 0 { bytes.reserveCapacity(declaredLength) }
    }

    /// The next part (a view of the receive buffer, or of inflated output);
    /// the limit counts bytes received, kept or not.
    mutating func append(_ part: UnsafeRawBufferPointer) throws(HTTP1ClientError) {
        received += part.count
        guard received <= maxBytes else { throw .bodyTooLarge }
        if pruner != nil {
            pruner!.feed(part, into: &bytes)
        } else {
            bytes.append(contentsOf: part)
        }
    }
}
