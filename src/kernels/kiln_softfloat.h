#ifndef KILN_SOFTFLOAT_H
#define KILN_SOFTFLOAT_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* IEEE-754 binary32 arithmetic (round to nearest, ties to even) computed with integers only, for
 * integer kernels that must reproduce a float32 computation bit for bit without an FPU or a
 * floating-point instruction (ONNX Runtime's QLinearAveragePool: dequantize, float sum, divide,
 * add the zero point). Values are kept unpacked and exact: value = (-1)^negative * mant * 2^exp
 * with mant < 2^24 after every rounded operation. Subnormal results are rounded as binary32 does;
 * overflow and NaN are outside what the callers produce (sums of a few thousand int8 terms). */
typedef struct {
  int32_t negative;
  uint64_t mant;
  int32_t exp;
} kiln_sf32;

/* m / 2^drop (0 < drop < 64) rounded to nearest, ties to even; `sticky` says whether nonzero bits
 * below m's last bit were dropped already (then m is never an exact tie). The one rounding step
 * of every operation below. */
static inline uint64_t kiln_shift_round_even(uint64_t m, int32_t drop, int32_t sticky) {
  const uint64_t kept = m >> drop;
  const uint64_t rest = m & (((uint64_t)1 << drop) - 1);
  const uint64_t half = (uint64_t)1 << (drop - 1);
  return rest > half || (rest == half && (sticky || (kept & 1))) ? kept + 1 : kept;
}

/* Rounds the exact value (-1)^negative * (m + sticky part) * 2^e to binary32. `sticky` says
 * whether nonzero bits below m's last bit were dropped already (then m is never an exact tie). */
static inline kiln_sf32 kiln_sf32_round(int32_t negative, uint64_t m, int32_t e, int32_t sticky) {
  kiln_sf32 r;
  int32_t length, drop;
  r.negative = negative;
  if (m == 0) {
    r.mant = 0;
    r.exp = 0;
    return r;
  }
  length = kiln_bit_length64(m);
  drop = length - 24;
  if (e + drop < -149) drop = -149 - e; /* below the smallest normal: fewer significant bits */
  if (drop > 0) {
    if (drop > 63) { /* far below the smallest subnormal (never reached by the callers) */
      r.mant = 0;
      r.exp = 0;
      return r;
    }
    m = kiln_shift_round_even(m, drop, sticky);
    e += drop;
    if (m >> 24) { /* rounding carried into a 25th bit */
      m >>= 1;
      ++e;
    }
  }
  r.mant = m;
  r.exp = e;
  return r;
}

/* The binary32 number with bits `bits` (finite). */
static inline kiln_sf32 kiln_sf32_from_bits(int32_t bits) {
  const uint32_t u = (uint32_t)bits;
  const int32_t biased = (int32_t)((u >> 23) & 0xFF);
  kiln_sf32 r;
  r.negative = (int32_t)(u >> 31);
  r.mant = biased ? ((u & 0x7FFFFFu) | 0x800000u) : (uint64_t)(u & 0x7FFFFFu);
  r.exp = (biased ? biased : 1) - 150;
  return r;
}

/* float32(v) for an integer v. */
static inline kiln_sf32 kiln_sf32_from_int(int64_t v) {
  const uint64_t magnitude = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  if (magnitude >> 24 == 0) { /* exact in binary32 (nearly every accumulator): no bit count */
    kiln_sf32 r;
    r.negative = v < 0;
    r.mant = magnitude;
    r.exp = 0;
    return r;
  }
  return kiln_sf32_round(v < 0, magnitude, 0, 0);
}

/* float32(a * b). */
static inline kiln_sf32 kiln_sf32_mul(kiln_sf32 a, kiln_sf32 b) {
  return kiln_sf32_round(a.negative ^ b.negative, a.mant * b.mant, a.exp + b.exp, 0);
}

/* float32(k * a) for an integer |k| < 2^31. */
static inline kiln_sf32 kiln_sf32_mul_int(kiln_sf32 a, int32_t k) {
  const uint64_t magnitude = k < 0 ? (uint64_t)0 - (uint64_t)(int64_t)k : (uint64_t)k;
  return kiln_sf32_round(a.negative ^ (k < 0), a.mant * magnitude, a.exp, 0);
}

