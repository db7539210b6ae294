#include "kiln_global_average_pool_s16.h"

void kiln_global_average_pool_s16(const int16_t* x, int16_t* y, int32_t planes, int32_t plane_size,
                                  int32_t x_zero_point, int32_t y_zero_point, int32_t multiplier,
                                  int32_t shift, int32_t requant_mode, int32_t act_min,
                                  int32_t act_max) {
  int32_t p, i;
  for (p = 0; p < planes; ++p) {
    const int16_t* x_plane = x + p * plane_size;
    int64_t acc = 0;
    for (i = 0; i < plane_size; ++i) acc += (int32_t)x_plane[i] - x_zero_point;
    y[p] = (int16_t)kiln_offset_clamp(kiln_requantize64(acc, requant_mode, multiplier, shift),
                                      y_zero_point, act_min, act_max);
  }
}
