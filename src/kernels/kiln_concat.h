#ifndef KILN_CONCAT_H
#define KILN_CONCAT_H

#include "kiln_common.h"

/* Most inputs one Concat call joins (unused trailing inputs are passed as NULL). */
#define KILN_CONCAT_MAX_INPUTS 8

/* Concatenates `count` tensors along one axis, for any dtype. Each tensor is viewed as
 * [outer, block_bytes[i]] where outer is the product of the dims before the axis and
 * block_bytes[i] the bytes of input i from the axis on; y is [outer, sum(block_bytes)]. */
void kiln_concat(const void* x0, const void* x1, const void* x2, const void* x3, const void* x4,
                 const void* x5, const void* x6, const void* x7, void* y, int32_t outer,
                 int32_t count, const int32_t* block_bytes);

#endif
