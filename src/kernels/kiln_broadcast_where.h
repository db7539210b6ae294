#ifndef KILN_BROADCAST_WHERE_H
#define KILN_BROADCAST_WHERE_H

#include "kiln_common.h"

/* ONNX Where: y = cond ? a : b element-wise with numpy broadcasting of all three. Works on
 * bytes, so it serves every dtype: a, b and y have elements of `elem_size` bytes, cond is bool
 * (one byte). `shape` is y's shape (rank >= 1) and c/a/b_strides the operands' element strides
 * per dim of y, 0 where broadcast (see kiln_broadcast.h). */
void kiln_broadcast_where(const uint8_t* cond, const void* a, const void* b, void* y,
                          int32_t elem_size, int32_t rank, const int32_t* shape,
                          const int32_t* c_strides, const int32_t* a_strides,
                          const int32_t* b_strides);

#endif
