import ArgoCore
@testable import ArgoFetch
import Testing

@Suite("Fetch: the client carries no credentials to another origin")
struct RedirectCredentialTests {
    @Test("a redirect to another origin comes back as it is; the key never reaches it")
    func redirectNotFollowed() async throws {
        let elsewhere = try await ScriptedServer.start { _ in .reply(status: 200, body: Array("stolen".utf8)) }
        let server = try await ScriptedServer.start { _ in .reply(status: 302, headers: [("Location", elsewhere.baseURL + "/collect")]) }
        let transport = HTTPTransport()
        let request = FetchRequest(baseURL: server.baseURL, path: "/bars", headers: [.init("APCA-API-SECRET-KEY", "very-secret-key")])
        let response = try await transport.send(request, deadline: .now + .seconds(30), body: BodyRule(maxBytes: 1 << 20))
        #expect(response.status == 302)
        #expect(elsewhere.requests.isEmpty, "the secret header never goes to another origin")
        try await transport.shutdown()
        try await server.shutdown()
        try await elsewhere.shutdown()
    }
}
