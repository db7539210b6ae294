#include "kiln_softmax_f32.h"

#include <math.h>

#include "kiln_math.h"

void kiln_softmax_f32(const float* x, float* y, int32_t outer, int32_t length, int32_t inner,
                      int32_t log_softmax, float beta) {
  int32_t o;
  int32_t k;
  int32_t j;
  if (length <= 0) return;
  for (o = 0; o < outer; ++o) {
    for (k = 0; k < inner; ++k) {
      const size_t base = (size_t)o * (size_t)length * (size_t)inner + (size_t)k;
      const float* xs = x + base;
      float* ys = y + base;
      float max = xs[0];
      float sum = 0.0f;
      for (j = 1; j < length; ++j)
        if (xs[(size_t)j * inner] > max) max = xs[(size_t)j * inner];
      if (log_softmax) {
        /* x is read again after the sum, so nothing is stored before then (y may be x). */
        /* (x - max) - log(sum), not x - (max + log(sum)): keeps precision for large x. */
        float log_sum;
        for (j = 0; j < length; ++j) sum += kiln_expf((xs[(size_t)j * inner] - max) * beta);
        log_sum = logf(sum);
        for (j = 0; j < length; ++j)
          ys[(size_t)j * inner] = (xs[(size_t)j * inner] - max) * beta - log_sum;
      } else {
        float scale;
        for (j = 0; j < length; ++j) {
          const float e = kiln_expf((xs[(size_t)j * inner] - max) * beta);
          ys[(size_t)j * inner] = e;
          sum += e;
        }
        scale = 1.0f / sum;
        for (j = 0; j < length; ++j) ys[(size_t)j * inner] *= scale;
      }
    }
  }
}
