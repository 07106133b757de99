#include <stdlib.h>  /* defines __GLIBC__ */
#include "heap_tuning.h"

#if defined(__GLIBC__)
#include <malloc.h>

/// glibc makes up to 8 arenas per core, one per thread that finds the others
/// busy, and a piece freed in one arena never serves another. Argo allocates
/// response bodies on the event loops and their Lua strings on the concurrency
/// pool, so with many arenas the heap crept up a few MB every few cycles. The
/// limit only holds if set before a second arena exists, hence a constructor:
/// it runs before `main` and before any thread is started.
static const int arena_max = 4;

__attribute__((constructor)) static void argo_heap_tuning(void) {
    mallopt(M_ARENA_MAX, arena_max);
}

int argo_heap_arena_max(void) { return arena_max; }
#else
int argo_heap_arena_max(void) { return 0; }
#endif
