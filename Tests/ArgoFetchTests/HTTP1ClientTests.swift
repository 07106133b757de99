@testable import ArgoFetch
import NIOCore
import Testing

@Suite("Fetch: Argo's HTTP/1.1 client")
struct HTTP1ClientTests {
    func withClient(_ change: (inout HTTP1Client.Settings) -> Void = { _ in }, _ body: (HTTP1Client) async throws -> Void) async throws {
        try await withHTTP1Client(change, body)
    }

    func get(_ client: HTTP1Client, _ url: String, method: String = "GET", body: [UInt8]? = nil,
             within milliseconds: Int64 = 30_000, maxBodyBytes: Int = 1 << 20, maxItems: Int? = nil) async throws -> HTTP1Response {
        try await client.execute(method: method, url: url, headers: [.init("X-Test", "1")], body: body,
                                 deadline: .now() + .milliseconds(milliseconds), bodyRule: BodyRule(maxBytes: maxBodyBytes, maxItems: maxItems))
    }

    func clientError(_ body: () async throws -> HTTP1Response) async -> HTTP1ClientError? { await http1ClientError(body) }

    @Test("the request on the wire: Host with the port, the plugin's headers, Content-Length for a body, Accept-Encoding")
    func requestOnTheWire() async throws {
        let server = try await ScriptedServer.start { _ in .reply(status: 200, body: Array("ok".utf8)) }
        try await withClient { client in
            let response = try await get(client, server.baseURL + "/v1/chat?q=a%20b", method: "POST", body: Array(#"{"a":1}"#.utf8))
            #expect(response.status == 200 && response.body == Array("ok".utf8) && response.keepAlive)
            let request = try #require(server.requests.first)
            #expect(request.head.method == .POST && request.head.uri == "/v1/chat?q=a%20b")
            #expect(request.head.headers["Host"] == ["127.0.0.1:\(server.port)"])
            #expect(request.head.headers["X-Test"] == ["1"])
            #expect(request.head.headers["Content-Length"] == ["7"] && request.body == Array(#"{"a":1}"#.utf8))
            #expect(request.head.headers["Accept-Encoding"].first?.contains("gzip") == true)
        }
        try await server.shutdown()
    }

    @Test("a header value with a line break is refused at once, not sent, and not left to the deadline")
    func headerInjection() async throws {
        let server = try await ScriptedServer.start { _ in .reply(status: 200, body: [1]) }
        try await withClient { client in
            let started = ContinuousClock.now
            let error: (any Error)? = await {
                do {
                    _ = try await client.execute(method: "GET", url: server.baseURL + "/x", headers: [.init("X-Bad", "a\r\nInjected: yes")],
                                                 body: nil, deadline: .now() + .seconds(5), bodyRule: BodyRule(maxBytes: 1_000))
                    return nil
                } catch { return error }
            }()
            #expect(error.map { "\($0)" } == "\(HTTP1ClientError.invalidHeader("X-Bad"))")
            #expect(started.duration(to: .now) < .seconds(4), "failed by the write, not by the deadline")
            #expect(server.requests.isEmpty)
            let next = try await get(client, server.baseURL + "/after")
            #expect(next.status == 200, "the client still works")
        }
        try await server.shutdown()
    }

    @Test("a gzip body is decompressed")
    func gzip() async throws {
        let compressed: [UInt8] = [
            31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 171, 86, 74, 73, 77, 206, 207, 45, 40, 74, 45, 46, 78, 77, 81, 178, 42, 41, 42, 77,
            213, 81, 42, 72, 4, 50, 149, 42, 134, 9, 80, 170, 5, 0, 133, 206, 196, 29, 230, 0, 0, 0,
        ]
        let server = try await ScriptedServer.start { _ in .reply(status: 200, headers: [("Content-Encoding", "gzip")], body: compressed) }
        try await withClient { client in
            let response = try await get(client, server.baseURL + "/z")
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"decompressed":true,"pad":""# + String(repeating: "x", count: 200) + #""}"#)
        }
        try await server.shutdown()
    }

    @Test("a connection the server closes between requests: a GET goes again on a new one; a POST fails")
    func staleKeepAlive() async throws {
        // Every connection answers its first request and silently drops at the second.
        let server = try await ScriptedServer.start { $0.sequence == 1 ? .reply(status: 200, body: [1]) : .closeWithoutReply }
        try await withClient { client in
            let first = try await get(client, server.baseURL + "/a")
            #expect(first.status == 200)
            let retried = try await get(client, server.baseURL + "/b")
            #expect(retried.status == 200, "retried on a fresh connection")
            #expect(server.connections == 2)
            let error = await clientError { try await get(client, server.baseURL + "/c", method: "POST", body: [1]) }
            #expect(error?.isStaleConnection == true, "a POST is not sent twice")
            #expect(server.requests.filter { $0.head.uri == "/c" }.count == 1)
        }
        try await server.shutdown()
    }

    @Test("Connection: close from the server, or a request that asks for it: no reuse")
    func connectionClose() async throws {
        let server = try await ScriptedServer.start { _ in .reply(status: 200, headers: [("Connection", "close")], body: [1], close: true) }
        try await withClient { client in
            for _ in 0..<3 {
                let response = try await get(client, server.baseURL + "/x")
                #expect(response.keepAlive == false)
            }
            #expect(server.connections == 3)
        }
        try await server.shutdown()
        let polite = try await ScriptedServer.start { _ in .reply(status: 200, body: [1]) }
        try await withClient { client in
            // A caller's own `Connection: close` ends the connection after its exchange.
            for _ in 0..<3 {
                _ = try await client.execute(method: "GET", url: polite.baseURL + "/x", headers: [.init("Connection", "close")], body: nil,
                                             deadline: .now() + .seconds(30), bodyRule: BodyRule(maxBytes: 1 << 20, maxItems: nil))
            }
            #expect(polite.connections == 3)
            #expect(polite.requests.allSatisfy { $0.head.headers["Connection"] == ["close"] })
        }
        try await polite.shutdown()
    }

    @Test("body limits: a declared length past the limit and a chunked body that grows past it")
    func bodyLimits() async throws {
        let server = try await ScriptedServer.start { request in
            request.head.uri == "/declared"
                ? .reply(status: 200, body: [UInt8](repeating: 7, count: 2_000))
                : .reply(status: 200, headers: [("Transfer-Encoding", "chunked")], body: [UInt8](repeating: 7, count: 2_000))
        }
        try await withClient { client in
            for path in ["/declared", "/chunked"] {
                let error = await clientError { try await get(client, server.baseURL + path, maxBodyBytes: 1_000) }
                #expect(error.map { "\($0)" } == "\(HTTP1ClientError.bodyTooLarge)", "\(path)")
            }
            let whole = try await get(client, server.baseURL + "/chunked", maxBodyBytes: 2_000)
            #expect(whole.body.count == 2_000)
        }
        try await server.shutdown()
    }

    @Test("redirects: followed on the same origin (303 turns a POST into a GET), never to another origin, loops end")
    func redirects() async throws {
        let elsewhere = try await ScriptedServer.start { _ in .reply(status: 200, body: Array("elsewhere".utf8)) }
        let server = try await ScriptedServer.start { request in
            switch request.head.uri {
            case "/old": .reply(status: 301, headers: [("Location", "/new?x=1")])
            case "/form": .reply(status: 303, headers: [("Location", "new?x=2")])
            case "/away": .reply(status: 302, headers: [("Location", elsewhere.baseURL + "/stolen")])
            case "/loop": .reply(status: 307, headers: [("Location", "/loop")])
            default: .reply(status: 200, body: Array(request.head.uri.utf8))
            }
        }
        try await withClient { client in
            let moved = try await get(client, server.baseURL + "/old")
            #expect(moved.body == Array("/new?x=1".utf8))
            let seeOther = try await get(client, server.baseURL + "/form", method: "POST", body: [1])
            #expect(seeOther.body == Array("/new?x=2".utf8))
            #expect(server.requests.last?.head.method == .GET && server.requests.last?.body == [])
            let away = try await get(client, server.baseURL + "/away")
            #expect(away.status == 302)
            #expect(elsewhere.requests.isEmpty, "the X-Test header never goes to another origin")
            let loop = try await get(client, server.baseURL + "/loop")
            #expect(loop.status == 307)
        }
        try await server.shutdown()
        try await elsewhere.shutdown()
    }

    @Test("TLS: a certificate from the configured CA file is accepted; the same server is refused with the system's roots")
    func tls() async throws {
        let server = try await ScriptedServer.start(tls: true) { _ in .reply(status: 200, body: Array("secure".utf8)) }
        try await withClient({ $0.caFile = ScriptedServer.fixtures + "loopback-cert.pem" }) { client in
            let byName = try await get(client, "https://localhost:\(server.port)/t")
            #expect(byName.body == Array("secure".utf8))
            let byAddress = try await get(client, "https://127.0.0.1:\(server.port)/t")
            #expect(byAddress.body == Array("secure".utf8))
        }
        try await withClient { client in
            await #expect(throws: (any Error).self) { try await get(client, "https://127.0.0.1:\(server.port)/t") }
        }
        #expect(server.requests.count == 2, "the refused handshake sent no request")
        try await server.shutdown()
    }

    @Test("a host name is looked up once for many connections at once; an IP address not at all")
    func oneLookupPerOrigin() async throws {
        let server = try await ScriptedServer.start { _ in .reply(status: 200, body: [1], delayMilliseconds: 20) }
        try await withClient({ $0.connectionsPerHost = 20 }) { client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<20 { group.addTask { try await get(client, "http://localhost:\(server.port)/n\(index)").status } }
                for try await status in group { #expect(status == 200) }
            }
            #expect(server.connections == 20)
            #expect(client.resolver.lookups == 1)
            _ = try await get(client, server.baseURL + "/ip")
            #expect(client.resolver.lookups == 1, "127.0.0.1 needs no lookup")
        }
        try await server.shutdown()
    }

    @Test("an idle connection is closed after the idle timeout; shutdown fails queued requests and closes the rest")
    func idleTimeoutAndShutdown() async throws {
        let server = try await ScriptedServer.start { request in
            .reply(status: 200, body: [1], delayMilliseconds: request.head.uri == "/slow" ? 5_000 : 0)
        }
        try await withClient({ $0.idleTimeout = .milliseconds(100) }) { client in
            _ = try await get(client, server.baseURL + "/once")
            let pool = try client.pool(for: server.baseURL)
            #expect(pool.openCount == 1)
            // The sweeper runs every half idle timeout: wait for the close it makes (bounded).
            let deadline = ContinuousClock.now + .seconds(20)
            while pool.openCount > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(pool.openCount == 0)
        }
        let client = HTTP1Client(settings: { var settings = HTTP1Client.Settings(); settings.connectionsPerHost = 1; return settings }())
        async let slow = clientError { try await get(client, server.baseURL + "/slow") }
        while !server.requests.contains(where: { $0.head.uri == "/slow" }) { await Task.yield() }
        async let queued = clientError { try await get(client, server.baseURL + "/queued") }
        await client.shutdown()
        let (slowError, queuedError) = await (slow, queued)
        #expect(slowError?.isStaleConnection == true || slowError.map { "\($0)" } == "\(HTTP1ClientError.shutDown)")
        #expect(queuedError.map { "\($0)" } == "\(HTTP1ClientError.shutDown)" || queuedError?.isStaleConnection == true)
        let after = await clientError { try await get(client, server.baseURL + "/late") }
        #expect(after.map { "\($0)" } == "\(HTTP1ClientError.shutDown)")
        let elsewhere = await clientError { try await get(client, "http://localhost:\(server.port)/new-origin") }
        #expect(elsewhere.map { "\($0)" } == "\(HTTP1ClientError.shutDown)", "an origin first seen after shutdown is refused too")
        try await server.shutdown()
    }

    @Test("URLs: origins, default ports, IPv6, bad schemes and ports")
    func targets() throws {
        let plain = try RequestTarget(url: "HTTP://Example.com/a/b?c=d#frag")
        #expect(plain.origin == .init(secure: false, host: "example.com", port: 80) && plain.pathAndQuery == "/a/b?c=d" && plain.hostHeader == "example.com")
        let secure = try RequestTarget(url: "https://[::1]:8443?x=1")
        #expect(secure.origin == .init(secure: true, host: "::1", port: 8443) && secure.pathAndQuery == "/?x=1" && secure.hostHeader == "[::1]:8443")
        #expect(try RequestTarget(url: "https://api.x.ai").pathAndQuery == "/")
        #expect(try plain.resolving("c").pathAndQuery == "/a/c")
        #expect(try plain.resolving("//other.com/z").origin.host == "other.com")
        for bad in ["ftp://x", "http://", "http://user@host/", "http://h:0/", "http://h:99999/", "http://[::1/"] {
            #expect(throws: HTTP1ClientError.self, "\(bad)") { try RequestTarget(url: bad) }
        }
    }
}