/* Rounds the exact sum (-1)^na * ma * 2^ea + (-1)^nb * mb * 2^eb (ma, mb < 2^40) to binary32:
 * the operand with the higher leading bit is widened to 62 bits, the other aligned to it, bits
 * shifted out kept as a sticky flag (a borrow of one accounts for them in a difference). */
static inline kiln_sf32 kiln_sf32_sum(int32_t na, uint64_t ma, int32_t ea, int32_t nb, uint64_t mb,
                                      int32_t eb) {
  int32_t widen, d, sticky = 0;
  if (ma == 0) return kiln_sf32_round(nb, mb, eb, 0);
  if (mb == 0) return kiln_sf32_round(na, ma, ea, 0);
  if (ea + kiln_bit_length64(ma) < eb + kiln_bit_length64(mb)) {
    const int32_t tn = na, te = ea;
    const uint64_t tm = ma;
    na = nb;
    ma = mb;
    ea = eb;
    nb = tn;
    mb = tm;
    eb = te;
  }
  widen = 62 - kiln_bit_length64(ma);
  ma <<= widen;
  ea -= widen;
  d = ea - eb;
  if (d <= 0) {
    mb <<= -d; /* fits: b's leading bit is not above a's */
  } else if (d >= 64) {
    sticky = 1;
    mb = 0;
  } else {
    sticky = (mb & (((uint64_t)1 << d) - 1)) != 0;
    mb >>= d;
  }
  if (na == nb) return kiln_sf32_round(na, ma + mb, ea, sticky);
  if (ma >= mb + (uint64_t)sticky)
    return kiln_sf32_round(na, ma - mb - (uint64_t)sticky, ea, sticky);
  return kiln_sf32_round(nb, mb - ma, ea, 0); /* only without sticky bits: an exact difference */
}

/* float32(a + b). */
static inline kiln_sf32 kiln_sf32_add(kiln_sf32 a, kiln_sf32 b) {
  return kiln_sf32_sum(a.negative, a.mant, a.exp, b.negative, b.mant, b.exp);
}

/* float32(k * a + c) with one rounding (a fused multiply-add), |k| < 2^16. */
static inline kiln_sf32 kiln_sf32_fma_int(int32_t k, kiln_sf32 a, kiln_sf32 c) {
  const uint64_t magnitude = k < 0 ? (uint64_t)0 - (uint64_t)(int64_t)k : (uint64_t)k;
  return kiln_sf32_sum(a.negative ^ (k < 0), a.mant * magnitude, a.exp, c.negative, c.mant, c.exp);
}

/* float32(a / b), b nonzero. */
static inline kiln_sf32 kiln_sf32_div(kiln_sf32 a, kiln_sf32 b) {
  uint64_t ma = a.mant, mb = b.mant, q, rest;
  int32_t ea = a.exp, eb = b.exp, la, lb;
  if (ma == 0) return a;
  /* Normalize both to 24-bit mantissas so the quotient has at least 39 bits. */
  la = kiln_bit_length64(ma);
  lb = kiln_bit_length64(mb);
  ma <<= 24 - la;
  ea -= 24 - la;
  mb <<= 24 - lb;
  eb -= 24 - lb;
  q = (ma << 39) / mb;
  rest = (ma << 39) % mb;
  return kiln_sf32_round(a.negative ^ b.negative, q, ea - eb - 39, rest != 0);
}

/* round_half_even(a) as an integer, saturated to int32. */
static inline int32_t kiln_sf32_round_to_int(kiln_sf32 a) {
  uint64_t q;
  if (a.mant == 0) return 0;
  if (a.exp >= 0) {
    if (a.exp > 31 || (a.mant << a.exp) > (uint64_t)INT32_MAX + (a.negative ? 1u : 0u))
      return a.negative ? INT32_MIN : INT32_MAX;
    q = a.mant << a.exp;
  } else {
    if (-a.exp > 25) return 0; /* mant < 2^24: below 1/2 */
    q = kiln_shift_round_even(a.mant, -a.exp, 0);
  }
  return a.negative ? (int32_t)(-(int64_t)q) : (int32_t)q;
}

#endif
