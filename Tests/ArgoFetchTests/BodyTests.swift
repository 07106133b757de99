@testable import ArgoFetch
import ArgoSimulator
import Testing

@Suite("Fetch: response bodies")
struct BodyTests {
    @Test("the body arrives whole, byte for byte as the simulator sent it")
    func wholeBody() async throws {
        try await withFetcher { sim, fetcher in
            fetcher.configure(policy())
            let response = try await fetcher.fetch(barsRequest(sim, "AAPL", limit: 1000), source: "alpaca", deadline: deadline(in: 10))
            #expect(response.status == 200)
            #expect(response.body.count == sim.stats.routes["alpaca"]?.bytesOut, "every byte the simulator wrote, no more")
            #expect(response.body.first == UInt8(ascii: "{") && response.body.last == UInt8(ascii: "}"))
        }
    }

    @Test("a body past maxBodyBytes is a bad_response, not retried")
    func tooLarge() async throws {
        try await withFetcher { sim, fetcher in
            fetcher.configure(policy { $0.maxBodyBytes = 1000 })
            let error = await failure { try await fetcher.fetch(barsRequest(sim, "AAPL", limit: 1000), source: "alpaca", deadline: deadline(in: 10)) }
            #expect(error?.kind == .badResponse)
            #expect(error?.message == "response body too large")
            #expect(sim.stats.routes["alpaca"]?.requests == 1)
        }
    }
}
