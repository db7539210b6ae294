/* Float functions kiln computes itself instead of calling libm, so that the interpreter and the
 * generated code give the same bits on every IEEE-754 machine: C libraries (glibc, newlib,
 * picolibc) round expf differently in the last place, which made float softmax outputs differ
 * between the host and a Cortex-M. Only binary32 +, -, * and conversions are used; kiln
 * compiles kernels with -ffp-contract=off (no fused multiply-add), and generated build
 * fragments and target descriptions do the same, so every operation rounds the same way. */
#ifndef KILN_MATH_H
#define KILN_MATH_H

#include "kiln_common.h"

/* 2^n as a float for -126 <= n <= 127 (a normal number: exact). */
static inline float kiln_pow2f(int32_t n) {
  union {
    uint32_t bits;
    float value;
  } u;
  u.bits = (uint32_t)(n + 127) << 23;
  return u.value;
}

/* e^x with a relative error below 2 ulp over the whole float range; NaN stays NaN, overflow
 * gives +inf and deep underflow 0 (subnormal results are rounded once). */
static inline float kiln_expf(float x) {
  /* ln 2 split so that n * ln2_hi is exact for |n| < 2^10 (Cody and Waite). */
  const float ln2_hi = 0.693145751953125f;
  const float ln2_lo = 1.428606765330187045e-06f;
  const float log2e = 1.44269504088896341f;
  float r, p;
  int32_t n;
  if (x != x) return x;
  if (x > 88.72283935546875f) return kiln_pow2f(127) * 2.0f; /* overflows to +inf */
  if (x < -103.972084045410156f) return 0.0f;
  /* x = n ln2 + r with |r| <= ln2 / 2 (plus rounding). */
  n = (int32_t)(x * log2e + (x >= 0.0f ? 0.5f : -0.5f));
  r = x - (float)n * ln2_hi;
  r = r - (float)n * ln2_lo;
  /* Taylor series to degree 7 on |r| <= 0.35: truncation error below 6e-9 relative. */
  p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  /* p * 2^n, in steps that stay exact until the single final rounding. */
  if (n > 127) return p * kiln_pow2f(127) * kiln_pow2f(n - 127);
  if (n < -126) return p * kiln_pow2f(n + 64) * kiln_pow2f(-64);
  return p * kiln_pow2f(n);
}

#endif
