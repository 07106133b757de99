import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A loopback port whose connections the kernel completes but nobody reads or
/// answers: a request to it waits until its time-out.
final class SilentListener {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        let listening = listen(fd, 128)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        descriptor = fd
        port = UInt16(bigEndian: address.sin_port)
        try #require(fd >= 0 && bound == 0 && listening == 0)
    }

    deinit { close(descriptor) }
}

@Suite("argo run and Ctrl-C", .serialized)
struct InterruptTests {
    @Test("the first Ctrl-C is acknowledged, the second stops at once with status 130 and a database with no half cycle")
    func twoInterrupts() async throws {
        let silent = try SilentListener()
        try await withRunDirectory(symbols: ["AAPL"]) { directory, config in
            // yfinance waits on the silent port, so the first cycle is still running when Ctrl-C comes.
            let run = try ChildProcess(arguments: ["run", "--interval", "0s", "--demo", "--config", config],
                                       environment: ["ARGO_SOURCES_YFINANCE_BASE_URL": "http://127.0.0.1:\(silent.port)"])
            #expect(await run.waitForLines(1) { $0.contains(" notice running") })
            run.send(SIGINT)
            #expect(await run.waitForLines(1) { $0.contains("finishing this cycle; Ctrl-C again to stop now") }, "\(run.errorLines)")
            run.send(SIGINT)
            #expect(await run.waitForExit() == 130)
            #expect(run.errorLines.contains { $0.contains("stopping now") })
            let stored = try storedCounts(directory.appendingPathComponent("history/argo.sqlite").path)
            #expect(stored.integrity == "ok")
            #expect(stored.cycles.allSatisfy { $0.signals == $0.symbols }, "only whole cycles: \(stored.cycles)")
        }
    }
}
