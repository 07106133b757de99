import ArgoCore
@testable import ArgoFetch
import ArgoSimulator
import Foundation
import NIOCore
import Testing

/// Tests that wait for a real deadline to pass, against loopback servers, and
/// check it was kept. `make test` runs them alone, after the parallel run: beside
/// a few hundred other tests on 2 cores, a deadline's timer can fire late.
@Suite("Fetch: real deadlines (run alone)")
struct RealDeadlineTests {
    let http1 = HTTP1ClientTests()

    @Test("a hanging route: each attempt times out, and the fetch ends by the deadline")
    func hangKeepsDeadline() async throws {
        try await withFetcher { sim, fetcher in
            fetcher.configure(policy { $0.timeout = 0.25; $0.maxAttempts = 10 })
            sim.setKnobs(knobs { $0.hangRate = 1 }, for: .alpaca)
            // 6 s: the suites' parallel start can keep both cooperative threads busy for ~2 s, and an
            // attempt's timeout is only noticed when a thread is free (it once left room for 1 attempt in 3 s).
            let end = deadline(in: 6)
            let error = await failure { try await fetcher.fetch(barsRequest(sim, "AAPL"), source: "alpaca", deadline: end) }
            let finished = ContinuousClock.now
            #expect(error?.kind == .timeout)
            #expect((error?.attempts ?? 0) >= 2, "0.25 s attempts inside a 6 s deadline: \(String(describing: error))")
            #expect(finished < end + .milliseconds(500), "the deadline is kept")
            #expect(sim.stats.routes["alpaca"]?.hung == sim.stats.routes["alpaca"]?.requests)
        }
    }

    @Test("the pool is a hard limit: 40 requests at once over 3 connections; a queued request gives up at its deadline")
    func hardLimitAndQueueDeadline() async throws {
        let server = try await ScriptedServer.start { request in
            .reply(status: 200, body: [1], delayMilliseconds: request.head.uri == "/slow" ? 1_500 : 20)
        }
        try await http1.withClient({ $0.connectionsPerHost = 3 }) { client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<40 { group.addTask { try await http1.get(client, server.baseURL + "/q\(index)").status } }
                for try await status in group { #expect(status == 200) }
            }
            #expect(server.connections == 3 && server.maxOpenConnections == 3)
            #expect(try client.pool(for: server.baseURL).openCount == 3)
        }
        try await http1.withClient({ $0.connectionsPerHost = 1 }) { client in
            async let slow = http1.get(client, server.baseURL + "/slow")
            // Wait until the slow request holds the only connection.
            while !server.requests.contains(where: { $0.head.uri == "/slow" }) { await Task.yield() }
            let error = await http1.clientError { try await http1.get(client, server.baseURL + "/queued", within: 200) }
            #expect(error.map { "\($0)" } == "\(HTTP1ClientError.deadline)")
            let slowResponse = try await slow
            #expect(slowResponse.status == 200)
            #expect(!server.requests.contains { $0.head.uri == "/queued" })
        }
        try await server.shutdown()
    }

    @Test("a body that stops arriving fails at the deadline, and its connection is closed, not reused")
    func deadlineMidBody() async throws {
        let server = try await ScriptedServer.start { $0.head.uri == "/stall" ? .stall(declared: 1_000, sent: 10) : .reply(status: 200, body: [2]) }
        try await http1.withClient({ $0.connectionsPerHost = 1 }) { client in
            let error = await http1.clientError { try await http1.get(client, server.baseURL + "/stall", within: 300) }
            #expect(error.map { "\($0)" } == "\(HTTP1ClientError.deadline)")
            let next = try await http1.get(client, server.baseURL + "/next")
            #expect(next.body == [2])
            #expect(server.connections == 2)
        }
        try await server.shutdown()
    }

    @Test("deadlines on a reused connection: a later exchange is held to its own deadline, earlier or later than the one before")
    func deadlinesAcrossExchanges() async throws {
        let server = try await ScriptedServer.start { $0.head.uri == "/stall" ? .stall(declared: 1_000, sent: 10) : .reply(status: 200, body: [3]) }
        try await http1.withClient({ $0.connectionsPerHost = 1 }) { client in
            // A quick exchange with a short deadline leaves the connection's timer set for it; the next, stalled,
            // exchange has a later deadline: the timer firing first must not fail it, its own deadline must.
            // (Seconds: the suites run side by side on two cores, where a request has been seen to take over three.)
            _ = try await http1.get(client, server.baseURL + "/quick", within: 6_000)
            var started = ContinuousClock.now
            var error = await http1.clientError { try await http1.get(client, server.baseURL + "/stall", within: 7_000) }
            #expect(error.map { "\($0)" } == "\(HTTP1ClientError.deadline)")
            #expect(started.duration(to: .now) >= .milliseconds(6_990), "failed before its own deadline")
            // A long deadline, then a shorter one on the same connection: the shorter one must still hold.
            _ = try await http1.get(client, server.baseURL + "/quick", within: 60_000)
            _ = try await http1.get(client, server.baseURL + "/quick", within: 60_000)
            started = ContinuousClock.now
            error = await http1.clientError { try await http1.get(client, server.baseURL + "/stall", within: 200) }
            #expect(error.map { "\($0)" } == "\(HTTP1ClientError.deadline)")
            #expect(started.duration(to: .now) < .seconds(30), "held to the earlier exchange's 60 s deadline")
        }
        try await server.shutdown()
    }

    @Test("a body that stops arriving after the head: the exchange ends by its deadline", .timeLimit(.minutes(1)))
    func stalledBody() async throws {
        let server = try await ScriptedServer.start { _ in .stall(declared: 1_000, sent: 10) }
        let transport = HTTPTransport()
        let deadline = ContinuousClock.now + .milliseconds(300)
        await #expect(throws: (any Error).self) {
            _ = try await transport.send(FetchRequest(baseURL: server.baseURL, path: "/stall"), deadline: deadline, body: BodyRule(maxBytes: 10_000))
        }
        // The head came at once; only the deadline ended the wait for the rest of the body.
        #expect(ContinuousClock.now < deadline + .seconds(2), "ended by the deadline, not left waiting")
        #expect(server.requests.count == 1)
        try await transport.shutdown()
        try await server.shutdown()
    }
}
