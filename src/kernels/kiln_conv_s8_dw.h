#ifndef KILN_CONV_S8_DW_H
#define KILN_CONV_S8_DW_H

#include "kiln_common.h"

/* Fast int8 depthwise convolution: the same signature and results as kiln_conv_s8 when
 * group == in_channels == out_channels, the convolution is 1-D/2-D (in_size[0] == 1,
 * kernel_size[0] == 1), at most KILN_DW_MAX_TAPS (64) taps, w_bits 8 and all w_zero_points 0.
 * NCHW keeps each channel's plane contiguous: pixels whose window lies inside the input sum
 * x * w and add the constant -x_zero_point * sum(w) once (equal to summing (x - x_zero_point) * w);
 * border pixels take the reference's clipped window. */
void kiln_conv_s8_dw(const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y,
                     int32_t batch, int32_t in_channels, int32_t out_channels, int32_t group,
                     const int32_t* in_size, const int32_t* out_size, const int32_t* kernel_size,
                     const int32_t* strides, const int32_t* dilations, const int32_t* pads,
                     int32_t w_bits, int32_t x_zero_point, const int32_t* w_zero_points,
                     int32_t y_zero_point, const int32_t* multipliers, const int32_t* shifts,
                     int32_t requant_mode, int32_t act_min, int32_t act_max);

#endif
