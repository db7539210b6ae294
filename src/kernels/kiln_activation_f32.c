#include "kiln_activation_f32.h"

void kiln_activation_f32(const float* x, float* y, int32_t n, int32_t act, float alpha,
                         float beta) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = kiln_activate_f32(x[i], act, alpha, beta);
}
