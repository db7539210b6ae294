#ifndef KILN_STRIDED_COPY_H
#define KILN_STRIDED_COPY_H

#include "kiln_common.h"

/* Gathers a dense output from a strided view of x. The output is `rank` dims (`dims`, row-major)
 * of blocks of `block_bytes` contiguous bytes; output block (i0, .., iR-1) is read from
 * x + offset_bytes + sum(ik * strides_bytes[k]). Strides may be zero (broadcast: Expand, Tile) or
 * negative (Slice with negative steps). This one kernel serves Transpose (permuted strides),
 * Slice (offset + scaled strides), Expand and Tile (zero strides) for every dtype; the compiler
 * merges dims and folds the contiguous innermost run into block_bytes before calling it.
 * rank may be 0 (a single block). */
void kiln_strided_copy(const void* x, void* y, int32_t block_bytes, int32_t offset_bytes,
                       int32_t rank, const int32_t* dims, const int32_t* strides_bytes);

#endif
