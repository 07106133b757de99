internal import CHeapTuning
#if canImport(Glibc)
import Glibc

/// glibc's `malloc_trim` (malloc.h, which Swift's Glibc module does not import).
@_silgen_name("malloc_trim") private func glibcMallocTrim(_ pad: Int) -> Int32
#endif

/// Gives the heap memory freed by a cycle back to the system. A cycle of
/// hundreds of symbols allocates hundreds of megabytes of response bodies and
/// connection buffers and frees them; glibc keeps much of that in its arenas,
/// so without this a long `argo run` creeps up to its worst cycle's footprint
/// and stays there. glibc's arenas are capped before `main` (`CHeapTuning`).
public enum HeapTrim {
    /// The most malloc arenas this process uses (0 where the C library is not glibc).
    public static var arenaLimit: Int { Int(argo_heap_arena_max()) }

    /// Returns free heap to the system now (a no-op where the C library is not glibc).
    public static func release() {
        #if canImport(Glibc)
        _ = glibcMallocTrim(0)
        #endif
    }
}
