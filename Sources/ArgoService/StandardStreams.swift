import Foundation

/// Standard output and standard error written with `write(2)`.
///
/// `FileHandle.write` raises an Objective-C exception when the write fails (a
/// full disk, a closed pipe), which is fatal on Linux; `print` drops the failure
/// silently. Here a failed write is an error: one line on standard error where
/// that still works, and exit status 1, never a trap.
public enum StandardStreams {
    /// Writes to a closed pipe then fail with EPIPE instead of killing the process with SIGPIPE.
    public static func ignoreBrokenPipes() { signal(SIGPIPE, SIG_IGN) }

    /// Why standard output could not be written.
    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes `bytes` to standard output.
    public static func write(_ bytes: [UInt8]) throws(WriteError) {
        if let code = write(bytes, to: STDOUT_FILENO) {
            throw WriteError(description: "cannot write to standard output: \(String(cString: strerror(code)))")
        }
    }

    /// Writes `text` and a newline to standard output.
    public static func line(_ text: String) throws(WriteError) { try write(Array((text + "\n").utf8)) }

    /// Writes `text` to standard error as it is (a progress line rewriting itself); a failure is ignored.
    public static func error(_ text: String) { _ = write(Array(text.utf8), to: STDERR_FILENO) }

    /// Writes `text` and a newline to standard error; when even that fails, exits with status 1.
    public static func errorLine(_ text: String) {
        if write(Array((text + "\n").utf8), to: STDERR_FILENO) != nil { exit(1) }
    }

    /// Writes all of `bytes` to `descriptor`, retrying short writes and EINTR; the errno of a failure.
    static func write(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        bytes.withUnsafeBytes { buffer -> Int32? in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }
}
