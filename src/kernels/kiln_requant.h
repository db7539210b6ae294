/* Integer requantization shared by every quantized kernel. kiln follows TensorFlow Lite's
 * reference arithmetic exactly (gemmlowp's saturating rounding doubling high multiply followed by
 * a rounding right shift, i.e. "double rounding"), so models quantized by TFLite produce the same
 * integers under kiln. A real multiplier M > 0 is encoded at compile time (src/quant/
 * quant_math.hpp) as a Q31 `multiplier` in [2^30, 2^31) and a power-of-two `shift`:
 * M = multiplier / 2^31 * 2^shift. Everything here is integer-only. */
#ifndef KILN_REQUANT_H
#define KILN_REQUANT_H

#include "kiln_common.h"

/* Requantization strategies (per-layer configurable). */
#define KILN_REQUANT_FIXED_POINT 0 /* multiplier and shift (default, TFLite semantics) */
#define KILN_REQUANT_SHIFT                                  \
  1 /* power-of-two shift only: no multiplier, for hardware \
       without a multiplier; `multiplier` is ignored */
/* Single rounding, ONNX Runtime's arithmetic: float32(float32(acc) * M) rounded half to even,
 * with `multiplier` holding the IEEE-754 bits of the float32 M (`shift` ignored). Emulated with
 * integers only (kiln_single_rounding_multiply), so no FPU or soft-float library is involved. */
#define KILN_REQUANT_SINGLE 2
/* Flag added to a strategy in the requant_mode argument of the per-channel kernels (conv, gemm,
 * matmul): `multipliers` and `shifts` then hold a single entry that applies to every output
 * channel (per-tensor weights, or per-channel scales that all agree), so the generated code stores
 * one value instead of a table of repeats. Without it they hold one entry per output channel.
 * Those kernels take the flag off at entry (kiln_requant_strategy) and index the tables with
 * `c & kiln_requant_channel_mask(requant_mode)`; kiln_requantize32/64 take the strategy alone. */
#define KILN_REQUANT_PER_TENSOR 4

/* The strategy of a requant_mode (KILN_REQUANT_FIXED_POINT, _SHIFT or _SINGLE), flags removed. */
static inline int32_t kiln_requant_strategy(int32_t mode) {
  return mode & ~KILN_REQUANT_PER_TENSOR;
}

/* Mask giving the table index of output channel c as `c & mask`: 0 (entry 0 for every channel)
 * under KILN_REQUANT_PER_TENSOR, all bits set (entry c) otherwise. */
static inline int32_t kiln_requant_channel_mask(int32_t mode) {
  return (mode & KILN_REQUANT_PER_TENSOR) ? 0 : -1;
}

/* Element types of quantized buffers in the generic kernels. */
#define KILN_QTYPE_S8 0
#define KILN_QTYPE_U8 1
#define KILN_QTYPE_S16 2
#define KILN_QTYPE_S32 3 /* int32 (bias-like tensors; DequantizeLinear only) */

/* Range of a KILN_QTYPE_* element type. */
static inline int32_t kiln_qtype_min(int32_t type) {
  return type == KILN_QTYPE_S8
             ? -128
             : (type == KILN_QTYPE_U8 ? 0 : (type == KILN_QTYPE_S16 ? -32768 : INT32_MIN));
}
static inline int32_t kiln_qtype_max(int32_t type) {
  return type == KILN_QTYPE_S8
             ? 127
             : (type == KILN_QTYPE_U8 ? 255 : (type == KILN_QTYPE_S16 ? 32767 : INT32_MAX));
}

/* Element i of a buffer of KILN_QTYPE_* `type`. */
static inline int32_t kiln_qtype_load(const void* p, int32_t type, int32_t i) {
  switch (type) {
    case KILN_QTYPE_S8: return ((const int8_t*)p)[i];
    case KILN_QTYPE_U8: return ((const uint8_t*)p)[i];
    case KILN_QTYPE_S16: return ((const int16_t*)p)[i];
    default: return ((const int32_t*)p)[i];
  }
}

