#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A response's status line and headers, as ``HTTP1ResponseParser`` read them.
struct HTTP1ResponseHead: Sendable, Equatable {
    var status: Int
    /// Header names lower-cased, values with surrounding blanks trimmed, in the order received.
    var headers: [(name: String, value: String)]
    /// Whether the connection may carry another exchange after this response.
    var keepAlive: Bool
    /// The declared `Content-Length` of a body that is neither chunked nor absent.
    var contentLength: Int?

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.status == rhs.status && lhs.keepAlive == rhs.keepAlive && lhs.contentLength == rhs.contentLength
            && lhs.headers.elementsEqual(rhs.headers) { $0 == $1 }
    }

    /// The first value of a header (its name lower-case).
    func value(_ name: String) -> String? { headers.first { $0.name == name }?.value }
}

/// Reads one HTTP/1.1 response from the bytes of a connection, part by part as
/// they arrive, with no copy of the body: each body part is handed on as a
/// view of the receive buffer.
///
/// What RFC 9112 asks of a client: interim `1xx` responses are skipped; a body
/// is delimited by `Transfer-Encoding: chunked` (which wins over a
/// `Content-Length`, and then the connection is not reused), by
/// `Content-Length`, or by the connection's close; responses to `HEAD`, `204`
/// and `304` have none. Lines may end in CRLF or a bare LF. Anything else that
/// does not parse (a status line, a header without a colon, a folded line, a
/// bad length or chunk size, a head past 80 KiB) is a `malformedResponse`.
struct HTTP1ResponseParser {
    /// What the parser found, in order: one head, body parts, then the end.
    enum Event {
        case head(HTTP1ResponseHead)
        case body(UnsafeRawBufferPointer)
        case end
    }

    /// The largest response head accepted (llhttp's default).
    static let maxHeadBytes = 80 * 1_024

    private enum State {
        case statusLine
        case headerLines
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    private let noBody: Bool
    private var state = State.statusLine
    /// The line being read when it spans receive buffers.
    private var line: [UInt8] = []
    private var headBytes = 0
    private var status = 0
    private var minorVersion = 1
    private var headers: [(name: String, value: String)] = []

    /// A parser for the response to one request; `requestWasHead` for a `HEAD` request (no body follows).
    init(requestWasHead: Bool = false) {
        noBody = requestWasHead
    }

    /// Whether the response has ended.
    var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Whether the response's body runs until the connection closes.
    var endsAtClose: Bool {
        if case .untilClose = state { return true }
        return false
    }

    /// Whether any byte of the response has been read.
    private(set) var receivedAny = false

    /// Reads the next bytes of the connection, handing each event to `handle`
    /// as it is found. Returns how many bytes belonged to the response: fewer
    /// than given when it ended before them.
    @discardableResult
    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ handle: (Event) throws(HTTP1ClientError) -> Void) throws(HTTP1ClientError) -> Int {
        if !bytes.isEmpty { receivedAny = true }
        var at = 0
        while at < bytes.count {
            switch state {
            case .done:
                return at
            case .statusLine, .headerLines, .chunkSize, .trailers:
                guard try takeLine(bytes, at: &at, handle) else { return at }
            case .fixed(let remaining):
                let count = min(remaining, bytes.count - at)
                try handle(.body(UnsafeRawBufferPointer(rebasing: bytes[at..<at + count])))
                at += count
                if remaining == count {
                    state = .done
                    try handle(.end)
                } else {
                    state = .fixed(remaining: remaining - count)
                }
            case .chunkData(let remaining):
                let count = min(remaining, bytes.count - at)
                try handle(.body(UnsafeRawBufferPointer(rebasing: bytes[at..<at + count])))
                at += count
                state = remaining == count ? .chunkDataEnd : .chunkData(remaining: remaining - count)
            case .chunkDataEnd:
                // CRLF (or LF) after a chunk's data.
                let byte = bytes[at]
                at += 1
                if byte == UInt8(ascii: "\n") {
                    guard line.isEmpty || line == [UInt8(ascii: "\r")] else { throw .malformedResponse("bad chunk end") }
                    line.removeAll(keepingCapacity: true)
                    state = .chunkSize
                } else if byte == UInt8(ascii: "\r"), line.isEmpty {
                    line.append(byte)
                } else {
                    throw .malformedResponse("bad chunk end")
                }
            case .untilClose:
                try handle(.body(UnsafeRawBufferPointer(rebasing: bytes[at...])))
                at = bytes.count
            }
        }
        return at
    }

