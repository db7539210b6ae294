#ifndef KILN_SPLIT_H
#define KILN_SPLIT_H

#include "kiln_common.h"

/* Most outputs one Split call produces (unused trailing outputs are passed as NULL). */
#define KILN_SPLIT_MAX_OUTPUTS 8

/* Splits x along one axis into `count` tensors, for any dtype: x is viewed as
 * [outer, sum(block_bytes)] and output i as [outer, block_bytes[i]]. A NULL output (an unused
 * slot, or an output the model drops) is skipped. */
void kiln_split(const void* x, void* y0, void* y1, void* y2, void* y3, void* y4, void* y5, void* y6,
                void* y7, int32_t outer, int32_t count, const int32_t* block_bytes);

#endif
