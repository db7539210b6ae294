#ifndef KILN_BATCH_NORM_F32_H
#define KILN_BATCH_NORM_F32_H

#include "kiln_common.h"

/* Inference-mode batch normalization (ONNX BatchNormalization):
 *   y = (x - mean) / sqrt(var + epsilon) * scale + bias
 * x and y are [batch, channels, spatial] (spatial = product of the remaining dims, 1 if none);
 * y may alias x. With per_element == 0 the parameters are [channels]; with per_element == 1
 * (opset 7's spatial=0 form) they are [channels, spatial]. */
void kiln_batch_norm_f32(const float* x, const float* scale, const float* bias, const float* mean,
                         const float* var, float* y, int32_t batch, int32_t channels,
                         int32_t spatial, int32_t per_element, float epsilon);

#endif