    /// The connection closed: ends a body delimited by the close (returns
    /// true, having handed on `.end`), or returns false when the response had
    /// not ended (a truncated response).
    mutating func closed(_ handle: (Event) throws(HTTP1ClientError) -> Void) throws(HTTP1ClientError) -> Bool {
        guard endsAtClose else { return isComplete }
        state = .done
        try handle(.end)
        return true
    }

    // MARK: Lines

    /// Reads the next whole line (without its CR LF) from `line` and these
    /// bytes and hands it to `lineRead`; returns false when the line continues
    /// in the next buffer. A line within one buffer is read in place.
    private mutating func takeLine(
        _ bytes: UnsafeRawBufferPointer, at: inout Int, _ handle: (Event) throws(HTTP1ClientError) -> Void
    ) throws(HTTP1ClientError) -> Bool {
        let start = at
        let found = memchr(bytes.baseAddress! + start, Int32(UInt8(ascii: "\n")), bytes.count - start)
        let end = found.map { UnsafeRawPointer($0) - bytes.baseAddress! } ?? bytes.count
        headBytes += end - start + 1
        if isInHead {
            if headBytes > Self.maxHeadBytes { throw .malformedResponse("response head larger than \(Self.maxHeadBytes) bytes") }
        } else if line.count + end - start > 1_024 {
            throw .malformedResponse("chunk line too long")
        }
        guard found != nil else {
            line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            at = bytes.count
            return false
        }
        at = end + 1
        if line.isEmpty {
            var text = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            if text.last == UInt8(ascii: "\r") { text = UnsafeRawBufferPointer(rebasing: text.dropLast()) }
            try lineRead(text, handle)
        } else {
            line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            var whole = line
            line = []
            defer {
                whole.removeAll(keepingCapacity: true)
                line = whole
            }
            var failure: HTTP1ClientError?
            whole.withUnsafeBytes { text in
                do throws(HTTP1ClientError) { try lineRead(text, handle) } catch { failure = error }
            }
            if let failure { throw failure }
        }
        return true
    }

    private var isInHead: Bool {
        switch state {
        case .statusLine, .headerLines: true
        default: false
        }
    }

    private mutating func lineRead(_ text: UnsafeRawBufferPointer, _ handle: (Event) throws(HTTP1ClientError) -> Void) throws(HTTP1ClientError) {
        switch state {
        case .statusLine:
            try readStatusLine(text)
            state = .headerLines
        case .headerLines:
            if text.isEmpty {
                try headEnded(handle)
            } else {
                try readHeader(text)
            }
        case .chunkSize:
            let size = try Self.chunkSize(text)
            state = size == 0 ? .trailers : .chunkData(remaining: size)
        case .trailers:
            if text.isEmpty {
                state = .done
                try handle(.end)
            }
        default:
            break
        }
    }

