/* The body of kiln_conv_s8_dw and kiln_conv_s8_dw3x3 (see kiln_conv_s8_dw.h). The kernel size
 * is a parameter so that kiln_conv_s8_dw3x3 can pass constants and get unrolled loops. */
#ifndef KILN_CONV_S8_DW_BODY_H
#define KILN_CONV_S8_DW_BODY_H

#include "kiln_conv_window.h"
#include "kiln_fast_s8.h"

#if defined(__GNUC__) || defined(__clang__)
#define KILN_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define KILN_ALWAYS_INLINE inline
#endif

static KILN_ALWAYS_INLINE void kiln_conv_s8_dw_body(
    const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y, int32_t batch,
    int32_t channels, const int32_t* in_size, const int32_t* out_size, int32_t k_h, int32_t k_w,
    const int32_t* strides, const int32_t* dilations, const int32_t* pads, int32_t x_zero_point,
    int32_t y_zero_point, const int32_t* multipliers, const int32_t* shifts, int32_t requant_mode,
    int32_t act_min, int32_t act_max) {
  const int32_t in_h = in_size[1], in_w = in_size[2];
  const int32_t out_h = out_size[1], out_w = out_size[2];
  const int32_t stride_h = strides[1], stride_w = strides[2];
  const int32_t dil_h = dilations[1], dil_w = dilations[2];
  const int32_t in_plane = in_h * in_w, out_plane = out_h * out_w;
  const int32_t taps = k_h * k_w;
  /* Output columns [ow_lo, ow_hi) have their whole window inside the input horizontally. */
  int32_t ow_lo = 0, ow_hi = 0;
  int32_t n, c, oh, ow, kh, kw;
  while (ow_lo < out_w && ow_lo * stride_w - pads[2] < 0) ++ow_lo;
  ow_hi = ow_lo;
  while (ow_hi < out_w && ow_hi * stride_w - pads[2] + (k_w - 1) * dil_w < in_w) ++ow_hi;
  for (n = 0; n < batch; ++n) {
    for (c = 0; c < channels; ++c) {
      const int8_t* x_c = x + (n * channels + c) * in_plane;
      const int8_t* w_c = w + c * taps;
      int8_t* y_c = y + (n * channels + c) * out_plane;
      const int32_t multiplier = multipliers[c], shift = shifts[c];
      const int32_t init = bias ? bias[c] : 0;
      int32_t w_sum = 0, init_inside;
      for (kh = 0; kh < taps; ++kh) w_sum += w_c[kh];
      init_inside = init - x_zero_point * w_sum;
      for (oh = 0; oh < out_h; ++oh) {
        const int32_t start_h = oh * stride_h - pads[1];
        const int rows_inside = start_h >= 0 && start_h + (k_h - 1) * dil_h < in_h;
        int8_t* y_row = y_c + oh * out_w;
        for (ow = 0; ow < out_w; ++ow) {
          const int32_t start_w = ow * stride_w - pads[2];
          int32_t acc;
          if (rows_inside && ow >= ow_lo && ow < ow_hi) {
            const int8_t* x_win = x_c + start_h * in_w + start_w;
            acc = init_inside;
            for (kh = 0; kh < k_h; ++kh)
              for (kw = 0; kw < k_w; ++kw)
                acc += (int32_t)x_win[kh * dil_h * in_w + kw * dil_w] * w_c[kh * k_w + kw];
          } else {
            /* Border: the reference's clipped window, taps in the padding skipped. */
            int32_t kh0, kh1, kw0, kw1;
            kiln_window_range(start_h, in_h, dil_h, k_h, &kh0, &kh1);
            kiln_window_range(start_w, in_w, dil_w, k_w, &kw0, &kw1);
            acc = init;
            for (kh = kh0; kh < kh1; ++kh)
              for (kw = kw0; kw < kw1; ++kw)
                acc += ((int32_t)x_c[(start_h + kh * dil_h) * in_w + start_w + kw * dil_w] -
                        x_zero_point) *
                       w_c[kh * k_w + kw];
          }
          y_row[ow] = kiln_fast_requant_s8(acc, requant_mode, multiplier, shift, y_zero_point,
                                           act_min, act_max);
        }
      }
    }
  }
}

#endif
