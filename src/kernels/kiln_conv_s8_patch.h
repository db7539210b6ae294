/* The matrix core shared by kiln_conv_s8_im2col and kiln_conv_s8_1x1: the input window of an
 * output pixel is gathered once into a patch of int16 (x - x_zero_point; padded taps are 0,
 * exactly the taps the reference skips), then dotted with the weight rows of every output channel,
 * which ONNX already stores contiguously ([out][in/group][kh][kw] is the patch order). Blocks of
 * two output channels by two pixels share every load.
 *
 * With DSP the taps of each full group of four are stored in the order t0, t2, t1, t3: one word
 * of four weights then splits by SXTB16 (bytes 0, 2) and SXTB16 ROR 8 (bytes 1, 3) into the two
 * pairs that the two patch words hold, so each SMLAD does two multiply-accumulates and the
 * weights need no reordering at compile time. The remaining taps (count % 4) stay in order.
 * With MVE the patch stays in order: eight taps are one int16 vector load, the weights one
 * widening int8 load, and VMLADAVA sums their eight products into a scalar accumulator. */
#ifndef KILN_CONV_S8_PATCH_H
#define KILN_CONV_S8_PATCH_H

#include "kiln_fast_s8.h"

/* Both pixels' patches live in one buffer of 2 * KILN_CONV_PATCH_MAX int16. With DSP (and no
 * MVE) they are interleaved per group of four taps, [pixel 0: t0 t2 t1 t3][pixel 1: t0 t2 t1 t3],
 * so the 2x2 loop walks one pointer with word loads; the last taps (count % 4) follow, pixel 0's
 * then pixel 1's. Otherwise pixel q's patch is in order at q * KILN_CONV_PATCH_MAX. */
static inline int32_t kiln_patch_slot(int32_t t, int32_t taps, int32_t q) {
#if defined(KILN_S8_DSP) && !defined(KILN_S8_MVE)
  const int32_t full = taps & ~3;
  if (t < full) return ((t >> 2) << 3) + (q << 2) + (((t & 1) << 1) | ((t >> 1) & 1));
  return 2 * full + q * (taps - full) + (t - full);
#else
  (void)taps;
  return q * KILN_CONV_PATCH_MAX + t;
#endif
}

/* The four sums of weight rows wa, wb (int8, `taps` long) with the two pixels' patches:
 * s[0] += wa.pixel0, s[1] += wa.pixel1, s[2] += wb.pixel0, s[3] += wb.pixel1. */
static inline void kiln_patch_dot_2x2(const int16_t* patch, const int8_t* wa, const int8_t* wb,
                                      int32_t taps, int32_t* s) {
  int32_t a0 = s[0], a1 = s[1], b0 = s[2], b1 = s[3];
  int32_t i = 0;
#if defined(KILN_S8_MVE)
  const int16_t* p0 = patch;
  const int16_t* p1 = patch + KILN_CONV_PATCH_MAX;
  for (; i + 8 <= taps; i += 8) {
    const int16x8_t x0 = vldrhq_s16(p0 + i), x1 = vldrhq_s16(p1 + i);
    const int16x8_t va = vldrbq_s16(wa + i), vb = vldrbq_s16(wb + i);
    a0 = vmladavaq_s16(a0, x0, va);
    a1 = vmladavaq_s16(a1, x1, va);
    b0 = vmladavaq_s16(b0, x0, vb);
    b1 = vmladavaq_s16(b1, x1, vb);
  }
#elif defined(KILN_S8_DSP)
  const int32_t full = taps & ~3, rest = taps - full;
  const int16_t* pp = patch;
  const int16_t* p0 = patch + 2 * full;
  const int16_t* p1 = p0 + rest;
  for (; i < full; i += 4, pp += 8) {
    const uint32_t wa4 = kiln_load_u32(wa + i), wb4 = kiln_load_u32(wb + i);
    const int32_t x0e = (int32_t)kiln_load_u32(pp), x0o = (int32_t)kiln_load_u32(pp + 2);
    const int32_t x1e = (int32_t)kiln_load_u32(pp + 4), x1o = (int32_t)kiln_load_u32(pp + 6);
    const int32_t wae = __sxtb16((int32_t)wa4), wao = kiln_sxtb16_ror8(wa4);
    const int32_t wbe = __sxtb16((int32_t)wb4), wbo = kiln_sxtb16_ror8(wb4);
    a0 = __smlad(wae, x0e, a0);
    a1 = __smlad(wae, x1e, a1);
    b0 = __smlad(wbe, x0e, b0);
    b1 = __smlad(wbe, x1e, b1);
    a0 = __smlad(wao, x0o, a0);
    a1 = __smlad(wao, x1o, a1);
    b0 = __smlad(wbo, x0o, b0);
    b1 = __smlad(wbo, x1o, b1);
  }
  /* The remaining taps: p0 and p1 are indexed from the first of them. */
  p0 -= full;
  p1 -= full;
#else
  const int16_t* p0 = patch;
  const int16_t* p1 = patch + KILN_CONV_PATCH_MAX;
#endif
  for (; i < taps; ++i) {
    const int32_t x0 = p0[i], x1 = p1[i], va = wa[i], vb = wb[i];
    a0 += x0 * va;
    a1 += x1 * va;
    b0 += x0 * vb;
    b1 += x1 * vb;
  }
  s[0] = a0;
  s[1] = a1;
  s[2] = b0;
  s[3] = b1;
}

