#ifndef KILN_CONV_S8_1X1_H
#define KILN_CONV_S8_1X1_H

#include "kiln_common.h"

/* Fast int8 pointwise convolution: kiln_conv_s8_im2col's conditions plus a 1x1 kernel,
 * strides 1, pads 0 and group 1, so the patch of a pixel is one value per input channel and the
 * gather is a single strided loop (no window arithmetic). Same signature and results as
 * kiln_conv_s8. */
void kiln_conv_s8_1x1(const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y,
                      int32_t batch, int32_t in_channels, int32_t out_channels, int32_t group,
                      const int32_t* in_size, const int32_t* out_size, const int32_t* kernel_size,
                      const int32_t* strides, const int32_t* dilations, const int32_t* pads,
                      int32_t w_bits, int32_t x_zero_point, const int32_t* w_zero_points,
                      int32_t y_zero_point, const int32_t* multipliers, const int32_t* shifts,
                      int32_t requant_mode, int32_t act_min, int32_t act_max);

#endif
