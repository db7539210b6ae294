#ifndef KILN_BINARY_F32_H
#define KILN_BINARY_F32_H

#include "kiln_binary_ops.h"
#include "kiln_common.h"

/* y = act(a <op> b) with numpy broadcasting. `shape` is y's shape (rank >= 1); a_strides and
 * b_strides give each operand's element stride per dim of y, 0 where it is broadcast (see
 * kiln_broadcast.h). `op` is a KILN_BINARY_* code, `act`/`alpha`/`beta` a fused activation
 * (kiln_activation.h). y may be the same buffer as a or b when that operand has y's shape. */
void kiln_binary_f32(int32_t op, const float* a, const float* b, float* y, int32_t rank,
                     const int32_t* shape, const int32_t* a_strides, const int32_t* b_strides,
                     int32_t act, float alpha, float beta);

#endif
