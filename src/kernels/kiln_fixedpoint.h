/* Fixed-point helpers for TensorFlow Lite's integer softmax, logistic and tanh (gemmlowp's
 * fixedpoint semantics,
 * written for kiln from the published arithmetic). A value with I integer bits is an int32 raw
 * x representing x / 2^(31 - I). Products use kiln_sat_rounding_doubling_high_mul; additions
 * wrap like gemmlowp's int32 arithmetic (the callers stay in range). Integer-only. */
#ifndef KILN_FIXEDPOINT_H
#define KILN_FIXEDPOINT_H

#include "kiln_requant.h"

/* x * 2^exponent, exponent > 0, saturating (gemmlowp SaturatingRoundingMultiplyByPOT). */
static inline int32_t kiln_fp_sat_shift_left(int32_t x, int32_t exponent) {
  const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << exponent);
}

static inline int32_t kiln_fp_mul(int32_t a, int32_t b) {
  return kiln_sat_rounding_doubling_high_mul(a, b);
}

static inline int32_t kiln_fp_add(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t kiln_fp_sub(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a - (uint32_t)b);
}

/* exp(a) for a in [-1/4, 0) with 0 integer bits in and out: Taylor expansion around -1/8. */
static inline int32_t kiln_fp_exp_quarter(int32_t a) {
  const int32_t exp_minus_one_eighth = 1895147668;    /* exp(-1/8) in Q0.31 */
  const int32_t one_third = 715827883;                /* 1/3 in Q0.31 */
  const int32_t x = kiln_fp_add(a, (int32_t)1 << 28); /* a + 1/8 */
  const int32_t x2 = kiln_fp_mul(x, x);
  const int32_t x3 = kiln_fp_mul(x2, x);
  const int32_t x4 = kiln_fp_mul(x2, x2);
  const int32_t x4_over_4 = kiln_rounding_divide_by_pot(x4, 2);
  const int32_t poly = kiln_rounding_divide_by_pot(
      kiln_fp_add(kiln_fp_mul(kiln_fp_add(x4_over_4, x3), one_third), x2), 1);
  return kiln_fp_add(exp_minus_one_eighth, kiln_fp_mul(exp_minus_one_eighth, kiln_fp_add(x, poly)));
}

/* exp(a) for a <= 0 given with `integer_bits` (1..5) integer bits; result in Q0.31
 * (gemmlowp exp_on_negative_values: exp of a mod 1/4 by Taylor expansion, then one constant
 * factor exp(-2^k) per set bit of the remainder). */
static inline int32_t kiln_fp_exp_on_negative(int32_t a, int32_t integer_bits) {
  /* exp(-2^k) in Q0.31 for k = -2 .. 4. */
  static const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308,
                                         39332535,   720401,     242};
  const int32_t fractional_bits = 31 - integer_bits;
  const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
  const int32_t mask = one_quarter - 1;
  const int32_t a_mod_quarter_minus_quarter = (a & mask) - one_quarter;
  int32_t result =
      kiln_fp_exp_quarter(kiln_fp_sat_shift_left(a_mod_quarter_minus_quarter, integer_bits));
  const int32_t remainder = kiln_fp_sub(a_mod_quarter_minus_quarter, a);
  int32_t k;
  for (k = 0; k < 7 && integer_bits > k - 2; ++k)
    if (remainder & ((int32_t)1 << (fractional_bits + k - 2)))
      result = kiln_fp_mul(result, multipliers[k]);
  return a == 0 ? INT32_MAX : result;
}

/* exp(a) for a <= 0 in Q5.26 (softmax's scaled differences). */
static inline int32_t kiln_fp_exp_on_negative_q5(int32_t a) {
  return kiln_fp_exp_on_negative(a, 5);
}

/* 2 / (1 + a) in Q2.29 for a in [0, 1) given in Q0.31: Newton-Raphson on the half denominator
 * (gemmlowp's one_over_one_plus_x_for_x_in_0_1 and one_minus_x_over_one_plus_x_for_x_in_0_1). */
static inline int32_t kiln_fp_two_over_one_plus_x_q2(int32_t a) {
  const int64_t sum = (int64_t)a + INT32_MAX;
  const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  const int32_t c48_over_17 = 1515870810;     /* 48/17 in Q2.29 */
  const int32_t cneg32_over_17 = -1010580540; /* -32/17 in Q2.29 */
  const int32_t one_q2 = (int32_t)1 << 29;
  int32_t x = kiln_fp_add(c48_over_17, kiln_fp_mul(half_denominator, cneg32_over_17));
  int i;
  for (i = 0; i < 3; ++i) {
    const int32_t hd_x = kiln_fp_mul(half_denominator, x);
    const int32_t one_minus = kiln_fp_sub(one_q2, hd_x);
    x = kiln_fp_add(x, kiln_fp_sat_shift_left(kiln_fp_mul(x, one_minus), 2));
  }
  return x;
}

/* 1 / (1 + a) for a in [0, 1), Q0.31 in and out. */
static inline int32_t kiln_fp_one_over_one_plus_x(int32_t a) {
  return kiln_fp_sat_shift_left(kiln_fp_two_over_one_plus_x_q2(a), 1);
}

/* (1 - a) / (1 + a) for a in [0, 1), Q0.31 in and out. */
static inline int32_t kiln_fp_one_minus_x_over_one_plus_x(int32_t a) {
  return kiln_fp_sat_shift_left(kiln_fp_sub(kiln_fp_two_over_one_plus_x_q2(a), (int32_t)1 << 29),
                                2);
}

/* logistic(a) for a in Q4.27, result in Q0.31 (gemmlowp logistic). */
static inline int32_t kiln_fp_logistic_q4(int32_t a) {
  int32_t positive;
  if (a == 0) return (int32_t)1 << 30;
  positive = kiln_fp_one_over_one_plus_x(kiln_fp_exp_on_negative(a > 0 ? -a : a, 4));
  return a > 0 ? positive : kiln_fp_sub(INT32_MAX, positive);
}

/* tanh(a) for a in Q4.27, result in Q0.31 (gemmlowp tanh: exp(2a) read as Q5.26). */
static inline int32_t kiln_fp_tanh_q4(int32_t a) {
  int32_t t;
  if (a == 0) return 0;
  t = kiln_fp_one_minus_x_over_one_plus_x(kiln_fp_exp_on_negative(a < 0 ? a : -a, 5));
  return a < 0 ? -t : t;
}

/* Number of leading zero bits of a 32-bit value (32 for 0). */
static inline int32_t kiln_fp_clz(uint32_t x) {
  int32_t n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    ++n;
  }
  return n;
}

#endif
