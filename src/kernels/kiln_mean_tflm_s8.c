#include "kiln_mean_tflm_s8.h"

void kiln_mean_tflm_s8(const int8_t* x, int8_t* y, int32_t planes, int32_t plane_size,
                       int32_t x_zero_point, int32_t y_zero_point, int32_t multiplier,
                       int32_t shift) {
  int32_t p, i;
  for (p = 0; p < planes; ++p) {
    const int8_t* plane = x + p * plane_size;
    int32_t acc = 0;
    for (i = 0; i < plane_size; ++i) acc += plane[i] - x_zero_point;
    acc = kiln_multiply_by_quantized_multiplier(acc, multiplier, shift);
    acc = acc > 0 ? (acc + plane_size / 2) / plane_size : (acc - plane_size / 2) / plane_size;
    y[p] = (int8_t)kiln_offset_clamp(acc, y_zero_point, -128, 127);
  }
}
