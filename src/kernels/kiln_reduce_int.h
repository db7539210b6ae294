#ifndef KILN_REDUCE_INT_H
#define KILN_REDUCE_INT_H

#include "kiln_cast_elem.h"
#include "kiln_common.h"
#include "kiln_reduce_ops.h"

/* kiln_reduce_f32 for integer and bool tensors of element type `dtype` (KILN_DTYPE_*): SUM,
 * MEAN, MAX, MIN, PROD, SUM_SQUARE and L1. The accumulator is y itself, so sums wrap at y's
 * width as they go (exact modulo 2^bits for SUM/PROD; MEAN of a narrow type is exact only
 * while the running sum fits); MEAN truncates toward zero. Empty reductions give 0 for sums,
 * 1 for PROD, the type's minimum for MAX and maximum for MIN (false/true for bool). */
void kiln_reduce_int(int32_t op, int32_t dtype, const void* x, void* y, int32_t rank,
                     const int32_t* shape, const int32_t* reduce_mask);

#endif
