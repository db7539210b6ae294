#ifndef KILN_FILL_H
#define KILN_FILL_H

#include "kiln_common.h"

/* Fills y with `count` copies of one element of `elem_bytes` bytes, for any dtype. The element
 * is given as its little-endian bytes, one per array entry (value_bytes[k] in 0..255), so the
 * same kernel fills float32, int64 or bool tensors (ConstantOfShape). */
void kiln_fill(void* y, int32_t elem_bytes, int32_t count, const int32_t* value_bytes);

#endif
