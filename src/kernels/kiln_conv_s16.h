#ifndef KILN_CONV_S16_H
#define KILN_CONV_S16_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* kiln_conv_s8 with int16 activations (16x8): x and y int16, w int8 (w_bits 8 or 4), bias int64
 * or NULL, accumulation in int64, requantization by kiln_requantize64. w_zero_points,
 * multipliers and shifts as in kiln_conv_s8 (KILN_REQUANT_PER_TENSOR: one multiplier and shift).
 * w_zero_points may be NULL: every weight zero point is 0 (symmetric weights, the common case),
 * so no array of zeros is stored. */
void kiln_conv_s16(const int16_t* x, const int8_t* w, const int64_t* bias, int16_t* y,
                   int32_t batch, int32_t in_channels, int32_t out_channels, int32_t group,
                   const int32_t* in_size, const int32_t* out_size, const int32_t* kernel_size,
                   const int32_t* strides, const int32_t* dilations, const int32_t* pads,
                   int32_t w_bits, int32_t x_zero_point, const int32_t* w_zero_points,
                   int32_t y_zero_point, const int32_t* multipliers, const int32_t* shifts,
                   int32_t requant_mode, int32_t act_min, int32_t act_max);

#endif
