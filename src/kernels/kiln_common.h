/* Shared definitions for kiln's C99 kernels. Every kernel file includes this first.
 * Kernels are plain C99: no allocation, no globals, no I/O. Tensor data is dense, row-major
 * (C order); dimensions and strides are int32_t. They are compiled into the kiln interpreter and
 * copied verbatim into generated code, so both run the very same source. */
#ifndef KILN_COMMON_H
#define KILN_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Largest tensor rank the generic (broadcasting, transposing) kernels handle. */
#define KILN_MAX_RANK 8

/* For the bodies shared by several kernels (kiln_*_body.h): inlined into every kernel that calls
 * them, so their constant arguments specialize the code as if it were written out. */
#if defined(__GNUC__) || defined(__clang__)
#define KILN_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define KILN_ALWAYS_INLINE inline
#endif

#endif
