import ArgoCore
@testable import ArgoFetch
import ArgoSimulator
import Foundation
import Synchronization

/// A simulator and a fetcher on one shared transport, both shut down afterwards.
/// With `wire.tls`, the transport trusts the simulator's authority unless `trustCA` is false.
func withFetcher<R>(
    connectionsPerHost: Int? = 8, clock: any Clock<Duration> = ContinuousClock(), cacheBytes: Int = Fetcher.defaultCacheBytes,
    wire: Simulator.Wire = .plain, trustCA: Bool = true, _ body: (Simulator, Fetcher) async throws -> R
) async throws -> R {
    let simulator = try await Simulator.start(scenario: SimulatorScenario(today: "2026-11-24"), wire: wire)
    var configuration = HTTPTransport.Configuration()
    configuration.connectionsPerHost = connectionsPerHost
    if let tls = wire.tls, trustCA {
        let caFile = FileManager.default.temporaryDirectory.appendingPathComponent("argo-test-ca-\(UUID().uuidString).pem").path
        try tls.writeCA(to: caFile)
        configuration.caFile = caFile
    }
    defer { if let caFile = configuration.caFile { try? FileManager.default.removeItem(atPath: caFile) } }
    let transport = HTTPTransport(configuration: configuration)
    let fetcher = Fetcher(transport: transport, clock: clock, cacheBytes: cacheBytes)
    do {
        let result = try await body(simulator, fetcher)
        try await transport.shutdown()
        try await simulator.shutdown()
        return result
    } catch {
        try? await transport.shutdown()
        try? await simulator.shutdown()
        throw error
    }
}

/// An Alpaca bars request for `symbol` against the simulator.
func barsRequest(_ simulator: Simulator, _ symbol: String, limit: Int = 250, secret: String = "test-secret") -> FetchRequest {
    FetchRequest(
        baseURL: simulator.baseURL, path: "/v2/stocks/\(symbol)/bars",
        query: [.init("timeframe", "1Day"), .init("limit", "\(limit)"), .init("start", "2025-11-01")],
        headers: [.init("APCA-API-KEY-ID", "test-key"), .init("APCA-API-SECRET-KEY", secret)])
}

func policy(_ name: String = "alpaca", _ change: (inout SourcePolicy) -> Void = { _ in }) -> SourcePolicy {
    var policy = SourcePolicy(name: name)
    policy.backoffBase = 0.01
    policy.backoffCap = 0.05
    change(&policy)
    return policy
}

func knobs(_ change: (inout RouteKnobs) -> Void) -> RouteKnobs {
    var knobs = RouteKnobs()
    change(&knobs)
    return knobs
}

func deadline(in seconds: Double) -> ContinuousClock.Instant { .now + .milliseconds(Int64(seconds * 1000)) }

/// Runs `fetch` and returns its error, or nil when it succeeded.
func failure(_ fetch: () async throws -> FetchResponse) async -> FetchError? {
    do {
        _ = try await fetch()
        return nil
    } catch {
        return error as? FetchError ?? FetchError(.plugin, "unexpected error type: \(error)")
    }
}

/// Argo's HTTP/1.1 client for one test (settings changed by `change`), shut down afterwards.
func withHTTP1Client(_ change: (inout HTTP1Client.Settings) -> Void = { _ in }, _ body: (HTTP1Client) async throws -> Void) async throws {
    var settings = HTTP1Client.Settings()
    change(&settings)
    let client = HTTP1Client(settings: settings)
    do {
        try await body(client)
        await client.shutdown()
    } catch {
        await client.shutdown()
        throw error
    }
}

/// The client error an exchange failed with (nil when it succeeded or failed otherwise).
func http1ClientError(_ body: () async throws -> HTTP1Response) async -> HTTP1ClientError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error as? HTTP1ClientError
    }
}
