#ifndef KILN_BINARY_POW_MIXED_H
#define KILN_BINARY_POW_MIXED_H

#include "kiln_cast_elem.h"
#include "kiln_common.h"

/* Pow whose base and exponent have different element types (ONNX allows e.g. float32 ^ int64
 * or int32 ^ float32): y = pow(a, b) computed in double, stored as a's type `a_dtype` (float
 * rounds; integers truncate toward zero and saturate, see kiln_cast_elem.h). Same-type Pow
 * uses kiln_binary_f32 / kiln_binary_int. Shapes and strides as in kiln_binary_f32. */
void kiln_binary_pow_mixed(int32_t a_dtype, int32_t b_dtype, const void* a, const void* b, void* y,
                           int32_t rank, const int32_t* shape, const int32_t* a_strides,
                           const int32_t* b_strides);

#endif
