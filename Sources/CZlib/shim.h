#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H

// zlib from the system (Debian: zlib1g-dev), for Argo's HTTP/1.1 client to
// inflate gzip and deflate bodies. One wrapper, for a macro Swift cannot import.

#include <zlib.h>

/// `inflateInit2` (a macro): `window_bits` 15 + 32 reads a gzip or a zlib stream, whichever comes.
static inline int czlib_inflate_init(z_stream *stream, int window_bits) {
    return inflateInit2(stream, window_bits);
}

#endif
