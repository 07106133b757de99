@testable import ArgoFetch
import Testing

@Suite("Fetch: both HTTP clients behind HTTPTransport")
struct TransportTests {
    @Test("GET and POST give the same status, headers and body on either client", arguments: HTTPTransport.Configuration.Client.allCases)
    func sameAnswers(client: HTTPTransport.Configuration.Client) async throws {
        let server = try await ScriptedServer.start { request in
            .reply(status: request.head.method == .POST ? 201 : 200, headers: [("X-Echo", request.head.uri)], body: request.body + [0x21])
        }
        var configuration = HTTPTransport.Configuration()
        configuration.client = client
        let transport = HTTPTransport(configuration: configuration)
        let get = try await transport.send(FetchRequest(baseURL: server.baseURL, path: "/v1/a b", query: [.init("q", "x y")]),
                                           deadline: .now + .seconds(5), maxBodyBytes: 1_000)
        #expect(get.status == 200 && get.body == [0x21])
        #expect(get.headers.first { $0.name == "x-echo" }?.value == "/v1/a%20b?q=x%20y")
        let post = try await transport.send(FetchRequest(method: "post", baseURL: server.baseURL, path: "/chat", body: Array("hi".utf8)),
                                            deadline: .now + .seconds(5), maxBodyBytes: 1_000)
        #expect(post.status == 201 && post.body == Array("hi!".utf8))
        #expect(server.requests.map(\.head.method) == [.GET, .POST])
        #expect(server.connections == 1, "one keep-alive connection for both")
        try await transport.shutdown()
        try await server.shutdown()
    }
}