    /// `HTTP/1.x SSS reason`.
    private mutating func readStatusLine(_ text: UnsafeRawBufferPointer) throws(HTTP1ClientError) {
        guard text.count >= 12, text.starts(with: "HTTP/1.".utf8), text[8] == UInt8(ascii: " ") else {
            throw .malformedResponse("bad status line")
        }
        switch text[7] {
        case UInt8(ascii: "0"): minorVersion = 0
        case UInt8(ascii: "1"): minorVersion = 1
        default: throw .malformedResponse("bad HTTP version")
        }
        var code = 0
        for byte in text[9..<12] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw .malformedResponse("bad status code") }
            code = code * 10 + Int(byte - UInt8(ascii: "0"))
        }
        guard code >= 100, text.count == 12 || text[12] == UInt8(ascii: " ") else { throw .malformedResponse("bad status code") }
        status = code
    }

    /// `name: value`; the name lower-cased, the value's surrounding blanks trimmed.
    private mutating func readHeader(_ text: UnsafeRawBufferPointer) throws(HTTP1ClientError) {
        guard text[0] != UInt8(ascii: " "), text[0] != UInt8(ascii: "\t") else { throw .malformedResponse("folded header line") }
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { throw .malformedResponse("header line without a name") }
        for byte in text[..<colon] where byte <= 0x20 || byte >= 0x7F { throw .malformedResponse("bad header name") }
        let name = String(unsafeUninitializedCapacity: colon) { out in
            for index in 0..<colon {
                let byte = text[index]
                out[index] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            }
            return colon
        }
        var valueStart = colon + 1
        var valueEnd = text.count
        while valueStart < valueEnd, text[valueStart] == 0x20 || text[valueStart] == 0x09 { valueStart += 1 }
        while valueEnd > valueStart, text[valueEnd - 1] == 0x20 || text[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        headers.append((name, String(decoding: UnsafeRawBufferPointer(rebasing: text[valueStart..<valueEnd]), as: UTF8.self)))
    }

    /// The head is complete: an interim response is skipped; otherwise the head
    /// goes out and the body's framing is decided.
    private mutating func headEnded(_ handle: (Event) throws(HTTP1ClientError) -> Void) throws(HTTP1ClientError) {
        if status < 200 {
            guard status != 101 else { throw .malformedResponse("an upgrade that was not asked for") }
            headers.removeAll()
            headBytes = 0
            state = .statusLine
            return
        }
        var chunked = false
        var hasTransferEncoding = false
        var length: Int?
        var asksClose = false
        var asksKeepAlive = false
        for header in headers {
            switch header.name {
            case "transfer-encoding":
                hasTransferEncoding = true
                chunked = Self.tokens(of: header.value).last.map { Self.equalsIgnoringCase($0, "chunked") } ?? false
            case "content-length":
                guard let declared = Self.contentLength(header.value), length == nil || length == declared else {
                    throw .malformedResponse("bad Content-Length")
                }
                length = declared
            case "connection":
                for token in Self.tokens(of: header.value) {
                    if Self.equalsIgnoringCase(token, "close") { asksClose = true }
                    if Self.equalsIgnoringCase(token, "keep-alive") { asksKeepAlive = true }
                }
            default:
                break
            }
        }
        // HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 closes it unless told to keep it.
        var close = asksClose || (minorVersion == 0 && !asksKeepAlive)
        let bodyless = noBody || status == 204 || status == 304
        if bodyless {
            state = .done
        } else if hasTransferEncoding {
            // Chunked wins over a Content-Length; a length beside it may be an attempt at smuggling: no reuse.
            if length != nil { close = true }
            length = nil
            if chunked {
                state = .chunkSize
            } else {
                state = .untilClose
                close = true
            }
        } else if let length {
            state = length == 0 ? .done : .fixed(remaining: length)
        } else {
            state = .untilClose
            close = true
        }
        let head = HTTP1ResponseHead(status: status, headers: headers, keepAlive: !close, contentLength: bodyless || hasTransferEncoding ? nil : length)
        headers = []
        try handle(.head(head))
        if case .done = state { try handle(.end) }
    }

    // MARK: Values

    private static func contentLength(_ value: String) -> Int? {
        // Repeated values joined by commas are accepted when they agree.
        var length: Int?
        for token in tokens(of: value) {
            guard !token.isEmpty, token.count <= 18 else { return nil }
            var parsed = 0
            for byte in token {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                parsed = parsed * 10 + Int(byte - UInt8(ascii: "0"))
            }
            guard length == nil || length == parsed else { return nil }
            length = parsed
        }
        return length
    }

    /// A chunk-size line: hex digits, then optional extensions after `;`.
    private static func chunkSize(_ text: UnsafeRawBufferPointer) throws(HTTP1ClientError) -> Int {
        var size = 0
        var digits = 0
        for byte in text {
            let value: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A")) + 10
            case UInt8(ascii: ";"), 0x20, 0x09:
                guard digits > 0 else { throw .malformedResponse("bad chunk size") }
                return size
            default: throw .malformedResponse("bad chunk size")
            }
            digits += 1
            guard digits <= 15 else { throw .malformedResponse("chunk size too large") }
            size = size << 4 | value
        }
        guard digits > 0 else { throw .malformedResponse("bad chunk size") }
        return size
    }

    /// A comma-separated header's tokens, with surrounding blanks trimmed (views of the value's bytes).
    private static func tokens(of value: String) -> [Substring.UTF8View.SubSequence] {
        value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map { token in
            var token = token[...]
            while let first = token.first, first == 0x20 || first == 0x09 { token = token.dropFirst() }
            while let last = token.last, last == 0x20 || last == 0x09 { token = token.dropLast() }
            return token
        }
    }

    /// ASCII case-insensitive comparison with a lower-case word.
    private static func equalsIgnoringCase(_ token: Substring.UTF8View.SubSequence, _ word: StaticString) -> Bool {
        guard token.count == word.utf8CodeUnitCount else { return false }
        return word.withUTF8Buffer { lower in
            zip(token, lower).allSatisfy { $0 == $1 || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") && $0 | 0x20 == $1) }
        }
    }
}