/* Stores v, already inside the range of `type`, as element i. */
static inline void kiln_qtype_store(void* p, int32_t type, int32_t i, int32_t v) {
  switch (type) {
    case KILN_QTYPE_S8: ((int8_t*)p)[i] = (int8_t)v; break;
    case KILN_QTYPE_U8: ((uint8_t*)p)[i] = (uint8_t)v; break;
    case KILN_QTYPE_S16: ((int16_t*)p)[i] = (int16_t)v; break;
    default: ((int32_t*)p)[i] = v; break;
  }
}

/* round(a * b / 2^31) with ties rounded up (toward +infinity: gemmlowp's nudge of 1 - 2^30 for
 * negative products makes -0.5 round to 0 and -1.5 to -1), saturating the single overflow case
 * a == b == INT32_MIN (ARM's SQRDMULH). gemmlowp's nudged truncating division equals
 * floor((a * b + 2^30) / 2^31), computed as an arithmetic right shift (what every C compiler
 * kiln supports does for signed operands; kiln_rounding_divide_by_pot relies on it too), which
 * costs a handful of instructions instead of a 64-bit division sequence. */
static inline int32_t kiln_sat_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}

/* x / 2^exponent rounded to nearest, ties away from zero; exponent >= 0 (gemmlowp: <= 31). */
static inline int32_t kiln_rounding_divide_by_pot(int32_t x, int32_t exponent) {
  /* Defined extension past 31 (a multiplier's shift below -31): |x| / 2^exponent <= 1/2, which
   * rounds to 0 except the tie -2^31 / 2^32 = -1/2 (away from zero: -1). */
  if (exponent > 31) return exponent == 32 && x == INT32_MIN ? -1 : 0;
  {
    const int32_t mask = (int32_t)(((uint32_t)1 << exponent) - 1u); /* 32-bit: cheap on MCUs */
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
  }
}

/* Saturating x * 2^exponent for exponent >= 0 (from 31 on every x != 0 saturates, so larger
 * exponents are computed as 31). */
static inline int32_t kiln_saturating_left_shift(int32_t x, int32_t exponent) {
  const int64_t v = (int64_t)x * ((int64_t)1 << (exponent > 31 ? 31 : exponent));
  if (v > INT32_MAX) return INT32_MAX;
  if (v < INT32_MIN) return INT32_MIN;
  return (int32_t)v;
}

/* x * M with M = multiplier / 2^31 * 2^shift (TFLite's MultiplyByQuantizedMultiplier). A
 * shift <= 0 (every requantization of a real layer) needs no saturating left shift. */
static inline int32_t kiln_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier,
                                                            int32_t shift) {
  if (shift <= 0)
    return kiln_rounding_divide_by_pot(kiln_sat_rounding_doubling_high_mul(x, multiplier), -shift);
  return kiln_sat_rounding_doubling_high_mul(kiln_saturating_left_shift(x, shift), multiplier);
}

/* 64-bit accumulator variant (int16 activations, TFLite's 16x8 arithmetic): the Q31 multiplier
 * is first rounded to Q15 so the product of a |x| < 2^47 accumulator cannot overflow, then
 * round(x * m15 / 2^(15 - shift)) with ties rounded up, saturated to int32. */
static inline int32_t kiln_multiply_by_quantized_multiplier64(int64_t x, int32_t multiplier,
                                                              int32_t shift) {
  const int32_t m15 = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
  const int32_t total_shift = 15 - shift;
  int64_t result;
  /* Outside TFLite's shift range (shift <= 14) the result stays defined: from shift 15 on it is
   * the exact product x * m15 * 2^(shift - 15), saturated (a left shift of 31 already saturates
   * every nonzero int32, so larger ones are computed as 31); past a right shift of 62 the
   * product (|x * m15| < 2^62) rounds to 0. */
  if (total_shift < 1) {
    result = x * (int64_t)m15;
    if (result > INT32_MAX) return INT32_MAX;
    if (result < INT32_MIN) return INT32_MIN;
    result *= (int64_t)1 << (-total_shift > 31 ? 31 : -total_shift);
  } else if (total_shift > 62) {
    return 0;
  } else {
    result = (x * (int64_t)m15 + ((int64_t)1 << (total_shift - 1))) >> total_shift;
  }
  if (result > INT32_MAX) return INT32_MAX;
  if (result < INT32_MIN) return INT32_MIN;
  return (int32_t)result;
}

