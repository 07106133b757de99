#include "argo_json_skip.h"

#if defined(__SSE2__)
#include <emmintrin.h>

/// Bit i set where byte i of the 64 at `p` equals `c`.
static inline uint64_t equal_mask(const uint8_t *p, char c) {
    const __m128i needle = _mm_set1_epi8(c);
    uint64_t m0 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), needle));
    uint64_t m1 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), needle));
    uint64_t m2 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), needle));
    uint64_t m3 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), needle));
    return m0 | (m1 << 16) | (m2 << 32) | (m3 << 48);
}

/// Bit i set where an odd number of bits 0...i of `x` are set.
static inline uint64_t prefix_xor(uint64_t x) {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}
#endif

size_t argo_json_skip(const uint8_t *bytes, size_t length, argo_json_skip_state *state) {
    size_t i = 0;
    while (i < length) {
#if defined(__SSE2__)
        if (!state->escaped && i + 64 <= length) {
            const uint8_t *p = bytes + i;
            if (equal_mask(p, '\\') == 0) {
                uint64_t quotes = equal_mask(p, '"');
                uint64_t opens = equal_mask(p, '{') | equal_mask(p, '[');
                uint64_t closes = equal_mask(p, '}') | equal_mask(p, ']');
                // Inside a string: from an opening quote (included) to its closing quote (excluded).
                uint64_t inside = prefix_xor(quotes) ^ (state->in_string ? ~(uint64_t)0 : 0);
                uint64_t structural = (opens | closes) & ~inside;
                while (structural != 0) {
                    int bit = __builtin_ctzll(structural);
                    if ((closes >> bit) & 1) {
                        if (state->depth == 0) {
                            state->in_string = 0;
                            state->closed = 1;
                            return i + (size_t)bit + 1;
                        }
                        state->depth -= 1;
                    } else {
                        state->depth += 1;
                        if (state->max_depth > 0 && state->depth > state->max_depth) {
                            state->too_deep = 1;
                            return i + (size_t)bit + 1;
                        }
                    }
                    structural &= structural - 1;
                }
                state->in_string = (int)(inside >> 63);
                i += 64;
                continue;
            }
        }
#endif
        // Byte by byte: a part's tail, or 64 bytes holding a backslash.
        size_t stop = i + 64 <= length ? i + 64 : length;
        for (; i < stop; i++) {
            uint8_t c = bytes[i];
            if (state->in_string) {
                if (state->escaped) state->escaped = 0;
                else if (c == '\\') state->escaped = 1;
                else if (c == '"') state->in_string = 0;
            } else if (c == '"') {
                state->in_string = 1;
            } else if (c == '{' || c == '[') {
                state->depth += 1;
                if (state->max_depth > 0 && state->depth > state->max_depth) {
                    state->too_deep = 1;
                    return i + 1;
                }
            } else if (c == '}' || c == ']') {
                if (state->depth == 0) {
                    state->closed = 1;
                    return i + 1;
                }
                state->depth -= 1;
            }
        }
    }
    return length;
}
