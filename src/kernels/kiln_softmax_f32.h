#ifndef KILN_SOFTMAX_F32_H
#define KILN_SOFTMAX_F32_H

#include "kiln_common.h"

/* Softmax (log_softmax = 0) or LogSoftmax (log_softmax = 1) of beta * x, x viewed as
 * [outer, length, inner], normalizing over the middle dim: exp((x - max) * beta) / sum (beta is
 * TFLite's SOFTMAX option; 1 for ONNX). Subtracts the maximum first, so large inputs do not
 * overflow (beta > 0). y may be the same buffer as x. */
void kiln_softmax_f32(const float* x, float* y, int32_t outer, int32_t length, int32_t inner,
                      int32_t log_softmax, float beta);

#endif
