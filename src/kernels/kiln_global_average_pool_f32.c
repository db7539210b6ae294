#include "kiln_global_average_pool_f32.h"

void kiln_global_average_pool_f32(const float* x, float* y, int32_t planes, int32_t plane_size) {
  int32_t p, i;
  for (p = 0; p < planes; ++p) {
    const float* x_plane = x + p * plane_size;
    float sum = 0.0f;
    for (i = 0; i < plane_size; ++i) sum += x_plane[i];
    y[p] = sum / (float)plane_size;
  }
}
