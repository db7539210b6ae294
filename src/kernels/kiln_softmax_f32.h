#ifndef KILN_SOFTMAX_F32_H
#define KILN_SOFTMAX_F32_H

#include "kiln_common.h"

/* Softmax (log_softmax = 0) or LogSoftmax (log_softmax = 1) of x viewed as
 * [outer, length, inner], normalizing over the middle dim. Subtracts the maximum first, so
 * large inputs do not overflow. y may be the same buffer as x. */
void kiln_softmax_f32(const float* x, float* y, int32_t outer, int32_t length, int32_t inner,
                      int32_t log_softmax);

#endif
