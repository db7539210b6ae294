#ifndef KILN_MEAN_TFLM_S8_H
#define KILN_MEAN_TFLM_S8_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* TensorFlow Lite (Micro)'s int8 MEAN over height and width (keep_dims, its special case for a
 * 4-D input), bit for bit, on `planes` int8 planes of plane_size elements: acc = sum(x -
 * x_zero_point); acc = kiln_multiply_by_quantized_multiplier(acc, multiplier, shift) with the
 * multiplier encoding x_scale / y_scale; acc divided by plane_size rounding half away from zero;
 * y = clamp(acc + y_zero_point, -128, 127). Unlike kiln_global_average_pool_s8 (one rounding of
 * sum * x_scale / (y_scale * n)) this rounds twice. Integer-only. */
void kiln_mean_tflm_s8(const int8_t* x, int8_t* y, int32_t planes, int32_t plane_size,
                       int32_t x_zero_point, int32_t y_zero_point, int32_t multiplier,
                       int32_t shift);

#endif
