#include "kiln_global_max_pool_f32.h"

void kiln_global_max_pool_f32(const float* x, float* y, int32_t planes, int32_t plane_size) {
  int32_t p, i;
  for (p = 0; p < planes; ++p) {
    const float* x_plane = x + p * plane_size;
    float best = x_plane[0];
    for (i = 1; i < plane_size; ++i)
      if (x_plane[i] > best) best = x_plane[i];
    y[p] = best;
  }
}
