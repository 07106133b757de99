#if canImport(Glibc)
import ArgoService
import Foundation
import Glibc
import Testing

@_silgen_name("malloc_info") private func glibcMallocInfo(_ options: Int32, _ stream: UnsafeMutablePointer<FILE>) -> Int32

@Suite("Heap tuning")
struct HeapTuningTests {
    /// glibc's own count of its arenas (`malloc_info`: one `<heap nr=…>` each).
    func arenas() throws -> Int {
        let file = try #require(tmpfile())
        defer { fclose(file) }
        _ = glibcMallocInfo(0, file)
        let size = ftell(file)
        rewind(file)
        var bytes = [UInt8](repeating: 0, count: size)
        _ = fread(&bytes, 1, size, file)
        return String(decoding: bytes, as: UTF8.self).components(separatedBy: "<heap nr=").count - 1
    }

    @Test("16 threads allocating at once share at most the 4 arenas set before main (glibc would make up to 16 on 2 cores)")
    func arenaLimit() throws {
        #expect(HeapTrim.arenaLimit == 4)
        let threads = (0..<16).map { _ in
            Thread {
                for round in 0..<20_000 {
                    let block = malloc(64 + round % 512)
                    free(block)
                }
            }
        }
        threads.forEach { $0.start() }
        while threads.contains(where: { !$0.isFinished }) { usleep(1_000) }
        let count = try arenas()
        #expect(count >= 1 && count <= HeapTrim.arenaLimit, "\(count) arenas")
    }
}
#endif
