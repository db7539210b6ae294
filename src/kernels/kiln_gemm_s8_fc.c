#include "kiln_gemm_s8_fc.h"

#include "kiln_fast_s8.h"

void kiln_gemm_s8_fc(const int8_t* a, const int8_t* b, const int32_t* bias, int8_t* y, int32_t m,
                     int32_t n, int32_t k, int32_t a_stride_m, int32_t a_stride_k,
                     int32_t b_stride_k, int32_t b_stride_n, int32_t w_bits, int32_t a_zero_point,
                     const int32_t* b_zero_points, int32_t y_zero_point, const int32_t* multipliers,
                     const int32_t* shifts, int32_t requant_mode, int32_t act_min,
                     int32_t act_max) {
  /* One multiplier and shift per output channel, or one for all (KILN_REQUANT_PER_TENSOR). */
  const int32_t rq_mask = kiln_requant_channel_mask(requant_mode);
  const int32_t strategy = kiln_requant_strategy(requant_mode);
  int32_t i, j, p;
#ifdef KILN_S8_DSP
  /* -a_zero_point in both int16 lanes (a - a_zero_point fits int16: |.| <= 255). */
  const int32_t offset = (int32_t)((uint32_t)(uint16_t)(int16_t)(-a_zero_point) * 0x00010001u);
#endif
  /* Fixed by the selection rule: contiguous a rows and b columns, 8-bit b with zero point 0. */
  (void)a_stride_k;
  (void)b_stride_n;
  (void)w_bits;
  (void)b_zero_points;
  for (i = 0; i < m; ++i) {
    const int8_t* a_row = a + i * a_stride_m;
    int8_t* y_row = y + i * n;
    j = 0;
#ifdef KILN_S8_MVE
    /* Sixteen outputs per block, four int32 lanes per vector: per k step one activation and four
     * widening weight loads with VMLA by the activation. */
    for (; j + 16 <= n; j += 16) {
      int32x4_t acc[4];
      int32_t q;
      for (q = 0; q < 4; ++q) acc[q] = bias ? vldrwq_s32(bias + j + 4 * q) : vdupq_n_s32(0);
      for (p = 0; p < k; ++p) {
        const int32_t av = (int32_t)a_row[p] - a_zero_point;
        const int8_t* row = b + p * b_stride_k + j;
        acc[0] = vmlaq_n_s32(acc[0], vldrbq_s32(row), av);
        acc[1] = vmlaq_n_s32(acc[1], vldrbq_s32(row + 4), av);
        acc[2] = vmlaq_n_s32(acc[2], vldrbq_s32(row + 8), av);
        acc[3] = vmlaq_n_s32(acc[3], vldrbq_s32(row + 12), av);
      }
      for (q = 0; q < 16; ++q) {
        int32_t lanes[4];
        vst1q_s32(lanes, acc[q / 4]);
        y_row[j + q] =
            kiln_fast_requant_s8(lanes[q % 4], strategy, multipliers[(j + q) & rq_mask],
                                 shifts[(j + q) & rq_mask], y_zero_point, act_min, act_max);
      }
    }
#endif
    for (; j + 4 <= n; j += 4) {
      const int8_t* b_col = b + j;
      int32_t s0 = bias ? bias[j] : 0, s1 = bias ? bias[j + 1] : 0;
      int32_t s2 = bias ? bias[j + 2] : 0, s3 = bias ? bias[j + 3] : 0;
      int32_t q;
      p = 0;
#ifdef KILN_S8_DSP
      for (; p + 4 <= k; p += 4) {
        const uint32_t a4 = kiln_load_u32(a_row + p);
        const int32_t ae = __sadd16(__sxtb16((int32_t)a4), offset); /* a[p], a[p+2] */
        const int32_t ao = __sadd16(kiln_sxtb16_ror8(a4), offset);  /* a[p+1], a[p+3] */
        const int8_t* rows = b_col + p * b_stride_k;
        const uint32_t r0 = kiln_load_u32(rows), r1 = kiln_load_u32(rows + b_stride_k);
        const uint32_t r2 = kiln_load_u32(rows + 2 * b_stride_k);
        const uint32_t r3 = kiln_load_u32(rows + 3 * b_stride_k);
        /* rNe = (b[p+N][j], b[p+N][j+2]), rNo = (b[p+N][j+1], b[p+N][j+3]). */
        const int32_t r0e = __sxtb16((int32_t)r0), r1e = __sxtb16((int32_t)r1);
        const int32_t r2e = __sxtb16((int32_t)r2), r3e = __sxtb16((int32_t)r3);
        const int32_t r0o = kiln_sxtb16_ror8(r0), r1o = kiln_sxtb16_ror8(r1);
        const int32_t r2o = kiln_sxtb16_ror8(r2), r3o = kiln_sxtb16_ror8(r3);
        s0 = __smlad(kiln_pack_lo(r0e, r2e), ae, s0);
        s0 = __smlad(kiln_pack_lo(r1e, r3e), ao, s0);
        s2 = __smlad(kiln_pack_hi(r0e, r2e), ae, s2);
        s2 = __smlad(kiln_pack_hi(r1e, r3e), ao, s2);
        s1 = __smlad(kiln_pack_lo(r0o, r2o), ae, s1);
        s1 = __smlad(kiln_pack_lo(r1o, r3o), ao, s1);
        s3 = __smlad(kiln_pack_hi(r0o, r2o), ae, s3);
        s3 = __smlad(kiln_pack_hi(r1o, r3o), ao, s3);
      }
#endif
      for (; p < k; ++p) {
        const int32_t av = (int32_t)a_row[p] - a_zero_point;
        const int8_t* row = b_col + p * b_stride_k;
        s0 += av * row[0];
        s1 += av * row[1];
        s2 += av * row[2];
        s3 += av * row[3];
      }
      for (q = 0; q < 4; ++q)
        y_row[j + q] =
            kiln_fast_requant_s8(q == 0 ? s0 : (q == 1 ? s1 : (q == 2 ? s2 : s3)), strategy,
                                 multipliers[(j + q) & rq_mask], shifts[(j + q) & rq_mask],
                                 y_zero_point, act_min, act_max);
    }
    for (; j < n; ++j) {
      int32_t acc = bias ? bias[j] : 0;
      for (p = 0; p < k; ++p) acc += ((int32_t)a_row[p] - a_zero_point) * b[p * b_stride_k + j];
      y_row[j] = kiln_fast_requant_s8(acc, strategy, multipliers[j & rq_mask], shifts[j & rq_mask],
                                      y_zero_point, act_min, act_max);
    }
  }
}
