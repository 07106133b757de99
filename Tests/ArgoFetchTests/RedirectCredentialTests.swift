import ArgoCore
@testable import ArgoFetch
import Testing

@Suite("Fetch: no client carries credentials to another origin")
struct RedirectCredentialTests {
    @Test("AsyncHTTPClient returns a redirect to another origin as it is; the key never reaches it")
    func asyncHTTPClientDoesNotFollow() async throws {
        let elsewhere = try await ScriptedServer.start { _ in .reply(status: 200, body: Array("stolen".utf8)) }
        let server = try await ScriptedServer.start { _ in .reply(status: 302, headers: [("Location", elsewhere.baseURL + "/collect")]) }
        var configuration = HTTPTransport.Configuration()
        configuration.client = .asyncHTTPClient
        let transport = HTTPTransport(configuration: configuration)
        let request = FetchRequest(baseURL: server.baseURL, path: "/bars", headers: [.init("APCA-API-SECRET-KEY", "very-secret-key")])
        let response = try await transport.send(request, deadline: .now + .seconds(30), body: BodyRule(maxBytes: 1 << 20))
        #expect(response.status == 302)
        #expect(elsewhere.requests.isEmpty, "the secret header never goes to another origin")
        try await transport.shutdown()
        try await server.shutdown()
        try await elsewhere.shutdown()
    }
}
