import ArgoCore
@testable import ArgoFetch
import ArgoSimulator
import Foundation
import Testing

@Suite("Fetch: the simulator over TLS with a throw-away authority")
struct SimulatorTLSTests {
    /// A simulator speaking TLS (HTTP/2 offered) and a transport that trusts its authority.
    func withTLS<R>(
        trust: Bool = true, _ body: (Simulator, Fetcher) async throws -> R
    ) async throws -> R {
        let tls = try SimulatorTLS.throwAway()
        let simulator = try await Simulator.start(
            scenario: SimulatorScenario(today: "2026-11-24"), wire: Simulator.Wire(tls: tls, http2MaxStreams: 128))
        let caFile = FileManager.default.temporaryDirectory.appendingPathComponent("argo-test-ca-\(UUID().uuidString).pem").path
        try tls.writeCA(to: caFile)
        var configuration = HTTPTransport.Configuration()
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

    @Test("the client verifies the simulator against the authority it was told to trust, and asks for HTTP/1.1")
    func trusted() async throws {
        try await withTLS { sim, fetcher in
            #expect(sim.baseURL.hasPrefix("https://127.0.0.1:"))
            fetcher.configure(policy())
            for symbol in ["AAPL", "MSFT", "NVDA"] {
                let response = try await fetcher.fetch(barsRequest(sim, symbol), source: "alpaca", deadline: deadline(in: 10))
                #expect(response.status == 200)
            }
            let route = sim.stats[.alpaca]
            #expect(route.requests == 3)
            #expect(route.connections >= 1)
            #expect(route.http2Connections == 0, "ALPN chose HTTP/1.1, though HTTP/2 was offered: \(route)")
        }
    }

    @Test("a client that does not trust the authority refuses the simulator: no request is served")
    func untrusted() async throws {
        try await withTLS(trust: false) { sim, fetcher in
            fetcher.configure(policy { $0.maxAttempts = 1; $0.timeout = 1 })
            let error = await failure { try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: deadline(in: 10)) }
            #expect(error?.kind == .transient, "\(String(describing: error))")
            #expect(sim.stats[.alpaca].requests == 0)
        }
    }
}
