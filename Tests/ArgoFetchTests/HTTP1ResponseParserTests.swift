@testable import ArgoFetch
import Testing

@Suite("Fetch: reading HTTP/1.1 responses")
struct HTTP1ResponseParserTests {
    /// What a parser made of some bytes.
    struct Read: Equatable {
        var heads: [HTTP1ResponseHead] = []
        var body: [UInt8] = []
        var ends = 0
        /// Bytes the parser took as the response's.
        var used = 0
    }

    /// Feeds `text` in pieces cut at `cuts`, then reports a close when `close` is set.
    func read(_ text: String, cuts: [Int] = [], requestWasHead: Bool = false, close: Bool = false) throws(HTTP1ClientError) -> (Read, HTTP1ResponseParser) {
        var parser = HTTP1ResponseParser(requestWasHead: requestWasHead)
        var read = Read()
        let bytes = Array(text.utf8)
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        for cut in cuts.sorted() + [bytes.count] where cut >= start {
            pieces.append(bytes[start..<cut])
            start = cut
        }
        let handle = { (event: HTTP1ResponseParser.Event) throws(HTTP1ClientError) in
            switch event {
            case .head(let head): read.heads.append(head)
            case .body(let part): read.body += part
            case .end: read.ends += 1
            }
        }
        for piece in pieces where !piece.isEmpty {
            var failure: HTTP1ClientError?
            piece.withUnsafeBytes { raw in
                do throws(HTTP1ClientError) { read.used += try parser.feed(raw, handle) } catch { failure = error }
            }
            if let failure { throw failure }
        }
        if close { _ = try parser.closed(handle) }
        return (read, parser)
    }

    func malformed(_ text: String, requestWasHead: Bool = false) -> String? {
        do {
            _ = try read(text, requestWasHead: requestWasHead, close: true)
            return nil
        } catch {
            if case .malformedResponse(let why) = error { return why }
            return "\(error)"
        }
    }

    @Test("Content-Length: head, body and end the same however the bytes are cut")
    func contentLength() throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Type:  application/json \r\nX-Ratelimit-Remaining: 7\r\ncontent-length: 11\r\n\r\n{\"a\":[1,2]}"
        let (whole, parser) = try read(text)
        #expect(parser.isComplete && whole.ends == 1 && whole.used == text.utf8.count)
        #expect(whole.body == Array("{\"a\":[1,2]}".utf8))
        let head = try #require(whole.heads.first)
        #expect(head.status == 200 && head.keepAlive && head.contentLength == 11)
        #expect(head.headers.map(\.name) == ["content-type", "x-ratelimit-remaining", "content-length"])
        #expect(head.value("content-type") == "application/json")
        for cut in 1..<text.utf8.count {
            #expect(try read(text, cuts: [cut]).0 == whole, "cut at \(cut)")
        }
        #expect(try read(text, cuts: Array(1..<text.utf8.count)).0 == whole, "a byte at a time")
    }

    @Test("chunked: sizes in hex with extensions, trailers, the same however cut; a length beside it means no reuse")
    func chunked() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n5;name=value\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Trailer: 1\r\n\r\n"
        let (whole, parser) = try read(text)
        #expect(parser.isComplete && whole.ends == 1)
        #expect(String(decoding: whole.body, as: UTF8.self) == "hello, world!!!")
        #expect(whole.heads.first?.keepAlive == true && whole.heads.first?.contentLength == nil)
        for cut in 1..<text.utf8.count {
            #expect(try read(text, cuts: [cut, min(cut + 3, text.utf8.count - 1)]).0 == whole, "cut at \(cut)")
        }
        let smuggled = try read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n").0
        #expect(smuggled.body == Array("ab".utf8) && smuggled.heads.first?.keepAlive == false)
    }

    @Test("interim 1xx responses are skipped; HEAD, 204 and 304 have no body; bytes past the end are not taken")
    func bodiless() throws {
        let continued = try read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok").0
        #expect(continued.heads.map(\.status) == [201] && continued.body == Array("ok".utf8) && continued.heads[0].headers.count == 1)
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
        let (toHead, parser) = try read(head + "extra", requestWasHead: true)
        #expect(parser.isComplete && toHead.body.isEmpty && toHead.ends == 1 && toHead.used == head.utf8.count)
        for status in ["204 No Content", "304 Not Modified"] {
            let read = try read("HTTP/1.1 \(status)\r\nContent-Length: 5\r\n\r\n").0
            #expect(read.ends == 1 && read.body.isEmpty && read.heads.first?.contentLength == nil, "\(status)")
        }
        let next = try read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n").0
        #expect(next.body == Array("ok".utf8) && next.used == 40)
    }

    @Test("a body without a length runs to the close; a response cut short by the close is not complete")
    func untilClose() throws {
        let (open, parser) = try read("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, ", cuts: [45])
        #expect(parser.endsAtClose && open.ends == 0 && open.heads.first?.keepAlive == false)
        let closed = try read("HTTP/1.1 200 OK\r\n\r\nall of it", close: true).0
        #expect(closed.ends == 1 && closed.body == Array("all of it".utf8))
        var cut = try read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nfive!").1
        let cutEnded = try cut.closed { _ throws(HTTP1ClientError) in }
        #expect(!cutEnded)
        var notStarted = HTTP1ResponseParser()
        let endedByClose = try notStarted.closed { _ throws(HTTP1ClientError) in }
        #expect(!notStarted.receivedAny && !endedByClose)
    }

    @Test("keep-alive: HTTP/1.1 unless Connection: close, HTTP/1.0 only with keep-alive; bare LF line ends")
    func keepAlive() throws {
        let cases: [(String, Bool)] = [
            ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true),
            ("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\nContent-Length: 0\r\n\r\n", false),
            ("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false),
            ("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", true),
            ("HTTP/1.0 200 OK\r\nConnection: close, keep-alive\r\nContent-Length: 0\r\n\r\n", false),
            ("HTTP/1.1 200 OK\nContent-Length: 0\n\n", true),
            ("HTTP/1.1 200\r\nContent-Length: 1, 1\r\n\r\nx", true),
        ]
        for (text, keepAlive) in cases {
            let read = try read(text).0
            #expect(read.ends == 1 && read.heads.first?.keepAlive == keepAlive, "\(text.debugDescription)")
        }
    }

    @Test("what does not parse is a malformed response, with why")
    func malformedResponses() {
        #expect(malformed("HTTP/2 200 OK\r\n\r\n") == "bad status line")
        #expect(malformed("HTTP/1.1 2x0 OK\r\n\r\n") == "bad status code")
        #expect(malformed("HTTP/1.1 200OK\r\n\r\n") == "bad status code")
        #expect(malformed("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n") == "header line without a name")
        #expect(malformed("HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n") == "folded header line")
        #expect(malformed("HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n") == "bad header name")
        #expect(malformed("HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n") == "bad Content-Length")
        #expect(malformed("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n") == "bad Content-Length")
        #expect(malformed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n") == "bad Content-Length")
        #expect(malformed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") == "bad chunk size")
        #expect(malformed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n") == "chunk size too large")
        #expect(malformed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n") == "bad chunk end")
        #expect(malformed("HTTP/1.1 101 Switching Protocols\r\n\r\n") == "an upgrade that was not asked for")
        let huge = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Pad: \(String(repeating: "p", count: 1_000))\r\n", count: 90) + "\r\n"
        #expect(malformed(huge) == "response head larger than 81920 bytes")
    }
}
