/* The body of kiln_conv_s8_dw and kiln_conv_s8_dw3x3 (see kiln_conv_s8_dw.h). The kernel size
 * is a parameter so that kiln_conv_s8_dw3x3 can pass constants and get unrolled loops. */
#ifndef KILN_CONV_S8_DW_BODY_H
#define KILN_CONV_S8_DW_BODY_H

#include "kiln_fast_s8.h"

/* Largest kernel (k_h * k_w) of the depthwise kernels: the weights of a channel are copied to a
 * local array (registers for 3x3) because the int8 output stores may alias them. */
#define KILN_DW_MAX_TAPS 64

/* Largest zero-point-padded copy of one input plane (bytes, on the stack). With it every output
 * pixel has its whole window inside the copy, so border pixels need no checks: a padded tap holds
 * x_zero_point and adds (x_zero_point - x_zero_point) * w = 0, exactly the reference's skipped
 * tap. Larger planes take the checked border path. */
#define KILN_DW_PAD_MAX 1024

/* A border pixel: the reference's sum over the taps inside the input only. */
static KILN_ALWAYS_INLINE int32_t kiln_dw_border(const int8_t* x_c, int32_t in_h, int32_t in_w,
                                                 const int32_t* wk, int32_t k_h, int32_t k_w,
                                                 int32_t start_h, int32_t start_w, int32_t dil_h,
                                                 int32_t dil_w, int32_t x_zero_point, int32_t acc) {
  int32_t kh, kw;
  for (kh = 0; kh < k_h; ++kh) {
    const int32_t ih = start_h + kh * dil_h;
    if (ih < 0 || ih >= in_h) continue;
    if (k_w == 3) {
      /* Constant in kiln_conv_s8_dw3x3: the row's three taps without a loop. */
      const int8_t* r = x_c + ih * in_w;
      const int32_t* wr = wk + kh * 3;
      const int32_t iw1 = start_w + dil_w, iw2 = start_w + 2 * dil_w;
      if (start_w >= 0 && start_w < in_w) acc += ((int32_t)r[start_w] - x_zero_point) * wr[0];
      if (iw1 >= 0 && iw1 < in_w) acc += ((int32_t)r[iw1] - x_zero_point) * wr[1];
      if (iw2 >= 0 && iw2 < in_w) acc += ((int32_t)r[iw2] - x_zero_point) * wr[2];
      continue;
    }
    for (kw = 0; kw < k_w; ++kw) {
      const int32_t iw = start_w + kw * dil_w;
      if (iw >= 0 && iw < in_w)
        acc += ((int32_t)x_c[ih * in_w + iw] - x_zero_point) * wk[kh * k_w + kw];
    }
  }
  return acc;
}

