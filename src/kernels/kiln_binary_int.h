#ifndef KILN_BINARY_INT_H
#define KILN_BINARY_INT_H

#include "kiln_binary_ops.h"
#include "kiln_cast_elem.h"
#include "kiln_common.h"

/* y = a <op> b with numpy broadcasting for integer tensors; a, b and y all have the element
 * type `dtype` (a KILN_DTYPE_* integer code, see kiln_cast_elem.h). Arithmetic is done in 64
 * bits and wraps to the type on store, as numpy does. DIV truncates toward zero like C and
 * gives 0 for a zero divisor (C leaves it undefined); POW with a negative exponent gives 0
 * unless the base is 1 or -1. Shapes and strides as in kiln_binary_f32. */
void kiln_binary_int(int32_t op, int32_t dtype, const void* a, const void* b, void* y, int32_t rank,
                     const int32_t* shape, const int32_t* a_strides, const int32_t* b_strides);

#endif
