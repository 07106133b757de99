#ifndef ARGO_JSON_SKIP_H
#define ARGO_JSON_SKIP_H

#include <stddef.h>
#include <stdint.h>

/// Where a skip over JSON stands between two parts of a document.
typedef struct argo_json_skip_state {
    int in_string;   ///< inside a string literal
    int escaped;     ///< the previous byte was a backslash inside a string
    long depth;      ///< brackets opened since the skip began, not yet closed
    int closed;      ///< set when the container the skip began in has closed
    long max_depth;  ///< the most brackets that may be open at once; 0: no bound
    int too_deep;    ///< set (and the skip stopped) when `max_depth` was passed
} argo_json_skip_state;

/// Passes over `bytes[0..<length)` inside a container, tracking only strings
/// and nesting, until the bracket that closes the container the skip began in.
/// Returns the offset just past that bracket (and sets `closed`), or `length`
/// when the part ends first (`state` then carries on into the next part). Brackets and quotes are
/// found 64 bytes at a time where the part has no backslash, with the widest vectors the CPU has
/// (AVX-512BW, AVX2 or SSE2 on x86-64).
size_t argo_json_skip(const uint8_t *bytes, size_t length, argo_json_skip_state *state);

/// The same skip with SSE2 and shifts only (on x86-64), whatever the CPU: for tests to compare against.
size_t argo_json_skip_portable(const uint8_t *bytes, size_t length, argo_json_skip_state *state);

/// Which skip `argo_json_skip` runs here: "avx512bw", "avx2", "sse2" or "portable".
const char *argo_json_skip_kind(void);

#endif