/* One weight row with pixel q's patch. */
static inline int32_t kiln_patch_dot_1x1(const int16_t* patch, int32_t q, const int8_t* w,
                                         int32_t taps, int32_t acc) {
  int32_t i = 0;
#if defined(KILN_S8_MVE)
  const int16_t* p = patch + q * KILN_CONV_PATCH_MAX;
  for (; i + 8 <= taps; i += 8) acc = vmladavaq_s16(acc, vldrhq_s16(p + i), vldrbq_s16(w + i));
#elif defined(KILN_S8_DSP)
  const int32_t full = taps & ~3, rest = taps - full;
  const int16_t* pp = patch + 4 * q;
  const int16_t* p = patch + 2 * full + q * rest - full;
  for (; i < full; i += 4, pp += 8) {
    const uint32_t w4 = kiln_load_u32(w + i);
    acc = __smlad(__sxtb16((int32_t)w4), (int32_t)kiln_load_u32(pp), acc);
    acc = __smlad(kiln_sxtb16_ror8(w4), (int32_t)kiln_load_u32(pp + 2), acc);
  }
#else
  const int16_t* p = patch + q * KILN_CONV_PATCH_MAX;
#endif
  for (; i < taps; ++i) acc += (int32_t)p[i] * w[i];
  return acc;
}

/* Every output channel of `count` (1 or 2) pixels whose patches are in `patch` (only pixel 0's
 * when count == 1): y[oc * out_plane + pixel]. */
static inline void kiln_patch_outputs(const int16_t* patch, int32_t count, const int8_t* w,
                                      const int32_t* bias, int8_t* y, int32_t pixel,
                                      int32_t out_plane, int32_t out_channels, int32_t taps,
                                      int32_t y_zero_point, const int32_t* multipliers,
                                      const int32_t* shifts, int32_t requant_mode, int32_t act_min,
                                      int32_t act_max) {
  /* One multiplier and shift per output channel, or one for all (KILN_REQUANT_PER_TENSOR). */
  const int32_t rq_mask = kiln_requant_channel_mask(requant_mode);
  const int32_t strategy = kiln_requant_strategy(requant_mode);
  int32_t oc = 0;
  if (count == 2) {
    for (; oc + 2 <= out_channels; oc += 2) {
      int32_t s[4];
      int8_t* ya = y + oc * out_plane + pixel;
      int8_t* yb = ya + out_plane;
      s[0] = s[1] = bias ? bias[oc] : 0;
      s[2] = s[3] = bias ? bias[oc + 1] : 0;
      kiln_patch_dot_2x2(patch, w + oc * taps, w + (oc + 1) * taps, taps, s);
      ya[0] = kiln_fast_requant_s8(s[0], strategy, multipliers[oc & rq_mask], shifts[oc & rq_mask],
                                   y_zero_point, act_min, act_max);
      ya[1] = kiln_fast_requant_s8(s[1], strategy, multipliers[oc & rq_mask], shifts[oc & rq_mask],
                                   y_zero_point, act_min, act_max);
      yb[0] = kiln_fast_requant_s8(s[2], strategy, multipliers[(oc + 1) & rq_mask],
                                   shifts[(oc + 1) & rq_mask], y_zero_point, act_min, act_max);
      yb[1] = kiln_fast_requant_s8(s[3], strategy, multipliers[(oc + 1) & rq_mask],
                                   shifts[(oc + 1) & rq_mask], y_zero_point, act_min, act_max);
    }
  }
  for (; oc < out_channels; ++oc) {
    int32_t k;
    for (k = 0; k < count; ++k) {
      const int32_t acc = kiln_patch_dot_1x1(patch, k, w + oc * taps, taps, bias ? bias[oc] : 0);
      y[oc * out_plane + pixel + k] =
          kiln_fast_requant_s8(acc, strategy, multipliers[oc & rq_mask], shifts[oc & rq_mask],
                               y_zero_point, act_min, act_max);
    }
  }
}

#endif
