#include "kiln_conv_s8_im2col.h"

#include "kiln_conv_s8_patch.h"

/* The window of output pixel (oh, ow) as x - x_zero_point, 0 for taps in the padding, stored as
 * pixel q (0 or 1) of the patch buffer. */
static void kiln_im2col_gather(const int8_t* x_group, int32_t group_in, int32_t in_h, int32_t in_w,
                               int32_t k_h, int32_t k_w, int32_t start_h, int32_t start_w,
                               int32_t dil_h, int32_t dil_w, int32_t x_zero_point, int32_t taps,
                               int32_t q, int16_t* patch) {
  const int32_t in_plane = in_h * in_w;
  int32_t ic, kh, kw, t = 0;
  for (ic = 0; ic < group_in; ++ic) {
    const int8_t* x_chan = x_group + ic * in_plane;
    for (kh = 0; kh < k_h; ++kh) {
      const int32_t ih = start_h + kh * dil_h;
      if (ih < 0 || ih >= in_h) {
        for (kw = 0; kw < k_w; ++kw) patch[kiln_patch_slot(t++, taps, q)] = 0;
        continue;
      }
      {
        const int8_t* x_row = x_chan + ih * in_w;
        for (kw = 0; kw < k_w; ++kw) {
          const int32_t iw = start_w + kw * dil_w;
          patch[kiln_patch_slot(t++, taps, q)] =
              (iw >= 0 && iw < in_w) ? (int16_t)(x_row[iw] - x_zero_point) : (int16_t)0;
        }
      }
    }
  }
}

void kiln_conv_s8_im2col(const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y,
                         int32_t batch, int32_t in_channels, int32_t out_channels, int32_t group,
                         const int32_t* in_size, const int32_t* out_size,
                         const int32_t* kernel_size, const int32_t* strides,
                         const int32_t* dilations, const int32_t* pads, int32_t w_bits,
                         int32_t x_zero_point, const int32_t* w_zero_points, int32_t y_zero_point,
                         const int32_t* multipliers, const int32_t* shifts, int32_t requant_mode,
                         int32_t act_min, int32_t act_max) {
  /* Group g's tables start at entry g * group_out, or all at entry 0 (KILN_REQUANT_PER_TENSOR);
   * kiln_patch_outputs reads the flag itself. */
  const int32_t rq_mask = kiln_requant_channel_mask(requant_mode);
  int16_t patch[2 * KILN_CONV_PATCH_MAX];
  const int32_t in_h = in_size[1], in_w = in_size[2];
  const int32_t out_h = out_size[1], out_w = out_size[2];
  const int32_t k_h = kernel_size[1], k_w = kernel_size[2];
  const int32_t in_plane = in_h * in_w, out_plane = out_h * out_w;
  const int32_t group_in = in_channels / group, group_out = out_channels / group;
  const int32_t taps = group_in * k_h * k_w;
  int32_t n, g, p;
  (void)w_bits;        /* 8 by the selection rule */
  (void)w_zero_points; /* 0 by the selection rule */
  for (n = 0; n < batch; ++n) {
    for (g = 0; g < group; ++g) {
      const int8_t* x_group = x + (n * in_channels + g * group_in) * in_plane;
      const int32_t oc0 = g * group_out;
      int8_t* y_group = y + (n * out_channels + oc0) * out_plane;
      for (p = 0; p < out_plane; p += 2) {
        const int32_t count = out_plane - p >= 2 ? 2 : 1;
        int32_t k;
        for (k = 0; k < count; ++k) {
          const int32_t oh = (p + k) / out_w, ow = (p + k) % out_w;
          kiln_im2col_gather(x_group, group_in, in_h, in_w, k_h, k_w, oh * strides[1] - pads[1],
                             ow * strides[2] - pads[2], dilations[1], dilations[2], x_zero_point,
                             taps, k, patch);
        }
        kiln_patch_outputs(patch, count, w + oc0 * taps, bias ? bias + oc0 : NULL, y_group, p,
                           out_plane, group_out, taps, y_zero_point, multipliers + (oc0 & rq_mask),
                           shifts + (oc0 & rq_mask), requant_mode, act_min, act_max);
      }
    }
  }
}
