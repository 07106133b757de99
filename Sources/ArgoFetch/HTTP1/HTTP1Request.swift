import ArgoCore
import NIOCore
import NIOHTTP1

/// One request as it goes on the wire: its bytes, encoded once on the caller's
/// thread, and what the response's reading needs to know about it.
struct HTTP1Request: Sendable {
    var bytes: ByteBuffer
    /// A `HEAD` request: its response has no body.
    var isHead: Bool
    /// Whether the request lets the connection carry another exchange.
    var keepAlive: Bool

    /// The request line, `Host`, the caller's headers (its own `Host` and
    /// `Content-Length` replaced), `Content-Length` for a body (0 for a method
    /// that usually has one), and `Accept-Encoding: deflate, gzip` unless the
    /// caller chose its own. Header values are checked by the caller.
    init(method: HTTPMethod, target: RequestTarget, headers: [FetchRequest.Header], body: ByteBuffer?) {
        var bytes = ByteBuffer()
        bytes.reserveCapacity(256 + target.pathAndQuery.utf8.count + headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
            + (body?.readableBytes ?? 0))
        bytes.writeString(method.rawValue)
        bytes.writeStaticString(" ")
        bytes.writeString(target.pathAndQuery)
        bytes.writeStaticString(" HTTP/1.1\r\nHost: ")
        bytes.writeString(target.hostHeader)
        bytes.writeStaticString("\r\n")
        var acceptsEncoding = false
        var keepAlive = true
        for header in headers {
            switch FetchRequest.asciiLowercased(header.name) {
            case "host", "content-length":
                continue
            case "connection":
                if header.value.lowercased().split(separator: ",").contains(where: { $0.utf8.filter { $0 != 0x20 && $0 != 0x09 }.elementsEqual("close".utf8) }) {
                    keepAlive = false
                }
            case "accept-encoding":
                acceptsEncoding = true
            default:
                break
            }
            bytes.writeString(header.name)
            bytes.writeStaticString(": ")
            bytes.writeString(header.value)
            bytes.writeStaticString("\r\n")
        }
        if let body {
            bytes.writeStaticString("Content-Length: ")
            bytes.writeString(String(body.readableBytes))
            bytes.writeStaticString("\r\n")
        } else if method != .GET, method != .HEAD {
            bytes.writeStaticString("Content-Length: 0\r\n")
        }
        if !acceptsEncoding { bytes.writeStaticString("Accept-Encoding: deflate, gzip\r\n") }
        bytes.writeStaticString("\r\n")
        if var body { bytes.writeBuffer(&body) }
        self.bytes = bytes
        isHead = method == .HEAD
        self.keepAlive = keepAlive
    }
}
