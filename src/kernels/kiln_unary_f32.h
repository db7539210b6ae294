#ifndef KILN_UNARY_F32_H
#define KILN_UNARY_F32_H

#include "kiln_common.h"
#include "kiln_unary_ops.h"

/* y[i] = f(x[i]) for i < n, f chosen by `op` (a KILN_UNARY_* code); alpha and beta are the
 * parameters of ELU and SELU (ignored otherwise). y may be the same buffer as x. */
void kiln_unary_f32(int32_t op, const float* x, float* y, int32_t n, float alpha, float beta);

#endif
