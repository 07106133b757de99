internal import CHeapTuning
#if canImport(Glibc)
import Glibc

/// glibc's `malloc_trim` and `mallopt` (malloc.h, which Swift's Glibc module does not import).
@_silgen_name("malloc_trim") private func glibcMallocTrim(_ pad: Int) -> Int32
@_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
private let mTrimThreshold: Int32 = -1
private let mMmapThreshold: Int32 = -3
#endif

/// Gives the heap memory freed by a cycle back to the system. A cycle of
/// hundreds of symbols allocates hundreds of megabytes of response bodies and
/// connection buffers and frees them; glibc keeps much of that in its arenas,
/// so without this a long `argo run` creeps up to its worst cycle's footprint
/// and stays there (600 MB against 380 MB after 20 cycles of 2,000 symbols).
public enum HeapTrim {
    /// Keeps freed heap for the next allocation instead of giving it back on
    /// every free: response bodies (30–300 kB each) come from the heap rather
    /// than a fresh `mmap` each, and an arena is not shrunk between two bodies,
    /// so the cycle does not pay the kernel to zero the same pages again and
    /// again. The memory goes back once per cycle, with ``release()``.
    ///
    /// glibc's arenas are capped at ``arenaLimit`` before `main` (`CHeapTuning`):
    /// with up to 8 arenas the heap crept up a few MB over 20 cycles in most runs
    /// (500 symbols × 20 cycles, trimmed RSS: 3–6 MB in 6 of 7 runs; capped at 4:
    /// 74 → 75, 74 → 75 and 77 → 77 MB; the same host CPU in alternating runs).
    public static func keepFreedHeap() {
        #if canImport(Glibc)
        _ = glibcMallopt(mMmapThreshold, 32 << 20)
        _ = glibcMallopt(mTrimThreshold, 512 << 20)
        #endif
    }

    /// The most malloc arenas this process uses (0 where the C library is not glibc).
    public static var arenaLimit: Int { Int(argo_heap_arena_max()) }

    /// Returns free heap to the system now (a no-op where the C library is not glibc).
    public static func release() {
        #if canImport(Glibc)
        _ = glibcMallocTrim(0)
        #endif
    }
}
