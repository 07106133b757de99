internal import CJSONScan

/// Keeps only the first `maxItems` entries of every array and object of a JSON
/// document that arrives in parts, dropping the rest as it arrives.
///
/// A source such as Alpha Vantage answers with a symbol's whole history when
/// its plugin reads the newest few entries: with a request's `max_items`, the
/// HTTP client feeds each body part through a pruner, so the full body is never
/// held, cached or copied into Lua. The kept text is byte for byte the input's,
/// less each container's entries past the limit (from the comma that starts
/// the first dropped entry up to the closing bracket), so decoding it gives
/// what `json.decode(body, { max_items = N })` gives for the whole body.
///
/// A body whose first non-blank byte is not `{` or `[` (an HTML error page, a
/// plain-text note) passes through unchanged. Malformed JSON is not repaired:
/// the decoder that reads the result reports it. Containers nested deeper than
/// ``trackedDepth`` are kept whole.
public struct JSONPruner: Sendable {
    /// The entries kept per array or object.
    public let maxItems: Int
    /// Containers deeper than this are not pruned (the decoders refuse deeper nesting anyway).
    public static let trackedDepth = 512

    private var phase = Phase.leading
    private var inString = false
    private var escaped = false
    /// Open containers.
    private var depth = 0
    /// While dropping: the depth of the container whose closing bracket ends the drop; 0 while keeping.
    private var dropUntilDepth = 0
    /// Commas seen so far in each open container (index: depth − 1), up to ``trackedDepth``.
    private var commas: [Int] = []
    /// While dropping: strings and nesting inside the dropped entries.
    private var skip = argo_json_skip_state()

    private enum Phase: Sendable { case leading, json, verbatim }

    /// A pruner for one document; `maxItems` is at least 1.
    public init(maxItems: Int) {
        precondition(maxItems >= 1, "max_items must be at least 1")
        self.maxItems = maxItems
    }

    /// `bytes` pruned in one go.
    public static func prune(_ bytes: [UInt8], maxItems: Int) -> [UInt8] {
        var pruner = JSONPruner(maxItems: maxItems)
        var output: [UInt8] = []
        bytes.withUnsafeBytes { pruner.feed($0, into: &output) }
        return output
    }

    /// Appends what is kept of the next part of the document to `output`.
    public mutating func feed(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self), !input.isEmpty else { return }
        let end = input.count
        var i = 0
        if phase == .leading {
            while i < end, Self.isBlank(base[i]) { i += 1 }
            if i < end { phase = base[i] == UInt8(ascii: "{") || base[i] == UInt8(ascii: "[") ? .json : .verbatim }
        }
        guard phase == .json else {
            output.append(contentsOf: UnsafeBufferPointer(start: base, count: end))
            return
        }
        var runStart = 0  // the first byte of the kept run not yet appended
        while i < end {
            if dropUntilDepth > 0 {
                i = skipDropped(base, from: i, end: end)
                if dropUntilDepth == 0 { runStart = i - 1 }  // keep the closing bracket
                continue
            }
            let byte = base[i]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                } else {
                    while i + 9 <= end, !JSONWord.hasQuoteOrEscape(JSONWord.load(base + i + 1)) { i += 8 }
                }
                i += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth <= Self.trackedDepth {
                    if commas.count < depth { commas.append(0) } else { commas[depth - 1] = 0 }
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth > 0 { depth -= 1 }
            case UInt8(ascii: ","):
                if depth >= 1, depth <= Self.trackedDepth {
                    commas[depth - 1] += 1
                    if commas[depth - 1] >= maxItems {
                        output.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - runStart))
                        dropUntilDepth = depth
                        skip = argo_json_skip_state()
                    }
                }
            default:
                break
            }
            i += 1
        }
        if dropUntilDepth == 0, runStart < end {
            output.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: end - runStart))
        }
    }

    /// Passes over dropped bytes from `start` (``argo_json_skip``: strings and
    /// nesting only, 64 bytes at a time) until the part ends or the dropping
    /// container closes; then returns the index just past its closing bracket,
    /// with dropping over.
    private mutating func skipDropped(_ base: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        let consumed = argo_json_skip(base + start, end - start, &skip)
        guard skip.closed != 0 else { return end }
        depth = dropUntilDepth - 1
        dropUntilDepth = 0
        return start + consumed
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
