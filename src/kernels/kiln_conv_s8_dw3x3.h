#ifndef KILN_CONV_S8_DW3X3_H
#define KILN_CONV_S8_DW3X3_H

#include "kiln_common.h"

/* kiln_conv_s8_dw for a 3x3 kernel: the same code with the kernel size a compile-time
 * constant, so the nine weights stay in registers and the window loops unroll. */
void kiln_conv_s8_dw3x3(const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y,
                        int32_t batch, int32_t in_channels, int32_t out_channels, int32_t group,
                        const int32_t* in_size, const int32_t* out_size, const int32_t* kernel_size,
                        const int32_t* strides, const int32_t* dilations, const int32_t* pads,
                        int32_t w_bits, int32_t x_zero_point, const int32_t* w_zero_points,
                        int32_t y_zero_point, const int32_t* multipliers, const int32_t* shifts,
                        int32_t requant_mode, int32_t act_min, int32_t act_max);

#endif
