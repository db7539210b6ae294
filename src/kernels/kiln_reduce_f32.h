#ifndef KILN_REDUCE_F32_H
#define KILN_REDUCE_F32_H

#include "kiln_common.h"
#include "kiln_reduce_ops.h"

/* Reduces x (row-major, `shape` of `rank` >= 1 dims) over every dim d with reduce_mask[d] != 0,
 * with a KILN_REDUCE_* op. y holds the kept dims in order (keepdims only changes y's declared
 * shape, not its layout). Any set of axes works; lowering merges neighbouring dims of the same
 * kind first so loops stay short. An empty reduction gives the op's identity (0 for sums,
 * -inf for MAX, +inf for MIN, 1 for PROD; NaN for MEAN). y must not overlap x. */
void kiln_reduce_f32(int32_t op, const float* x, float* y, int32_t rank, const int32_t* shape,
                     const int32_t* reduce_mask);

#endif
