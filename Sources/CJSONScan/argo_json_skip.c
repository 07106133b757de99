#include "argo_json_skip.h"

// The skip reads 64 bytes at a time where a block holds no backslash: one bit
// mask per byte class (backslash, quote, opening and closing bracket), a prefix
// XOR of the quote bits for the bytes inside strings, then only the brackets
// left are walked. `[` and `{` differ only in bit 0x20, as do `]` and `}`, so
// OR-ing 0x20 into every byte finds both of a pair with one compare. The block
// masks come from AVX-512BW, AVX2 or SSE2, and the prefix XOR from a carry-less
// multiply where the CPU has them, chosen once at the first call; anything
// else goes byte by byte.

/// One 64-byte block's byte classes, bit i for byte i.
typedef struct block_masks {
    uint64_t backslash, quote, open, close;
} block_masks;

/// Carries on byte by byte over `bytes[*at..<stop)`; returns 1 when the skip
/// ended (`*at` just past the closing bracket or the bracket past `max_depth`),
/// 0 when it reached `stop`.
static int skip_bytes(const uint8_t *bytes, size_t *at, size_t stop, argo_json_skip_state *state) {
    size_t i = *at;
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
                *at = i + 1;
                return 1;
            }
        } else if (c == '}' || c == ']') {
            if (state->depth == 0) {
                state->closed = 1;
                *at = i + 1;
                return 1;
            }
            state->depth -= 1;
        }
    }
    *at = stop;
    return 0;
}

/// Walks the brackets outside strings of one block whose masks are known.
/// Returns 0 when the skip goes on past the block (`state->in_string` then
/// says how the block ended), or the offset within it just past where the skip ended (1...64).
static inline size_t walk_block(block_masks m, uint64_t inside_quotes, argo_json_skip_state *state) {
    uint64_t inside = inside_quotes ^ (state->in_string ? ~(uint64_t)0 : 0);
    uint64_t structural = (m.open | m.close) & ~inside;
    while (structural != 0) {
        int bit = __builtin_ctzll(structural);
        if ((m.close >> bit) & 1) {
            if (state->depth == 0) {
                state->in_string = 0;
                state->closed = 1;
                return (size_t)bit + 1;
            }
            state->depth -= 1;
        } else {
            state->depth += 1;
            if (state->max_depth > 0 && state->depth > state->max_depth) {
                state->in_string = 0;  // the bracket is outside strings
                state->too_deep = 1;
                return (size_t)bit + 1;
            }
        }
        structural &= structural - 1;
    }
    state->in_string = (int)(inside >> 63);
    return 0;
}

/// Bit i set where an odd number of bits 0...i of `x` are set (portable).
static inline uint64_t prefix_xor_shifts(uint64_t x) {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

/// The skip, for one way of computing a block's masks and prefix XOR.
#define ARGO_DEFINE_SKIP(NAME, ATTRIBUTES, MASKS, PREFIX_XOR)                                      \
    ATTRIBUTES static size_t NAME(const uint8_t *bytes, size_t length, argo_json_skip_state *state) { \
        size_t i = 0;                                                                              \
        while (i < length) {                                                                       \
            if (!state->escaped && i + 64 <= length) {                                             \
                block_masks m = MASKS(bytes + i);                                                  \
                if (m.backslash == 0) {                                                            \
                    size_t end = walk_block(m, PREFIX_XOR(m.quote), state);                        \
                    if (end > 0) return i + end;                                                   \
                    i += 64;                                                                       \
                    continue;                                                                      \
                }                                                                                  \
            }                                                                                      \
            /* Byte by byte: a part's tail, or 64 bytes holding a backslash. */                    \
            size_t stop = i + 64 <= length ? i + 64 : length;                                      \
            if (skip_bytes(bytes, &i, stop, state)) return i;                                      \
        }                                                                                          \
        return length;                                                                             \
    }

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

static inline block_masks masks_sse2(const uint8_t *p) {
    const __m128i backslash = _mm_set1_epi8('\\'), quote = _mm_set1_epi8('"');
    const __m128i open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}'), bit = _mm_set1_epi8(0x20);
    block_masks m = {0, 0, 0, 0};
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        __m128i folded = _mm_or_si128(v, bit);
        int shift = 16 * k;
        m.backslash |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash)) << shift;
        m.quote |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) << shift;
        m.open |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(folded, open)) << shift;
        m.close |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(folded, close)) << shift;
    }
    return m;
}