/* Shift-only requantization: x * 2^shift, rounding to nearest (ties away from zero) when
 * shift < 0, saturating when shift > 0. */
static inline int32_t kiln_shift_requantize(int64_t x, int32_t shift) {
  int64_t r;
  if (shift >= 0) {
    /* A left shift keeps the sign and never shrinks |x|: saturate first so the product of a
     * 64-bit accumulator cannot overflow int64. */
    if (x > INT32_MAX) return INT32_MAX;
    if (x < INT32_MIN) return INT32_MIN;
    r = x * ((int64_t)1 << (shift > 31 ? 31 : shift));
  } else {
    const int32_t s = -shift > 62 ? 62 : -shift;
    const int64_t round = (int64_t)1 << (s - 1);
    r = x >= 0 ? (x + round) >> s : -((-x + round) >> s);
  }
  if (r > INT32_MAX) return INT32_MAX;
  if (r < INT32_MIN) return INT32_MIN;
  return (int32_t)r;
}

/* Number of significant bits of v (0 for v == 0). */
static inline int32_t kiln_bit_length64(uint64_t v) {
#if defined(__GNUC__)
  return v ? 64 - __builtin_clzll(v) : 0;
#else
  int32_t n = 0;
  while (v) {
    ++n;
    v >>= 1;
  }
  return n;
#endif
}

/* round_half_even(float32(float32(x) * M)), M the positive binary32 number with bits
 * `scale_bits`, saturated to int32 (x is an int32 or, for int16 activations, int64 accumulator):
 * ONNX Runtime's requantization (QLinearConv, QGemm, QLinearMatMul) computed exactly with integers.
 * Products below the smallest normal float round to 0 here as in binary32 (they are far below 1/2).
 * Defined in kiln_requant.c, out of line: the fixed-point path of kiln_requantize32, the one
 * .tflite and PTQ builds take, then stays small enough to inline into kernel loops. */
int32_t kiln_single_rounding_multiply(int64_t x, int32_t scale_bits);

/* The one requantization entry point kernels call: scales a 32-bit accumulator. */
static inline int32_t kiln_requantize32(int32_t acc, int32_t mode, int32_t multiplier,
                                        int32_t shift) {
  if (mode == KILN_REQUANT_SINGLE) return kiln_single_rounding_multiply(acc, multiplier);
  return mode == KILN_REQUANT_SHIFT ? kiln_shift_requantize(acc, shift)
                                    : kiln_multiply_by_quantized_multiplier(acc, multiplier, shift);
}

/* The same for 64-bit accumulators (int16 activations). */
static inline int32_t kiln_requantize64(int64_t acc, int32_t mode, int32_t multiplier,
                                        int32_t shift) {
  if (mode == KILN_REQUANT_SINGLE) return kiln_single_rounding_multiply(acc, multiplier);
  return mode == KILN_REQUANT_SHIFT
             ? kiln_shift_requantize(acc, shift)
             : kiln_multiply_by_quantized_multiplier64(acc, multiplier, shift);
}

static inline int32_t kiln_clamp_i32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* zero_point + v clamped to [lo, hi], the last step of every requantizing kernel; the sum is
 * formed in 64 bits so a saturated v cannot overflow. */
static inline int32_t kiln_offset_clamp(int32_t v, int32_t zero_point, int32_t lo, int32_t hi) {
  const int64_t r = (int64_t)v + zero_point;
  return r < lo ? lo : (r > hi ? hi : (int32_t)r);
}

/* Weight element k of a weight buffer holding 8-bit values (w_bits == 8) or 4-bit values packed
 * two per byte, element 2i in the low nibble of byte i, sign-extended (w_bits == 4). */
static inline int32_t kiln_weight_at(const int8_t* w, int32_t w_bits, int32_t k) {
  if (w_bits == 4) {
    const int32_t byte = (int32_t)(uint8_t)w[k >> 1];
    const int32_t nibble = (k & 1) ? (byte >> 4) : (byte & 0x0F);
    return nibble >= 8 ? nibble - 16 : nibble;
  }
  return w[k];
}

#endif
