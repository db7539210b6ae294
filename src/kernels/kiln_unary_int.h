#ifndef KILN_UNARY_INT_H
#define KILN_UNARY_INT_H

#include "kiln_cast_elem.h"
#include "kiln_common.h"
#include "kiln_unary_ops.h"

/* y[i] = f(x[i]) for integer or bool tensors of element type `dtype` (KILN_DTYPE_*). Supports
 * ABS, NEG and SIGN (wrapping like numpy: -INT8_MIN stays INT8_MIN) and NOT (bool). y may be
 * the same buffer as x. */
void kiln_unary_int(int32_t op, int32_t dtype, const void* x, void* y, int32_t n);

#endif
