#include "kiln_conv_s8_dw.h"

#include "kiln_conv_s8_dw_body.h"

void kiln_conv_s8_dw(const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y,
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

  if (in_size[2] == 1 && out_size[2] == 1 && kernel_size[2] == 1 && pads[2] == 0) {
    /* A column (a 1-D convolution along H, e.g. over time): the same bytes as a row, so run it
     * as one and get a long contiguous interior loop instead of one output per row. */
    kiln_conv_s8_dw_body(x, w, bias, y, batch, in_channels, 1, in_size[1], 1, out_size[1], 1,
                         kernel_size[1], 1, strides[1], 1, dilations[1], 0, pads[1], x_zero_point,
                         y_zero_point, multipliers, shifts, requant_mode, act_min, act_max);
    return;
  }
  kiln_conv_s8_dw_body(x, w, bias, y, batch, in_channels, in_size[1], in_size[2], out_size[1],
                       out_size[2], kernel_size[1], kernel_size[2], strides[1], strides[2],
                       dilations[1], dilations[2], pads[1], pads[2], x_zero_point, y_zero_point,
                       multipliers, shifts, requant_mode, act_min, act_max);
}
