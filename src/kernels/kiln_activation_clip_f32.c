#include "kiln_activation_clip_f32.h"

void kiln_activation_clip_f32(const float* x, const float* lo, const float* hi, float* y,
                              int32_t n) {
  const float min = lo ? *lo : -INFINITY;
  const float max = hi ? *hi : INFINITY;
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = kiln_activate_f32(x[i], KILN_ACT_CLIP, min, max);
}
