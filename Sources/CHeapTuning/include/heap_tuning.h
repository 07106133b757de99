#ifndef ARGO_HEAP_TUNING_H
#define ARGO_HEAP_TUNING_H

/// The most glibc malloc arenas the process uses, set before `main` runs
/// (0 where the C library is not glibc).
int argo_heap_arena_max(void);

#endif
