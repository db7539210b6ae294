#include "kiln_batch_norm_f32.h"

#include <math.h>

void kiln_batch_norm_f32(const float* x, const float* scale, const float* bias, const float* mean,
                         const float* var, float* y, int32_t batch, int32_t channels,
                         int32_t spatial, int32_t per_element, float epsilon) {
  int32_t n, c, s;
  for (n = 0; n < batch; ++n) {
    for (c = 0; c < channels; ++c) {
      const int32_t offset = (n * channels + c) * spatial;
      if (per_element) {
        for (s = 0; s < spatial; ++s) {
          const int32_t p = c * spatial + s;
          const float gain = scale[p] / sqrtf(var[p] + epsilon);
          y[offset + s] = (x[offset + s] - mean[p]) * gain + bias[p];
        }
      } else {
        /* Fold the channel's parameters into one multiply-add per element. */
        const float gain = scale[c] / sqrtf(var[c] + epsilon);
        const float shift = bias[c] - mean[c] * gain;
        for (s = 0; s < spatial; ++s) y[offset + s] = x[offset + s] * gain + shift;
      }
    }
  }
}
