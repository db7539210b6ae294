#include "kiln_gemm_s8_fc_nk.h"

#include "kiln_fast_s8.h"

void kiln_gemm_s8_fc_nk(const int8_t* a, const int8_t* b, const int32_t* bias, int8_t* y, int32_t m,
                        int32_t n, int32_t k, int32_t a_stride_m, int32_t a_stride_k,
                        int32_t b_stride_k, int32_t b_stride_n, int32_t w_bits,
                        int32_t a_zero_point, const int32_t* b_zero_points, int32_t y_zero_point,
                        const int32_t* multipliers, const int32_t* shifts, int32_t requant_mode,
                        int32_t act_min, int32_t act_max) {
  /* One multiplier and shift per output channel, or one for all (KILN_REQUANT_PER_TENSOR). */
  const int32_t rq_mask = kiln_requant_channel_mask(requant_mode);
  const int32_t strategy = kiln_requant_strategy(requant_mode);
  int32_t i, j, p;
#if defined(KILN_S8_DSP) && !defined(KILN_S8_MVE)
  /* -a_zero_point in both int16 lanes (a - a_zero_point fits int16: |.| <= 255). */
  const int32_t offset = (int32_t)((uint32_t)(uint16_t)(int16_t)(-a_zero_point) * 0x00010001u);
#endif
  /* Fixed by the selection rule: contiguous a and b rows, 8-bit b with zero point 0. */
  (void)a_stride_k;
  (void)b_stride_k;
  (void)w_bits;
  (void)b_zero_points;
  for (i = 0; i < m; ++i) {
    const int8_t* a_row = a + i * a_stride_m;
    int8_t* y_row = y + i * n;
    /* b stored [n, k] (Gemm with transB): each output is the dot product of two contiguous
     * rows. */
    j = 0;
#if defined(KILN_S8_DSP) && !defined(KILN_S8_MVE)
    /* Four outputs per block share the sign extension of four activations (two SMLAD operand
     * pairs) per step. */
    for (; j + 4 <= n; j += 4) {
      const int8_t* r0 = b + j * b_stride_n;
      const int8_t* r1 = r0 + b_stride_n;
      const int8_t* r2 = r1 + b_stride_n;
      const int8_t* r3 = r2 + b_stride_n;
      int32_t s0 = bias ? bias[j] : 0, s1 = bias ? bias[j + 1] : 0;
      int32_t s2 = bias ? bias[j + 2] : 0, s3 = bias ? bias[j + 3] : 0;
      int32_t q;
      for (p = 0; p + 4 <= k; p += 4) {
        const uint32_t a4 = kiln_load_u32(a_row + p);
        const int32_t ae = __sadd16(__sxtb16((int32_t)a4), offset);
        const int32_t ao = __sadd16(kiln_sxtb16_ror8(a4), offset);
        uint32_t w4 = kiln_load_u32(r0 + p);
        s0 = __smlad(__sxtb16((int32_t)w4), ae, s0);
        s0 = __smlad(kiln_sxtb16_ror8(w4), ao, s0);
        w4 = kiln_load_u32(r1 + p);
        s1 = __smlad(__sxtb16((int32_t)w4), ae, s1);
        s1 = __smlad(kiln_sxtb16_ror8(w4), ao, s1);
        w4 = kiln_load_u32(r2 + p);
        s2 = __smlad(__sxtb16((int32_t)w4), ae, s2);
        s2 = __smlad(kiln_sxtb16_ror8(w4), ao, s2);
        w4 = kiln_load_u32(r3 + p);
        s3 = __smlad(__sxtb16((int32_t)w4), ae, s3);
        s3 = __smlad(kiln_sxtb16_ror8(w4), ao, s3);
      }
      for (; p < k; ++p) {
        const int32_t av = (int32_t)a_row[p] - a_zero_point;
        s0 += av * r0[p];
        s1 += av * r1[p];
        s2 += av * r2[p];
        s3 += av * r3[p];
      }
      for (q = 0; q < 4; ++q)
        y_row[j + q] =
            kiln_fast_requant_s8(q == 0 ? s0 : (q == 1 ? s1 : (q == 2 ? s2 : s3)), strategy,
                                 multipliers[(j + q) & rq_mask], shifts[(j + q) & rq_mask],
                                 y_zero_point, act_min, act_max);
    }
#endif
    for (; j < n; ++j) {
      const int8_t* b_row = b + j * b_stride_n;
      int32_t acc = bias ? bias[j] : 0;
      p = 0;
#if defined(KILN_S8_MVE)
      for (; p + 8 <= k; p += 8)
        acc = vmladavaq_s16(acc, vsubq_n_s16(vldrbq_s16(a_row + p), (int16_t)a_zero_point),
                            vldrbq_s16(b_row + p));
#endif
      for (; p < k; ++p) acc += ((int32_t)a_row[p] - a_zero_point) * b_row[p];
      y_row[j] = kiln_fast_requant_s8(acc, strategy, multipliers[j & rq_mask], shifts[j & rq_mask],
                                      y_zero_point, act_min, act_max);
    }
  }
}
