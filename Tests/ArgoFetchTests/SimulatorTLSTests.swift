import ArgoCore
@testable import ArgoFetch
import ArgoSimulator
import Foundation
import Testing

@Suite("Fetch: the simulator over TLS with a throw-away authority")
struct SimulatorTLSTests {
    /// A simulator speaking TLS, HTTP/2 offered, and a fetcher whose transport trusts its authority or not.
    func withTLS<R>(trust: Bool = true, _ body: (Simulator, Fetcher) async throws -> R) async throws -> R {
        try await withFetcher(wire: Simulator.Wire(tls: try SimulatorTLS.throwAway(), http2MaxStreams: 128), trustCA: trust, body)
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
