#include "kiln_conv_s8_1x1.h"

#include "kiln_conv_s8_patch.h"

void kiln_conv_s8_1x1(const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y,
                      int32_t batch, int32_t in_channels, int32_t out_channels, int32_t group,
                      const int32_t* in_size, const int32_t* out_size, const int32_t* kernel_size,
                      const int32_t* strides, const int32_t* dilations, const int32_t* pads,
                      int32_t w_bits, int32_t x_zero_point, const int32_t* w_zero_points,
                      int32_t y_zero_point, const int32_t* multipliers, const int32_t* shifts,
                      int32_t requant_mode, int32_t act_min, int32_t act_max) {
  int16_t patch[2 * KILN_CONV_PATCH_MAX];
  const int32_t plane = out_size[0] * out_size[1] * out_size[2]; /* == the input's (stride 1) */
  int32_t n, p;
  /* Fixed by the selection rule: group 1, 1x1 kernel, stride 1, no padding, 8-bit weights with
   * zero point 0. */
  (void)group;
  (void)in_size;
  (void)kernel_size;
  (void)strides;
  (void)dilations;
  (void)pads;
  (void)w_bits;
  (void)w_zero_points;
  for (n = 0; n < batch; ++n) {
    const int8_t* x_n = x + n * in_channels * plane;
    int8_t* y_n = y + n * out_channels * plane;
    for (p = 0; p < plane; p += 2) {
      const int32_t count = plane - p >= 2 ? 2 : 1;
      int32_t ic;
      for (ic = 0; ic < in_channels; ++ic) {
        const int8_t* x_c = x_n + ic * plane + p;
        patch[kiln_patch_slot(ic, in_channels, 0)] = (int16_t)(x_c[0] - x_zero_point);
        if (count == 2)
          patch[kiln_patch_slot(ic, in_channels, 1)] = (int16_t)(x_c[1] - x_zero_point);
      }
      kiln_patch_outputs(patch, count, w, bias, y_n, p, plane, out_channels, in_channels,
                         y_zero_point, multipliers, shifts, requant_mode, act_min, act_max);
    }
  }
}
