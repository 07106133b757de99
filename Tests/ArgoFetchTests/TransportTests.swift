import ArgoCore
@testable import ArgoFetch
import Testing

@Suite("Fetch: the HTTP client behind HTTPTransport")
struct TransportTests {
    @Test("GET and POST give the status, headers and body the server sent")
    func sameAnswers() async throws {
        let server = try await ScriptedServer.start { request in
            .reply(status: request.head.method == .POST ? 201 : 200, headers: [("X-Echo", request.head.uri)], body: request.body + [0x21])
        }
        let transport = HTTPTransport()
        let get = try await transport.send(FetchRequest(baseURL: server.baseURL, path: "/v1/a b", query: [.init("q", "x y")]),
                                           deadline: .now + .seconds(30), body: BodyRule(maxBytes: 1_000))
        #expect(get.status == 200 && get.body == [0x21])
        #expect(get.headers.first { $0.name == "x-echo" }?.value == "/v1/a%20b?q=x%20y")
        let post = try await transport.send(FetchRequest(method: "post", baseURL: server.baseURL, path: "/chat", body: Array("hi".utf8)),
                                            deadline: .now + .seconds(30), body: BodyRule(maxBytes: 1_000))
        #expect(post.status == 201 && post.body == Array("hi!".utf8))
        #expect(server.requests.map(\.head.method) == [.GET, .POST])
        #expect(server.connections == 1, "one keep-alive connection for both")
        try await transport.shutdown()
        try await server.shutdown()
    }

    @Test("a JSON body with max_items is pruned as it arrives; the byte limit counts what was received")
    func prunedBody() async throws {
        // About 500 kB: it arrives in many reads, so the pruner sees it in parts.
        let entries = (0..<10_000).map { #""2026-\#($0)": {"v": "\#($0).5", "s": "a, \\"b\\" ]"}"# }
        let document = #"{"Meta Data": {"1: Symbol": "AAPL"}, "Series": {"# + entries.joined(separator: ",\n  ") + "}}"
        let server = try await ScriptedServer.start { request in
            .reply(status: 200, headers: request.head.uri == "/chunked" ? [("Transfer-Encoding", "chunked")] : [], body: Array(document.utf8))
        }
        let transport = HTTPTransport()
        let kept = #"{"Meta Data": {"1: Symbol": "AAPL"}, "Series": {"# + entries.prefix(2).joined(separator: ",\n  ") + "}}"
        for path in ["/declared", "/chunked"] {
            let response = try await transport.send(FetchRequest(baseURL: server.baseURL, path: path, maxItems: 2),
                                                    deadline: .now + .seconds(30), body: BodyRule(maxBytes: 4 << 20, maxItems: 2))
            #expect(String(decoding: response.body, as: UTF8.self) == kept, "\(path)")
            let whole = try await transport.send(FetchRequest(baseURL: server.baseURL, path: path),
                                                 deadline: .now + .seconds(30), body: BodyRule(maxBytes: 4 << 20))
            #expect(whole.body.count == document.utf8.count)
            await #expect(throws: HTTP1ClientError.self, "\(path): 500 kB received, past a 100 kB limit, however little is kept") {
                _ = try await transport.send(FetchRequest(baseURL: server.baseURL, path: path, maxItems: 2),
                                             deadline: .now + .seconds(30), body: BodyRule(maxBytes: 100_000, maxItems: 2))
            }
        }
        try await transport.shutdown()
        try await server.shutdown()
    }
}
