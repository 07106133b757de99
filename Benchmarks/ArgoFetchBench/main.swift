// `make bench-fetch`: the client-side CPU cost of one request through the
// fetch core, against `argo simulate` running as a separate process on
// loopback (so the simulator's CPU is not counted). Not a test: it prints figures.
//
// Usage: ArgoFetchBench BASE_URL [requests] [concurrency]
import ArgoCore
import ArgoFetch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// User + system CPU seconds of this process so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

struct Figures {
    var requests: Int
    var wall: Double
    var cpu: Double
    var line: String {
        String(format: "%8d requests  %7.0f req/s  %6.1f µs CPU/request  %6.1f µs wall/request",
               requests, Double(requests) / wall, cpu / Double(requests) * 1e6, wall / Double(requests) * 1e6)
    }
}

/// Runs `requests` fetches, `concurrency` at a time, of a small Alpaca body
/// (distinct symbols, so neither the cache nor coalescing answers).
func run(base: String, requests: Int, concurrency: Int, limit: Int, freshTransportPerRequest: Bool) async throws -> Figures {
    let configuration = {
        var configuration = HTTPTransport.Configuration()
        configuration.connectionsPerHost = max(8, concurrency)
        return configuration
    }()
    let shared = HTTPTransport(configuration: configuration)
    let fetcher = Fetcher(transport: shared)
    var policy = SourcePolicy(name: "alpaca")
    policy.maxConcurrency = concurrency
    fetcher.configure(policy)
    func request(_ index: Int) -> FetchRequest {
        FetchRequest(baseURL: base, path: "/v2/stocks/B\(index % 200)/bars",
                     query: [.init("timeframe", "1Day"), .init("limit", "\(limit)"), .init("start", "2025-11-01")],
                     headers: [.init("APCA-API-KEY-ID", "bench"), .init("APCA-API-SECRET-KEY", "bench")])
    }
    // Warm up: connections, caches of the simulator.
    for index in 0..<min(200, requests) { _ = try await fetcher.fetch(request(index), source: "alpaca", deadline: .now + .seconds(30)) }
    let cpuStart = cpuSeconds()
    let wallStart = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        func add() {
            let index = next
            next += 1
            group.addTask {
                if freshTransportPerRequest {
                    let transport = HTTPTransport(configuration: configuration)
                    let own = Fetcher(transport: transport)
                    own.configure(SourcePolicy(name: "alpaca"))
                    _ = try await own.fetch(request(index), source: "alpaca", deadline: .now + .seconds(30))
                    try await transport.shutdown()
                } else {
                    _ = try await fetcher.fetch(request(index), source: "alpaca", deadline: .now + .seconds(30))
                }
            }
        }
        for _ in 0..<concurrency { add() }
        while try await group.next() != nil { if next < requests { add() } }
    }
    let figures = Figures(requests: requests, wall: wallStart.duration(to: .now).seconds, cpu: cpuSeconds() - cpuStart)
    try await shared.shutdown()
    return figures
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: ArgoFetchBench BASE_URL [requests] [concurrency]\n".utf8))
    exit(2)
}
let base = arguments[1]
let requests = arguments.count > 2 ? Int(arguments[2]) ?? 20_000 : 20_000
let concurrency = arguments.count > 3 ? Int(arguments[3]) ?? 8 : 8
print("fetch core against \(base), one run, \(ProcessInfo.processInfo.activeProcessorCount) cores")
for (label, limit) in [("1-bar body (217 B)", 1), ("250-bar body (29.7 kB)", 250)] {
    let sequential = try await run(base: base, requests: requests / 4, concurrency: 1, limit: limit, freshTransportPerRequest: false)
    print("  \(label), pooled, sequential:      \(sequential.line)")
    let concurrent = try await run(base: base, requests: requests, concurrency: concurrency, limit: limit, freshTransportPerRequest: false)
    print("  \(label), pooled, \(concurrency) concurrent:    \(concurrent.line)")
}
let fresh = try await run(base: base, requests: requests / 20, concurrency: 1, limit: 1, freshTransportPerRequest: true)
print("  1-bar body, new client+connection per request: \(fresh.line)")
