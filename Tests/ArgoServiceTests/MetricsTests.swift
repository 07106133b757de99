import ArgoCore
import ArgoEngine
import ArgoFetch
@testable import ArgoPlugins
@testable import ArgoService
import Foundation
import Testing

/// A Prometheus text exposition, parsed: `name{labels}` → value. Throws on any line that is not a comment or a sample.
func parseExposition(_ text: String) throws -> [String: Double] {
    struct BadLine: Error, CustomStringConvertible { var description: String }
    var samples: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
            throw BadLine(description: "not a sample: \(line)")
        }
        let series = String(line[..<space])
        let name = series.prefix { $0 != "{" }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }),
              series.count == name.count || (series.hasSuffix("}") && series.dropFirst(name.count).hasPrefix("{")) else {
            throw BadLine(description: "bad series: \(series)")
        }
        samples[series] = value
    }
    return samples
}

@Suite("Service: metrics endpoint")
struct MetricsTests {
    /// GET http://127.0.0.1:port/metrics through the fetch core.
    func scrape(_ fetcher: Fetcher, port: Int) async throws -> (status: Int, contentType: String?, samples: [String: Double]) {
        var policy = SourcePolicy(name: "scrape")
        policy.cacheTTL = 0
        fetcher.configure(policy)
        let response = try await fetcher.fetch(FetchRequest(baseURL: "http://127.0.0.1:\(port)", path: "/metrics"), source: "scrape",
                                               deadline: .now + .seconds(10))
        let type = response.headers.first { $0.name == "content-type" }?.value
        return (response.status, type, try parseExposition(String(decoding: response.body, as: UTF8.self)))
    }

    @Test("a scrape parses as Prometheus text and the counters move with each cycle")
    func scrapeMoves() async throws {
        try await withHarness { harness in
            let server = try await MetricsServer.start(port: 0, metrics: harness.metrics)
            let reloader = try await harness.reloader()
            let service = CycleService(reloader: reloader, store: nil, metrics: harness.metrics, logger: harness.logs.logger,
                                       interval: .zero, cycles: 1)
            try await service.run()
            let first = try await scrape(harness.fetcher, port: server.port)
            #expect(first.status == 200)
            #expect(first.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(first.samples["argo_cycles_total"] == 1)
            #expect(first.samples["argo_source_http_requests_total{source=\"alpaca\"}"] == 2, "one request per symbol")
            #expect(first.samples["argo_source_request_duration_seconds_count{source=\"alpaca\"}"] == 2)
            #expect((first.samples["argo_cycle_duration_seconds_count"] ?? 0) == 1)
            #expect(first.samples["argo_source_circuit_state{source=\"sonar\"}"] == 0)
            let signals = Direction.allCases.compactMap { first.samples["argo_signals_total{direction=\"\($0.rawValue)\"}"] }.reduce(0, +)
            #expect(signals == 2)

            try await service.run()
            let second = try await scrape(harness.fetcher, port: server.port)
            #expect(second.samples["argo_cycles_total"] == 2)
            // The second cycle is answered from the cache: hits move, upstream requests do not.
            #expect((second.samples["argo_source_cache_hits_total{source=\"alpaca\"}"] ?? 0) == 2)
            #expect(second.samples["argo_source_http_requests_total{source=\"alpaca\"}"] == 2)
            let signalsAfter = Direction.allCases.compactMap { second.samples["argo_signals_total{direction=\"\($0.rawValue)\"}"] }.reduce(0, +)
            #expect(signalsAfter == 4)
            try await server.close()
        }
    }

    @Test("anything but GET /metrics is a 404 or 405")
    func otherPaths() async throws {
        let server = try await MetricsServer.start(port: 0, metrics: ArgoMetrics())
        let transport = HTTPTransport()
        let fetcher = Fetcher(transport: transport)
        var policy = SourcePolicy(name: "probe")
        policy.maxAttempts = 1
        fetcher.configure(policy)
        await #expect(throws: FetchError.self) {
            _ = try await fetcher.fetch(FetchRequest(baseURL: "http://127.0.0.1:\(server.port)", path: "/"), source: "probe", deadline: .now + .seconds(5))
        }
        let error = await #expect(throws: FetchError.self) {
            _ = try await fetcher.fetch(FetchRequest(method: "POST", baseURL: "http://127.0.0.1:\(server.port)", path: "/metrics"),
                                        source: "probe", deadline: .now + .seconds(5))
        }
        #expect(error?.status == 405)
        try await transport.shutdown()
        try await server.close()
    }

    @Test("log lines are one line each, logfmt-quoted, with secrets removed")
    func logLines() {
        let lines = LogLines()
        let secrets = LogSecrets()
        secrets.set(["sk-live-123456"])
        var logger = lines.logger
        logger.handler = LineLogHandler(level: .info, secrets: secrets, write: { lines.append($0) })
        logger.error("reload rejected", metadata: ["error": "plugins/x.lua:3: bad \"thing\"\nkey sk-live-123456"])
        logger.debug("not at info level")
        #expect(lines.all.count == 1)
        let line = lines.all.first ?? ""
        #expect(line.contains(" error reload rejected error=\"plugins/x.lua:3: bad \\\"thing\\\"\\nkey [REDACTED]\""), "\(line)")
        #expect(!line.contains("sk-live"))
    }

    @Test("plugin CPU, overruns and set-aside plugins are exported, as increments of the quarantine's totals")
    func pluginMetrics() throws {
        let metrics = ArgoMetrics()
        let quarantine = PluginQuarantine()
        quarantine.record("regex", fingerprint: 7, end: .overran, cpuSeconds: 1.5)
        metrics.recordPlugins(quarantine.snapshot)
        for _ in 1..<PluginQuarantine.strikes { quarantine.record("regex", fingerprint: 7, end: .overran, cpuSeconds: 2) }
        quarantine.record("calm", fingerprint: 1, end: .finished, cpuSeconds: 0.25)
        metrics.recordPlugins(quarantine.snapshot)
        let samples = try parseExposition(String(decoding: metrics.exposition(), as: UTF8.self))
        #expect(samples["argo_plugin_cpu_seconds_total{source=\"regex\"}"] == 1.5 + 2 * Double(PluginQuarantine.strikes - 1))
        #expect(samples["argo_plugin_overruns_total{source=\"regex\"}"] == Double(PluginQuarantine.strikes))
        #expect(samples["argo_plugin_set_aside{source=\"regex\"}"] == 1)
        #expect(samples["argo_plugin_set_aside{source=\"calm\"}"] == 0)
        #expect(samples["argo_plugin_cpu_seconds_total{source=\"calm\"}"] == 0.25)
    }
}
