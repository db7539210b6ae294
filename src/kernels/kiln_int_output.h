/* The output step of the requantizing integer reference kernels (kiln_conv_s8, kiln_conv_s16,
 * kiln_gemm_s8, kiln_gemm_s16, kiln_matmul_s8, kiln_global_average_pool_s8/_s16) for their
 * shared bodies (kiln_conv_int_body.h, kiln_gemm_int_body.h, kiln_matmul_int_body.h,
 * kiln_global_average_pool_int_body.h): output channel ch's accumulator starts at
 * bias[ch] (0 without bias), is requantized with the channel's multiplier and shift (entry 0
 * for every channel under KILN_REQUANT_PER_TENSOR in requant_mode; kiln_requantize32 for an
 * int32 accumulator, kiln_requantize64 for int64), offset by
 * y_zero_point and clamped to [act_min, act_max]. The including file first defines kiln_int_acc
 * (int32_t or int64_t, also the bias type) and kiln_int_y (the output element type). */
#ifndef KILN_INT_OUTPUT_H
#define KILN_INT_OUTPUT_H

#include "kiln_common.h"
#include "kiln_requant.h"

typedef struct {
  const kiln_int_acc* bias;
  const int32_t *multipliers, *shifts;
  int32_t y_zero_point, requant_mode, act_min, act_max;
  int32_t channel_mask; /* kiln_requant_channel_mask: 0 when one multiplier serves all */
} kiln_int_out;

static inline kiln_int_out kiln_int_out_make(const kiln_int_acc* bias, const int32_t* multipliers,
                                             const int32_t* shifts, int32_t y_zero_point,
                                             int32_t requant_mode, int32_t act_min,
                                             int32_t act_max) {
  kiln_int_out out;
  out.bias = bias;
  out.multipliers = multipliers;
  out.shifts = shifts;
  out.y_zero_point = y_zero_point;
  out.requant_mode = kiln_requant_strategy(requant_mode);
  out.channel_mask = kiln_requant_channel_mask(requant_mode);
  out.act_min = act_min;
  out.act_max = act_max;
  return out;
}

/* What the kernel reads once per output channel. */
typedef struct {
  kiln_int_acc init;
  int32_t multiplier, shift;
} kiln_int_channel;

static inline kiln_int_channel kiln_int_out_channel(const kiln_int_out* out, int32_t ch) {
  kiln_int_channel channel;
  channel.init = out->bias ? out->bias[ch] : 0;
  channel.multiplier = out->multipliers[ch & out->channel_mask];
  channel.shift = out->shifts[ch & out->channel_mask];
  return channel;
}

static inline kiln_int_y kiln_int_out_result(kiln_int_acc acc, const kiln_int_out* out,
                                             const kiln_int_channel* channel) {
  const int32_t scaled =
      sizeof(kiln_int_acc) > sizeof(int32_t)
          ? kiln_requantize64(acc, out->requant_mode, channel->multiplier, channel->shift)
          : kiln_requantize32((int32_t)acc, out->requant_mode, channel->multiplier, channel->shift);
  return (kiln_int_y)kiln_offset_clamp(scaled, out->y_zero_point, out->act_min, out->act_max);
}

#endif
