#ifndef KILN_BINARY_COMPARE_H
#define KILN_BINARY_COMPARE_H

#include "kiln_binary_ops.h"
#include "kiln_cast_elem.h"
#include "kiln_common.h"

/* y = a <op> b with numpy broadcasting, y bool (one byte, 0 or 1). `op` is a comparison
 * (EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL: a and b of element type `dtype`, any
 * KILN_DTYPE_*; NaN compares unequal and unordered) or logic (AND, OR, XOR: bool inputs).
 * Shapes and strides as in kiln_binary_f32. */
void kiln_binary_compare(int32_t op, int32_t dtype, const void* a, const void* b, uint8_t* y,
                         int32_t rank, const int32_t* shape, const int32_t* a_strides,
                         const int32_t* b_strides);

#endif
