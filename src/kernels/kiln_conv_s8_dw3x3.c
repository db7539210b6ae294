#include "kiln_conv_s8_dw3x3.h"

#include "kiln_conv_s8_dw_body.h"

void kiln_conv_s8_dw3x3(const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y,
                        int32_t batch, int32_t in_channels, int32_t out_channels, int32_t group,
                        const int32_t* in_size, const int32_t* out_size, const int32_t* kernel_size,
                        const int32_t* strides, const int32_t* dilations, const int32_t* pads,
                        int32_t w_bits, int32_t x_zero_point, const int32_t* w_zero_points,
                        int32_t y_zero_point, const int32_t* multipliers, const int32_t* shifts,
                        int32_t requant_mode, int32_t act_min, int32_t act_max) {
  /* Fixed by the selection rule: group == in_channels == out_channels, 8-bit weights with zero
   * point 0. */
  (void)out_channels;
  (void)group;
  (void)w_bits;
  (void)w_zero_points;
  (void)kernel_size; /* 3x3 by the selection rule */
  kiln_conv_s8_dw_body(x, w, bias, y, batch, in_channels, in_size[1], in_size[2], out_size[1],
                       out_size[2], 3, 3, strides[1], strides[2], dilations[1], dilations[2],
                       pads[1], pads[2], x_zero_point, y_zero_point, multipliers, shifts,
                       requant_mode, act_min, act_max);
}
