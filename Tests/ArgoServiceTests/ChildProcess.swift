import Foundation

/// The `argo` executable run as a child process, its standard error read line
/// by line as it comes (logs are one line per event), for tests that need a
/// real process: signals, exit status, a kill in the middle of the work.
final class ChildProcess: Sendable {
    let process: Process
    /// Standard error, line by line, ending when the child closes it.
    let lines: AsyncStream<String>
    private let exit: AsyncStream<Int32>
    private let stderr = LogLines()

    init(arguments: [String], environment: [String: String] = [:], directory: URL? = nil, standardOutput: FileHandle = .nullDevice) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Repo.argo)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let directory { process.currentDirectoryURL = directory }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = standardOutput
        let (lines, lineSink) = AsyncStream.makeStream(of: String.self)
        let (exit, exitSink) = AsyncStream.makeStream(of: Int32.self)
        let collected = stderr
        // A thread of its own doing blocking reads until EOF (FileHandle's readabilityHandler
        // can spin at EOF on Linux); it never occupies a Swift concurrency thread.
        let reader = errors.fileHandleForReading
        let thread = Thread {
            var buffer: [UInt8] = []
            while true {
                let data = reader.availableData
                if data.isEmpty { break }
                buffer += data
                while let newline = buffer.firstIndex(of: 10) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self)
                    buffer.removeSubrange(...newline)
                    collected.append(line)
                    lineSink.yield(line)
                }
            }
            lineSink.finish()
        }
        process.terminationHandler = { process in
            exitSink.yield(process.terminationStatus)
            exitSink.finish()
        }
        self.process = process
        self.lines = lines
        self.exit = exit
        try process.run()
        thread.start()
    }

    /// Sends `signal` to the child.
    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the child to end; its exit status (or the signal that ended it).
    func waitForExit() async -> Int32 {
        for await status in exit { return status }
        return process.terminationStatus
    }

    /// Every standard-error line seen so far.
    var errorLines: [String] { stderr.all }

    /// Waits until `count` lines matching `predicate` have been seen; false when the child's stderr ended first.
    func waitForLines(_ count: Int, where predicate: (String) -> Bool) async -> Bool {
        var seen = 0
        for await line in lines where predicate(line) {
            seen += 1
            if seen >= count { return true }
        }
        return false
    }
}
