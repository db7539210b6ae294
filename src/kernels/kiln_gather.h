#ifndef KILN_GATHER_H
#define KILN_GATHER_H

#include "kiln_common.h"

/* Gather along one axis with compile-time indices, for any dtype. x is viewed as
 * [outer, axis_dim, inner_bytes], y as [outer, count, inner_bytes]; y[o, j] = x[o, indices[j]].
 * Indices are already normalized to 0..axis_dim-1 by the compiler. */
void kiln_gather(const void* x, void* y, int32_t outer, int32_t axis_dim, int32_t inner_bytes,
                 int32_t count, const int32_t* indices);

#endif
