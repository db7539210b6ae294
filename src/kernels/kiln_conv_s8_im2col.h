#ifndef KILN_CONV_S8_IM2COL_H
#define KILN_CONV_S8_IM2COL_H

#include "kiln_common.h"

/* Fast int8 convolution (kiln_fast_s8.h), the same signature and results as kiln_conv_s8 for
 * 1-D/2-D convolutions (in_size[0] == kernel_size[0] == 1) with 8-bit weights (w_bits 8),
 * all w_zero_points 0, at most KILN_CONV_PATCH_MAX taps per output (in_channels/group * kh * kw)
 * and at least two output channels per group. Per pair of output pixels it gathers the input
 * windows (im2col, on the stack) and runs the 2x2 blocked dot products of kiln_conv_s8_patch.h;
 * strides, pads, dilations and groups are general. The first layer of a network (few input
 * channels, a large kernel) lands here. */
void kiln_conv_s8_im2col(const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y,
                         int32_t batch, int32_t in_channels, int32_t out_channels, int32_t group,
                         const int32_t* in_size, const int32_t* out_size,
                         const int32_t* kernel_size, const int32_t* strides,
                         const int32_t* dilations, const int32_t* pads, int32_t w_bits,
                         int32_t x_zero_point, const int32_t* w_zero_points, int32_t y_zero_point,
                         const int32_t* multipliers, const int32_t* shifts, int32_t requant_mode,
                         int32_t act_min, int32_t act_max);

#endif