/* One image of `channels` planes; geometry as scalars (height, width, pads at the beginning). */
static KILN_ALWAYS_INLINE void kiln_conv_s8_dw_body(
    const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y, int32_t batch,
    int32_t channels, int32_t in_h, int32_t in_w, int32_t out_h, int32_t out_w, int32_t k_h,
    int32_t k_w, int32_t stride_h, int32_t stride_w, int32_t dil_h, int32_t dil_w, int32_t pad_h,
    int32_t pad_w, int32_t x_zero_point, int32_t y_zero_point, const int32_t* multipliers,
    const int32_t* shifts, int32_t requant_mode, int32_t act_min, int32_t act_max) {
  /* One multiplier and shift per output channel, or one for all (KILN_REQUANT_PER_TENSOR). */
  const int32_t rq_mask = kiln_requant_channel_mask(requant_mode);
  const int32_t strategy = kiln_requant_strategy(requant_mode);
  const int32_t src_plane = in_h * in_w, out_plane = out_h * out_w;
  const int32_t taps = k_h * k_w;
  /* Rows and columns the windows span, from the first padded one. */
  const int32_t span_h = (out_h - 1) * stride_h + (k_h - 1) * dil_h + 1;
  const int32_t span_w = (out_w - 1) * stride_w + (k_w - 1) * dil_w + 1;
  const int padded = (pad_h > 0 || pad_w > 0 || span_h - pad_h > in_h || span_w - pad_w > in_w) &&
                     span_h * span_w <= KILN_DW_PAD_MAX;
  /* Four bytes past the copy (zeroed) let a 3-tap row be read as one word at its last column. */
  const int32_t src_h = in_h, src_w = in_w, src_pad_h = pad_h, src_pad_w = pad_w;
  int8_t plane[KILN_DW_PAD_MAX + 4];
  int32_t wk[KILN_DW_MAX_TAPS];
  int32_t row_step;
  /* Output columns [ow_lo, ow_hi) have their whole window inside the input horizontally. */
  int32_t ow_lo = 0, ow_hi = 0;
  int32_t n, c, oh, ow, kh, kw;
  if (padded) {
    /* Every channel is first copied into `plane`: the geometry is then that of the copy. */
    plane[span_h * span_w] = plane[span_h * span_w + 1] = 0;
    plane[span_h * span_w + 2] = plane[span_h * span_w + 3] = 0;
    in_h = span_h;
    in_w = span_w;
    pad_h = 0;
    pad_w = 0;
  }
  row_step = dil_h * in_w;
  while (ow_lo < out_w && ow_lo * stride_w - pad_w < 0) ++ow_lo;
  ow_hi = ow_lo;
  while (ow_hi < out_w && ow_hi * stride_w - pad_w + (k_w - 1) * dil_w < in_w) ++ow_hi;
  for (n = 0; n < batch; ++n) {
    for (c = 0; c < channels; ++c) {
      const int8_t* x_c = x + (n * channels + c) * src_plane;
      const int8_t* w_c = w + c * taps;
      int8_t* y_row = y + (n * channels + c) * out_plane;
      const int32_t multiplier = multipliers[c & rq_mask], shift = shifts[c & rq_mask];
      const int32_t init = bias ? bias[c] : 0;
      int32_t w_sum = 0, init_inside;
      for (kh = 0; kh < taps; ++kh) {
        wk[kh] = w_c[kh];
        w_sum += wk[kh];
      }
      init_inside = init - x_zero_point * w_sum;
      if (padded) {
        int32_t r, col;
        for (r = 0; r < span_h; ++r) {
          const int32_t ih = r - src_pad_h;
          int8_t* dst = plane + r * span_w;
          if (ih < 0 || ih >= src_h) {
            for (col = 0; col < span_w; ++col) dst[col] = (int8_t)x_zero_point;
          } else {
            const int8_t* src = x_c + ih * src_w;
            for (col = 0; col < span_w; ++col) {
              const int32_t iw = col - src_pad_w;
              dst[col] = (iw >= 0 && iw < src_w) ? src[iw] : (int8_t)x_zero_point;
            }
          }
        }
        x_c = plane;
      }
      for (oh = 0; oh < out_h; ++oh, y_row += out_w) {
        const int32_t start_h = oh * stride_h - pad_h;
        const int rows_inside = start_h >= 0 && start_h + (k_h - 1) * dil_h < in_h;
        const int32_t lo = rows_inside ? ow_lo : out_w, hi = rows_inside ? ow_hi : out_w;
        for (ow = 0; ow < lo; ++ow)
          y_row[ow] = kiln_fast_requant_s8(
              kiln_dw_border(x_c, in_h, in_w, wk, k_h, k_w, start_h, ow * stride_w - pad_w, dil_h,
                             dil_w, x_zero_point, init),
              strategy, multiplier, shift, y_zero_point, act_min, act_max);
        if (lo < hi) {
          /* Interior: sum x * w, the zero-point term is in init_inside. */
          const int8_t* x_win = x_c + start_h * in_w + lo * stride_w - pad_w;
          if (k_h == 3 && k_w == 3) {
            /* Constant in kiln_conv_s8_dw3x3: nine weights in registers, no loops. */
            const int32_t w0 = wk[0], w1 = wk[1], w2 = wk[2], w3 = wk[3], w4 = wk[4];
            const int32_t w5 = wk[5], w6 = wk[6], w7 = wk[7], w8 = wk[8];
            const int32_t d1 = dil_w, d2 = 2 * dil_w;
#ifdef KILN_S8_DSP
            if (padded && dil_w == 1) {
              /* One word per window row: SXTB16 gives (x0, x2) for an SMLAD with (w0, w2), the
               * ROR 8 form puts x1 in the bottom lane for an SMLABB with w1 (x3 is ignored). */
              const int32_t w02 = (int32_t)(((uint32_t)w0 & 0xFFFFu) | ((uint32_t)w2 << 16));
              const int32_t w35 = (int32_t)(((uint32_t)w3 & 0xFFFFu) | ((uint32_t)w5 << 16));
              const int32_t w68 = (int32_t)(((uint32_t)w6 & 0xFFFFu) | ((uint32_t)w8 << 16));
              for (ow = lo; ow < hi; ++ow, x_win += stride_w) {
                const uint32_t v0 = kiln_load_u32(x_win);
                const uint32_t v1 = kiln_load_u32(x_win + row_step);
                const uint32_t v2 = kiln_load_u32(x_win + 2 * row_step);
                int32_t acc = __smlad(__sxtb16((int32_t)v0), w02, init_inside);
                acc = __smlabb(kiln_sxtb16_ror8(v0), w1, acc);
                acc = __smlad(__sxtb16((int32_t)v1), w35, acc);
                acc = __smlabb(kiln_sxtb16_ror8(v1), w4, acc);
                acc = __smlad(__sxtb16((int32_t)v2), w68, acc);
                acc = __smlabb(kiln_sxtb16_ror8(v2), w7, acc);
                y_row[ow] = kiln_fast_requant_s8(acc, strategy, multiplier, shift, y_zero_point,
                                                 act_min, act_max);
              }
            } else
#endif
              for (ow = lo; ow < hi; ++ow, x_win += stride_w) {
                const int8_t* r0 = x_win;
                const int8_t* r1 = r0 + row_step;
                const int8_t* r2 = r1 + row_step;
                int32_t acc = init_inside;
                acc += r0[0] * w0 + r0[d1] * w1 + r0[d2] * w2;
                acc += r1[0] * w3 + r1[d1] * w4 + r1[d2] * w5;
                acc += r2[0] * w6 + r2[d1] * w7 + r2[d2] * w8;
                y_row[ow] = kiln_fast_requant_s8(acc, strategy, multiplier, shift, y_zero_point,
                                                 act_min, act_max);
              }
          } else {
            for (ow = lo; ow < hi; ++ow, x_win += stride_w) {
              int32_t acc = init_inside;
              for (kh = 0; kh < k_h; ++kh) {
                const int8_t* r = x_win + kh * row_step;
                for (kw = 0; kw < k_w; ++kw) acc += (int32_t)r[kw * dil_w] * wk[kh * k_w + kw];
              }
              y_row[ow] = kiln_fast_requant_s8(acc, strategy, multiplier, shift, y_zero_point,
                                               act_min, act_max);
            }
          }
        }
        for (ow = hi > lo ? hi : lo; ow < out_w; ++ow)
          y_row[ow] = kiln_fast_requant_s8(
              kiln_dw_border(x_c, in_h, in_w, wk, k_h, k_w, start_h, ow * stride_w - pad_w, dil_h,
                             dil_w, x_zero_point, init),
              strategy, multiplier, shift, y_zero_point, act_min, act_max);
      }
    }
  }
}

#endif