__attribute__((target("avx2"))) static inline block_masks masks_avx2(const uint8_t *p) {
    const __m256i backslash = _mm256_set1_epi8('\\'), quote = _mm256_set1_epi8('"');
    const __m256i open = _mm256_set1_epi8('{'), close = _mm256_set1_epi8('}'), bit = _mm256_set1_epi8(0x20);
    block_masks m = {0, 0, 0, 0};
    for (int k = 0; k < 2; k++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(p + 32 * k));
        __m256i folded = _mm256_or_si256(v, bit);
        int shift = 32 * k;
        m.backslash |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, backslash)) << shift;
        m.quote |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, quote)) << shift;
        m.open |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(folded, open)) << shift;
        m.close |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(folded, close)) << shift;
    }
    return m;
}

__attribute__((target("avx512f,avx512bw"))) static inline block_masks masks_avx512(const uint8_t *p) {
    __m512i v = _mm512_loadu_si512((const void *)p);
    __m512i folded = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
    block_masks m;
    m.backslash = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\'));
    m.quote = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
    m.open = _mm512_cmpeq_epi8_mask(folded, _mm512_set1_epi8('{'));
    m.close = _mm512_cmpeq_epi8_mask(folded, _mm512_set1_epi8('}'));
    return m;
}

/// The prefix XOR as one carry-less multiply by all ones.
__attribute__((target("pclmul"))) static inline uint64_t prefix_xor_clmul(uint64_t x) {
    __m128i product = _mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)x), _mm_set1_epi8((char)0xFF), 0);
    return (uint64_t)_mm_cvtsi128_si64(product);
}

ARGO_DEFINE_SKIP(skip_sse2, , masks_sse2, prefix_xor_shifts)
ARGO_DEFINE_SKIP(skip_avx2, __attribute__((target("avx2,pclmul"))), masks_avx2, prefix_xor_clmul)
ARGO_DEFINE_SKIP(skip_avx512, __attribute__((target("avx512f,avx512bw,pclmul"))), masks_avx512, prefix_xor_clmul)

typedef size_t (*skip_function)(const uint8_t *, size_t, argo_json_skip_state *);

/// The best skip this CPU runs (every thread that races to choose chooses the same).
static skip_function chosen_skip(void) {
    static skip_function chosen = 0;
    skip_function skip = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (skip) return skip;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("pclmul")) skip = skip_avx512;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul")) skip = skip_avx2;
    else skip = skip_sse2;
    __atomic_store_n(&chosen, skip, __ATOMIC_RELAXED);
    return skip;
}

size_t argo_json_skip(const uint8_t *bytes, size_t length, argo_json_skip_state *state) {
    return chosen_skip()(bytes, length, state);
}

size_t argo_json_skip_portable(const uint8_t *bytes, size_t length, argo_json_skip_state *state) {
    return skip_sse2(bytes, length, state);
}

const char *argo_json_skip_kind(void) {
    skip_function skip = chosen_skip();
    return skip == skip_avx512 ? "avx512bw" : skip == skip_avx2 ? "avx2" : "sse2";
}
#else
static inline block_masks masks_portable(const uint8_t *p) {
    block_masks m = {0, 0, 0, 0};
    for (int k = 0; k < 64; k++) {
        uint8_t c = p[k], folded = c | 0x20;
        m.backslash |= (uint64_t)(c == '\\') << k;
        m.quote |= (uint64_t)(c == '"') << k;
        m.open |= (uint64_t)(folded == '{') << k;
        m.close |= (uint64_t)(folded == '}') << k;
    }
    return m;
}

ARGO_DEFINE_SKIP(skip_portable, , masks_portable, prefix_xor_shifts)

size_t argo_json_skip(const uint8_t *bytes, size_t length, argo_json_skip_state *state) {
    return skip_portable(bytes, length, state);
}

size_t argo_json_skip_portable(const uint8_t *bytes, size_t length, argo_json_skip_state *state) {
    return skip_portable(bytes, length, state);
}

const char *argo_json_skip_kind(void) { return "portable"; }
#endif
