#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>

/// `deflateInit2` is a macro in zlib.h; Swift cannot call macros, so wrap it.
/// windowBits -15 selects a raw deflate stream (RFC 1951): no header or trailer of its own.
static inline int CZlib_deflateInitRaw(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}
#endif
