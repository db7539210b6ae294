#include "kiln_requant.h"

/* Rounds the magnitude m to `bits` significant bits, ties to even, as IEEE-754 binary32 does:
 * returns the kept mantissa and adds the dropped bit count to *exponent. */
static uint64_t kiln_round_significand(uint64_t m, int32_t bits, int32_t* exponent) {
  const int32_t length = kiln_bit_length64(m);
  int32_t drop;
  uint64_t kept, rest, half;
  if (length <= bits) return m;
  drop = length - bits;
  kept = m >> drop;
  rest = m & (((uint64_t)1 << drop) - 1);
  half = (uint64_t)1 << (drop - 1);
  if (rest > half || (rest == half && (kept & 1))) ++kept;
  if (kept >> bits) { /* rounding carried into a new bit */
    kept >>= 1;
    ++drop;
  }
  *exponent += drop;
  return kept;
}

int32_t kiln_single_rounding_multiply(int64_t x, int32_t scale_bits) {
  const uint32_t bits = (uint32_t)scale_bits;
  const int32_t biased = (int32_t)((bits >> 23) & 0xFF);
  const uint64_t scale_mantissa =
      biased ? ((bits & 0x7FFFFFu) | 0x800000u) : (uint64_t)(bits & 0x7FFFFFu);
  int32_t exponent = (biased ? biased : 1) - 150; /* M = scale_mantissa * 2^(biased - 150) */
  /* |x| as unsigned: also right for INT64_MIN */
  const uint64_t magnitude = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
  uint64_t product, q, rest, half;
  int32_t drop;
  if (magnitude == 0 || scale_mantissa == 0) return 0;
  /* float32(x): 24 significant bits; then the product, rounded to 24 bits again. */
  /* Accumulators below 2^24 (nearly all) are exact in float32: no rounding, no bit count. */
  product = (magnitude >> 24 ? kiln_round_significand(magnitude, 24, &exponent) : magnitude) *
            scale_mantissa;
  product = kiln_round_significand(product, 24, &exponent);
  if (exponent >= 0) {
    if (exponent > 31 || (product << exponent) > (uint64_t)INT32_MAX + (x < 0 ? 1u : 0u))
      return x < 0 ? INT32_MIN : INT32_MAX;
    q = product << exponent;
  } else {
    drop = -exponent;
    if (drop > 25) return 0; /* product < 2^24, so the value is below 1/2 */
    q = product >> drop;
    rest = product & (((uint64_t)1 << drop) - 1);
    half = (uint64_t)1 << (drop - 1);
    if (rest > half || (rest == half && (q & 1))) ++q;
    if (q > (uint64_t)INT32_MAX + (x < 0 ? 1u : 0u)) return x < 0 ? INT32_MIN : INT32_MAX;
  }
  return x < 0 ? (int32_t)(-(int64_t)q) : (int32_t)q;
}
