import ArgoCore
@testable import ArgoFetch
import ArgoSimulator
import Foundation
import Testing

@Suite("Fetch: the simulator over TLS with a throw-away authority")
struct SimulatorTLSTests {
    /// A simulator speaking TLS (HTTP/2 offered) and a transport that trusts its authority.
    func withTLS<R>(
        client: HTTPTransport.Configuration.Client, trust: Bool = true, _ body: (Simulator, Fetcher) async throws -> R
    ) async throws -> R {
        let tls = try SimulatorTLS.throwAway()
        let simulator = try await Simulator.start(
            scenario: SimulatorScenario(today: "2026-11-24"), wire: Simulator.Wire(tls: tls, http2MaxStreams: 128))
        let caFile = FileManager.default.temporaryDirectory.appendingPathComponent("argo-test-ca-\(UUID().uuidString).pem").path
        try tls.writeCA(to: caFile)
        var configuration = HTTPTransport.Configuration()
        configuration.client = client
        if trust { configuration.caFile = caFile }
        let transport = HTTPTransport(configuration: configuration)
        defer { try? FileManager.default.removeItem(atPath: caFile) }
        do {
            let result = try await body(simulator, Fetcher(transport: transport))
            try await transport.shutdown()
            try await simulator.shutdown()
            return result
        } catch {
            try? await transport.shutdown()
            try? await simulator.shutdown()
            throw error
        }
    }

    @Test("each client verifies the simulator against the authority it was told to trust; AsyncHTTPClient speaks HTTP/2",
          arguments: HTTPTransport.Configuration.Client.allCases)
    func trusted(client: HTTPTransport.Configuration.Client) async throws {
        try await withTLS(client: client) { sim, fetcher in
            #expect(sim.baseURL.hasPrefix("https://127.0.0.1:"))
            fetcher.configure(policy())
            for symbol in ["AAPL", "MSFT", "NVDA"] {
                let response = try await fetcher.fetch(barsRequest(sim, symbol), source: "alpaca", deadline: deadline(in: 10))
                #expect(response.status == 200)
            }
            let route = sim.stats[.alpaca]
            #expect(route.requests == 3)
            #expect(route.connections >= 1)
            #expect(route.http2Connections == (client == .asyncHTTPClient ? route.connections : 0), "ALPN: \(route)")
        }
    }

    @Test("a client that does not trust the authority refuses the simulator: no request is served",
          arguments: HTTPTransport.Configuration.Client.allCases)
    func untrusted(client: HTTPTransport.Configuration.Client) async throws {
        try await withTLS(client: client, trust: false) { sim, fetcher in
            // AsyncHTTPClient retries a failed handshake until the attempt's timeout, then reports why.
            fetcher.configure(policy { $0.maxAttempts = 1; $0.timeout = 1 })
            let error = await failure { try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 10)) }
            // A failed handshake (transient), or under load the attempt's deadline while AsyncHTTPClient retries it.
            #expect(error?.kind == .transient || error?.kind == .timeout, "\(String(describing: error))")
            #expect(sim.stats[.alpaca].requests == 0)
        }
    }
}
