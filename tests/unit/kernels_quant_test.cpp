// The integer (quantized) C99 kernels and the requantization arithmetic of kiln_requant.h:
//  (a) the arithmetic against hand-computed values and an exact re-derivation (128-bit integers /
//      long double) over random inputs, edge cases included;
//  (b) every kernel against a naive reference written here from its header's formula (plain
//      nested loops, explicit bounds checks, 64-bit or 128-bit intermediates);
//  (c) dequantize -> float op -> quantize agrees with the integer kernel within 1 LSB.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "quant/quant_math.hpp"

extern "C" {
#include "kiln_average_pool_s16.h"
#include "kiln_average_pool_s8.h"
#include "kiln_binary_ops.h"
#include "kiln_binary_s16.h"
#include "kiln_binary_s8.h"
#include "kiln_conv_acc_s8.h"
#include "kiln_conv_s16.h"
#include "kiln_conv_s8.h"
#include "kiln_dequantize_linear.h"
#include "kiln_gemm_s16.h"
#include "kiln_gemm_s8.h"
#include "kiln_global_average_pool_s16.h"
#include "kiln_global_average_pool_s8.h"
#include "kiln_lut_s16.h"
#include "kiln_lut_s8.h"
#include "kiln_matmul_acc_s8.h"
#include "kiln_matmul_s8.h"
#include "kiln_max_pool_s16.h"
#include "kiln_max_pool_s8.h"
#include "kiln_quantize_linear.h"
#include "kiln_requant.h"
#include "kiln_requantize.h"
#include "kiln_softmax_s16.h"
#include "kiln_softmax_s8.h"
}

namespace {

__extension__ typedef __int128 i128;

constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax32 = std::numeric_limits<int32_t>::max();

// ---------------------------------------------------------------------------------------------
// Exact reference arithmetic (independent of kiln_requant.h).

// floor(a / b) for b > 0.
i128 floor_div(i128 a, i128 b) {
  i128 q = a / b;
  if ((a % b) != 0 && a < 0) --q;
  return q;
}
i128 pow2(int e) {
  return static_cast<i128>(1) << e;
}
int64_t sat32(i128 v) {
  return v > kMax32 ? kMax32 : (v < kMin32 ? kMin32 : static_cast<int64_t>(v));
}

// round(a * b / 2^31), ties toward +infinity (gemmlowp / SQRDMULH), saturated to int32.
i128 ref_srdhm(i128 a, i128 b) {
  return floor_div(a * b + pow2(30), pow2(31));
}
// round(x / 2^e), ties away from zero.
i128 ref_rdbpot(i128 x, int e) {
  if (e == 0) return x;
  const i128 mag = floor_div((x < 0 ? -x : x) + pow2(e - 1), pow2(e));
  return x < 0 ? -mag : mag;
}
// TFLite MultiplyByQuantizedMultiplier on int32 x, with the left shift saturating to int32.
int32_t ref_mbqm(int32_t x, int32_t m, int32_t shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const i128 shifted = sat32(static_cast<i128>(x) * pow2(left));
  const i128 high = sat32(ref_srdhm(shifted, m));
  return static_cast<int32_t>(ref_rdbpot(high, right));
}
// The same double rounding on an unbounded integer x, result saturated to int32.
int32_t ref_mbqm_wide(i128 x, int32_t m, int32_t shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  return static_cast<int32_t>(sat32(ref_rdbpot(ref_srdhm(x * pow2(left), m), right)));
}
// TFLite's int64 MultiplyByQuantizedMultiplier: Q15 multiplier (round half up, capped at
// 0x7FFF), then round(x * m15 / 2^(15 - shift)) ties up, saturated.
int32_t ref_mbqm64(int64_t x, int32_t m, int32_t shift) {
  const i128 m15 = std::min<i128>(floor_div(static_cast<i128>(m) + pow2(15), pow2(16)), 0x7FFF);
  if (shift >= 15)
    return static_cast<int32_t>(sat32(static_cast<i128>(x) * m15 * pow2(shift - 15)));
  return static_cast<int32_t>(
      sat32(floor_div(static_cast<i128>(x) * m15 + pow2(14 - shift), pow2(15 - shift))));
}
// x * 2^shift, rounding half away from zero, saturated.
int32_t ref_shift(int64_t x, int32_t shift) {
  if (shift >= 0) return static_cast<int32_t>(sat32(static_cast<i128>(x) * pow2(shift)));
  return static_cast<int32_t>(sat32(ref_rdbpot(x, -shift)));
}
// ONNX Runtime's requantization done by the host FPU (binary32, round to nearest even; x86-64
// and AArch64 evaluate float expressions in float): the oracle of KILN_REQUANT_SINGLE.
int32_t ref_single(int64_t x, int32_t scale_bits) {
  const float product = static_cast<float>(x) * std::bit_cast<float>(scale_bits);
  const float rounded = std::nearbyint(product);
  if (rounded >= 2147483648.0f) return std::numeric_limits<int32_t>::max();
  if (rounded <= -2147483648.0f) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(rounded);
}
int32_t ref_requant32(int64_t acc, int32_t mode, int32_t m, int32_t s) {
  if (mode == KILN_REQUANT_SINGLE) return ref_single(acc, m);
  return mode == KILN_REQUANT_SHIFT ? ref_shift(acc, s) : ref_mbqm(static_cast<int32_t>(acc), m, s);
}
int32_t ref_requant64(int64_t acc, int32_t mode, int32_t m, int32_t s) {
  if (mode == KILN_REQUANT_SINGLE) return ref_single(acc, m);
  return mode == KILN_REQUANT_SHIFT ? ref_shift(acc, s) : ref_mbqm64(acc, m, s);
}
int32_t clamp_out(int64_t zp, int64_t v, int32_t lo, int32_t hi) {
  const int64_t r = zp + v;
  return static_cast<int32_t>(std::clamp<int64_t>(r, lo, hi));
}

// ---------------------------------------------------------------------------------------------
struct Rng {
  std::mt19937_64 gen;
  explicit Rng(uint64_t seed) : gen(seed) {}
  int64_t operator()(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(gen);
  }
  bool coin() { return (*this)(0, 1) == 1; }
  double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(gen); }
};

// ===================================== (a) arithmetic =========================================

TEST(QuantRequantArithmetic, HandComputedValues) {
  // 0.5 * 0.5 in Q31 is 0.25.
  EXPECT_EQ(kiln_sat_rounding_doubling_high_mul(1 << 30, 1 << 30), 1 << 29);
  EXPECT_EQ(kiln_sat_rounding_doubling_high_mul(kMin32, kMin32), kMax32);
  EXPECT_EQ(kiln_sat_rounding_doubling_high_mul(kMin32, kMax32), -kMax32);
  // Ties (a * b = k * 2^30 with k odd) round up: 0.5 -> 1, -0.5 -> 0, 1.5 -> 2, -1.5 -> -1.
  EXPECT_EQ(kiln_sat_rounding_doubling_high_mul(1, 1 << 30), 1);
  EXPECT_EQ(kiln_sat_rounding_doubling_high_mul(-1, 1 << 30), 0);
  EXPECT_EQ(kiln_sat_rounding_doubling_high_mul(3, 1 << 30), 2);
  EXPECT_EQ(kiln_sat_rounding_doubling_high_mul(-3, 1 << 30), -1);
  EXPECT_EQ(kiln_sat_rounding_doubling_high_mul(-5, 1 << 30), -2);

  // Rounding divide by a power of two: ties away from zero.
  EXPECT_EQ(kiln_rounding_divide_by_pot(5, 1), 3);
  EXPECT_EQ(kiln_rounding_divide_by_pot(-5, 1), -3);
  EXPECT_EQ(kiln_rounding_divide_by_pot(-4, 1), -2);
  EXPECT_EQ(kiln_rounding_divide_by_pot(7, 2), 2);
  EXPECT_EQ(kiln_rounding_divide_by_pot(-6, 2), -2);
  EXPECT_EQ(kiln_rounding_divide_by_pot(-5, 2), -1);
  EXPECT_EQ(kiln_rounding_divide_by_pot(123, 0), 123);
  EXPECT_EQ(kiln_rounding_divide_by_pot(kMin32, 31), -1);
  EXPECT_EQ(kiln_rounding_divide_by_pot(kMax32, 31), 1);
  EXPECT_EQ(kiln_rounding_divide_by_pot(1 << 30, 31), 1);
  EXPECT_EQ(kiln_rounding_divide_by_pot(-(1 << 30), 31), -1);
  EXPECT_EQ(kiln_rounding_divide_by_pot((1 << 30) - 1, 31), 0);
  EXPECT_EQ(kiln_rounding_divide_by_pot(kMin32, 0), kMin32);

  EXPECT_EQ(kiln_saturating_left_shift(3, 4), 48);
  EXPECT_EQ(kiln_saturating_left_shift(1 << 20, 12), kMax32);
  EXPECT_EQ(kiln_saturating_left_shift(-(1 << 20), 12), kMin32);
  EXPECT_EQ(kiln_saturating_left_shift(-(1 << 20), 11), kMin32);  // exactly -2^31
  EXPECT_EQ(kiln_saturating_left_shift(-1, 31), kMin32);

  // M = 0.75 (multiplier 0.75 * 2^31, shift 0): 100 * 0.75 = 75; -3 * 0.75 = -2.25 -> -2.
  const int32_t three_quarters = 3 << 29;
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(100, three_quarters, 0), 75);
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(-3, three_quarters, 0), -2);
  // M = 0.75 / 4: 10 * 0.75 = 7.5 -> 8, / 4 -> 2.
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(10, three_quarters, -2), 2);
  // Double rounding (TFLite): 6 * 0.375 = 2.25 exactly, yet 6 * 0.75 = 4.5 -> 5 first and
  // 5 / 2 = 2.5 -> 3; 14 * 0.75 = 10.5 -> 11, / 4 = 2.75 -> 3.
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(6, three_quarters, -1), 3);
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(14, three_quarters, -2), 3);
  // Negative tie at the last step: -2 * 0.75 = -1.5, /1 -> high mul gives -1 (tie up) ...
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(-2, three_quarters, 0), -1);
  // ... but a tie in the final shift goes away from zero: -4 * 0.75 = -3, / 2 = -1.5 -> -2.
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(-4, three_quarters, -1), -2);
  // Left shifts: 5 * 0.75 * 8 = 30; INT32_MIN * 0.75 * 2 saturates.
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(5, three_quarters, 3), 30);
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(kMin32, three_quarters, 1), -1610612736);
  // Shift extremes: INT32_MIN * 0.5 * 2^-31 = -0.5 -> -1 (away from zero in the final shift);
  // (2^31 - 1)^2 / 2^62 = 0.99999... -> 1.
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(kMin32, 1 << 30, -31), -1);
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(kMax32, kMax32, -31), 1);
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(kMax32, kMax32, 0), kMax32 - 1);
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(kMin32, kMax32, 0), -kMax32);
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(1, 1 << 30, 30), 1 << 29);
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(4, 1 << 30, 30),
            1 << 30);  // (2^31 - 1) / 2, tie up
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier(12345, 0, 0), 0);

  // 64-bit variant: M = 0.75 -> m15 = 24576; 1000 * 0.75 = 750; ties round up (-1.5 -> -1).
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier64(1000, three_quarters, 0), 750);
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier64(-2, three_quarters, 0), -1);
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier64(-6, three_quarters, -1), -2);  // -2.25
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier64(int64_t{1} << 46, 1 << 30, 0),
            kMax32);  // 2^45 saturates
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier64(-(int64_t{1} << 46), 1 << 30, -16),
            -(1 << 29));  // -2^46 * 2^-1 * 2^-16
  // A multiplier just below 2^31 rounds to the capped Q15 0x7FFF.
  EXPECT_EQ(kiln_multiply_by_quantized_multiplier64(1 << 16, kMax32, 0), 0x7FFF * 2);

  // Shift-only: 7 * 2^-1 = 3.5 -> 4, -7 * 2^-1 -> -4, -5 * 2^-2 = -1.25 -> -1, saturation.
  EXPECT_EQ(kiln_shift_requantize(7, -1), 4);
  EXPECT_EQ(kiln_shift_requantize(-7, -1), -4);
  EXPECT_EQ(kiln_shift_requantize(-5, -2), -1);
  EXPECT_EQ(kiln_shift_requantize(3, 2), 12);
  EXPECT_EQ(kiln_shift_requantize(int64_t{1} << 40, 30), kMax32);
  EXPECT_EQ(kiln_shift_requantize(-(int64_t{1} << 40), 30), kMin32);
  EXPECT_EQ(kiln_shift_requantize(int64_t{1} << 40, -20), 1 << 20);
  EXPECT_EQ(kiln_shift_requantize(int64_t{1} << 40, -62), 0);
  EXPECT_EQ(kiln_shift_requantize(kMin32, 0), kMin32);
  EXPECT_EQ(kiln_requantize32(-7, KILN_REQUANT_SHIFT, 12345, -1), -4);
  EXPECT_EQ(kiln_requantize32(-4, KILN_REQUANT_FIXED_POINT, three_quarters, -1), -2);
  EXPECT_EQ(kiln_requantize64(-7, KILN_REQUANT_SHIFT, 12345, -1), -4);

  EXPECT_EQ(kiln_offset_clamp(kMax32, 5, -128, 127), 127);
  EXPECT_EQ(kiln_offset_clamp(kMin32, -5, -128, 127), -128);
  EXPECT_EQ(kiln_offset_clamp(-3, 10, -128, 127), 7);
}

TEST(QuantRequantArithmetic, RandomAgainstExactDerivation) {
  Rng rng(11);
  const int32_t specials[] = {0,          1,         -1,         2,       -2,         kMin32,
                              kMin32 + 1, kMax32,    kMax32 - 1, 1 << 30, -(1 << 30), (1 << 30) - 1,
                              3 << 29,    -(3 << 29)};
  auto pick = [&](bool any) -> int32_t {
    if (rng(0, 7) == 0) return specials[rng(0, std::size(specials) - 1)];
    const int bits = static_cast<int>(rng(1, 31));
    const int64_t v = rng(-(int64_t{1} << bits), (int64_t{1} << bits) - 1);
    return any ? static_cast<int32_t>(v) : static_cast<int32_t>(std::clamp<int64_t>(v, 0, kMax32));
  };
  for (int iter = 0; iter < 200000; ++iter) {
    const int32_t a = pick(true), b = pick(true);
    ASSERT_EQ(kiln_sat_rounding_doubling_high_mul(a, b), sat32(ref_srdhm(a, b))) << a << " " << b;
    const int e = static_cast<int>(rng(0, 40));
    ASSERT_EQ(kiln_rounding_divide_by_pot(a, e), ref_rdbpot(a, e)) << a << " >> " << e;
    const int32_t m = iter % 5 == 0 ? pick(false) : static_cast<int32_t>(rng(1 << 30, kMax32));
    // TFLite's range is [-31, 30]; beyond it kiln keeps the same exact semantics.
    const int32_t shift = static_cast<int32_t>(iter % 4 == 0 ? rng(-45, 45) : rng(-31, 30));
    const int32_t got = kiln_multiply_by_quantized_multiplier(a, m, shift);
    ASSERT_EQ(got, ref_mbqm(a, m, shift)) << a << " * " << m << " 2^" << shift;
    // Double rounding stays within one unit of the exact real product (when not saturated).
    const long double real =
        static_cast<long double>(a) * m / 2147483648.0L * std::ldexp(1.0L, shift);
    const bool left_saturates =
        shift > 0 && std::fabs(std::ldexp(static_cast<long double>(a), shift)) >= 2147483648.0L;
    if (std::fabs(real) < 2e9L && !left_saturates) {
      ASSERT_LE(std::fabs(real - got), 1.0L) << a << " " << m;
    }
    const int32_t sshift = static_cast<int32_t>(rng(-40, 40));
    ASSERT_EQ(kiln_shift_requantize(a, sshift), ref_shift(a, sshift)) << a << " " << sshift;
    const int64_t wide = rng(-(int64_t{1} << 47), (int64_t{1} << 47) - 1);
    ASSERT_EQ(kiln_shift_requantize(wide, sshift), ref_shift(wide, sshift)) << wide;
    const int32_t shift64 = static_cast<int32_t>(iter % 4 == 0 ? rng(-60, 40) : rng(-31, 7));
    ASSERT_EQ(kiln_multiply_by_quantized_multiplier64(wide, m, shift64),
              ref_mbqm64(wide, m, shift64))
        << wide << " " << m << " " << shift64;
    ASSERT_EQ(kiln_multiply_by_quantized_multiplier64(a, m, shift64), ref_mbqm64(a, m, shift64));
  }
}

// KILN_REQUANT_SINGLE emulates float32(float32(x) * M) rounded half to even with integers only:
// it must equal the FPU bit for bit, including ties, inputs that round when converted to
// float32 (|x| > 2^24), int64 accumulators, saturation and tiny scales.
TEST(QuantRequantArithmetic, SingleRoundingEqualsFloat32) {
  Rng rng(23);
  const int64_t specials[] = {0,
                              1,
                              -1,
                              3,
                              -3,
                              kMin32,
                              kMax32,
                              16777217,
                              -16777217,
                              1 << 24,
                              (1 << 24) + 3,
                              INT64_MAX,
                              INT64_MIN,
                              int64_t{1} << 40};
  for (int iter = 0; iter < 400000; ++iter) {
    int64_t x = 0;
    switch (rng(0, 4)) {
      case 0: x = specials[rng(0, std::size(specials) - 1)]; break;
      case 1: x = rng(-2000, 2000); break;
      case 2: x = rng(kMin32, kMax32); break;
      case 3: x = rng(-(int64_t{1} << 47), int64_t{1} << 47); break;
      default: x = rng(-100000, 100000); break;
    }
    float scale = std::ldexp(static_cast<float>(rng(1 << 23, (1 << 24) - 1)),
                             static_cast<int>(rng(-60, 8)) - 23);
    if (rng(0, 9) == 0) scale = std::ldexp(1.0f, static_cast<int>(rng(-40, 10)));  // exact ties
    if (rng(0, 99) == 0) scale = std::numeric_limits<float>::denorm_min() * rng(1, 1000);
    const auto bits = std::bit_cast<int32_t>(scale);
    ASSERT_EQ(kiln_single_rounding_multiply(x, bits), ref_single(x, bits)) << x << " * " << scale;
  }
  // Hand-checked: 5 * 0.5 = 2.5 -> 2, 7 * 0.5 = 3.5 -> 4, -5 * 0.5 -> -2 (ties to even);
  // 3307 * 0.004384639f is 14.500002f in float32, so 15 although 14.5 is a tie in reals.
  const auto half = std::bit_cast<int32_t>(0.5f);
  EXPECT_EQ(kiln_single_rounding_multiply(5, half), 2);
  EXPECT_EQ(kiln_single_rounding_multiply(7, half), 4);
  EXPECT_EQ(kiln_single_rounding_multiply(-5, half), -2);
  EXPECT_EQ(kiln_single_rounding_multiply(3307, std::bit_cast<int32_t>(0.004384639f)), 15);
  EXPECT_EQ(kiln_requantize32(7, KILN_REQUANT_SINGLE, half, 99), 4);  // shift is ignored
  EXPECT_EQ(kiln_requantize64(int64_t{1} << 40, KILN_REQUANT_SINGLE, half, 0), kMax32);
}

TEST(QuantRequantArithmetic, WeightUnpacking) {
  // Bytes hold (low nibble, high nibble): (1, -1), (7, -8), (0, 5).
  const int8_t packed[] = {static_cast<int8_t>(0xF1), static_cast<int8_t>(0x87), 0x50};
  const int32_t expected[] = {1, -1, 7, -8, 0, 5};
  for (int k = 0; k < 6; ++k) EXPECT_EQ(kiln_weight_at(packed, 4, k), expected[k]) << k;
  const int8_t plain[] = {-128, 127, 0};
  EXPECT_EQ(kiln_weight_at(plain, 8, 0), -128);
  EXPECT_EQ(kiln_weight_at(plain, 8, 1), 127);
}

// ===================================== (b) kernels ============================================

// int4 values [-8, 7] packed two per byte, element 2i in the low nibble of byte i.
std::vector<int8_t> pack4(const std::vector<int32_t>& values) {
  std::vector<int8_t> out((values.size() + 1) / 2, 0);
  for (size_t i = 0; i < values.size(); ++i) {
    const int nibble = values[i] & 0xF;
    auto& byte = reinterpret_cast<uint8_t&>(out[i / 2]);
    byte = static_cast<uint8_t>(byte | (i % 2 ? nibble << 4 : nibble));
  }
  return out;
}

struct Requant {
  std::vector<int32_t> multipliers, shifts;
  int32_t mode = KILN_REQUANT_FIXED_POINT;
  int32_t act_min = -128, act_max = 127;
};

// Per-channel or repeated per-tensor parameters; shifts in [shift_lo, shift_hi].
Requant random_requant(Rng& rng, int32_t channels, int32_t shift_lo, int32_t shift_hi,
                       int32_t type_min, int32_t type_max) {
  Requant r;
  const int64_t pick = rng(0, 5);
  r.mode =
      pick == 0 ? KILN_REQUANT_SHIFT : (pick == 1 ? KILN_REQUANT_SINGLE : KILN_REQUANT_FIXED_POINT);
  const bool per_channel = rng.coin();
  for (int32_t c = 0; c < channels; ++c) {
    if (c > 0 && !per_channel) {
      r.multipliers.push_back(r.multipliers[0]);
      r.shifts.push_back(r.shifts[0]);
      continue;
    }
    const auto multiplier = static_cast<int32_t>(rng(1 << 30, kMax32));
    const auto shift = static_cast<int32_t>(rng(shift_lo, shift_hi));
    // Single rounding takes the float32 scale M = multiplier / 2^31 * 2^shift as its bits.
    r.multipliers.push_back(
        r.mode == KILN_REQUANT_SINGLE
            ? std::bit_cast<int32_t>(static_cast<float>(std::ldexp(multiplier, shift - 31)))
            : multiplier);
    r.shifts.push_back(r.mode == KILN_REQUANT_SINGLE ? 0 : shift);
  }
  r.act_min = type_min;
  r.act_max = type_max;
  if (rng.coin()) {  // a fused Relu / Relu6-like clamp
    r.act_min = static_cast<int32_t>(rng(type_min, 0));
    r.act_max = static_cast<int32_t>(rng(r.act_min, type_max));
  }
  return r;
}

struct ConvGeometry {
  int32_t batch = 1, in_channels = 1, out_channels = 1, group = 1;
  int32_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1}, strides[3] = {1, 1, 1},
          dilations[3] = {1, 1, 1}, pads[3] = {0, 0, 0};
  int32_t taps() const { return kernel[0] * kernel[1] * kernel[2]; }
  int32_t in_elements() const { return batch * in_channels * in[0] * in[1] * in[2]; }
  int32_t out_elements() const { return batch * out_channels * out[0] * out[1] * out[2]; }
  int32_t w_elements() const { return out_channels * (in_channels / group) * taps(); }
};

ConvGeometry random_conv_geometry(Rng& rng) {
  ConvGeometry g;
  g.batch = static_cast<int32_t>(rng(1, 2));
  switch (rng(0, 2)) {
    case 0:  // plain
      g.group = 1;
      g.in_channels = static_cast<int32_t>(rng(1, 4));
      g.out_channels = static_cast<int32_t>(rng(1, 4));
      break;
    case 1:  // grouped
      g.group = static_cast<int32_t>(rng(2, 3));
      g.in_channels = g.group * static_cast<int32_t>(rng(1, 2));
      g.out_channels = g.group * static_cast<int32_t>(rng(1, 2));
      break;
    default:  // depthwise (channel multiplier 1 or 2)
      g.in_channels = g.group = static_cast<int32_t>(rng(1, 5));
      g.out_channels = g.in_channels * static_cast<int32_t>(rng(1, 2));
      break;
  }
  const int spatial = static_cast<int>(rng(1, 3));
  for (int d = 3 - spatial; d < 3; ++d) {
    for (;;) {
      g.in[d] = static_cast<int32_t>(rng(1, 7));
      g.kernel[d] = static_cast<int32_t>(rng(1, 3));
      g.strides[d] = static_cast<int32_t>(rng(1, 3));
      g.dilations[d] = static_cast<int32_t>(rng(1, 2));
      g.pads[d] = static_cast<int32_t>(rng(0, 2));
      const int32_t end_pad = static_cast<int32_t>(rng(0, 2));
      const int32_t span = g.in[d] + g.pads[d] + end_pad - g.dilations[d] * (g.kernel[d] - 1);
      if (span < 1) continue;
      g.out[d] = (span - 1) / g.strides[d] + 1;
      break;
    }
  }
  return g;
}

// sum (x - x_zp) * (w[oc] - w_zp[oc]) over the taps inside the input, + bias.
template <typename X>
std::vector<int64_t> reference_conv_acc(const ConvGeometry& g, const std::vector<X>& x,
                                        const std::vector<int32_t>& w,
                                        const std::vector<int64_t>& bias, int32_t x_zp,
                                        const std::vector<int32_t>& w_zp) {
  std::vector<int64_t> y;
  const int32_t gin = g.in_channels / g.group, gout = g.out_channels / g.group;
  for (int32_t n = 0; n < g.batch; ++n)
    for (int32_t oc = 0; oc < g.out_channels; ++oc)
      for (int32_t o0 = 0; o0 < g.out[0]; ++o0)
        for (int32_t o1 = 0; o1 < g.out[1]; ++o1)
          for (int32_t o2 = 0; o2 < g.out[2]; ++o2) {
            int64_t acc = bias.empty() ? 0 : bias[oc];
            for (int32_t ic = 0; ic < gin; ++ic)
              for (int32_t k0 = 0; k0 < g.kernel[0]; ++k0)
                for (int32_t k1 = 0; k1 < g.kernel[1]; ++k1)
                  for (int32_t k2 = 0; k2 < g.kernel[2]; ++k2) {
                    const int32_t i0 = o0 * g.strides[0] - g.pads[0] + k0 * g.dilations[0];
                    const int32_t i1 = o1 * g.strides[1] - g.pads[1] + k1 * g.dilations[1];
                    const int32_t i2 = o2 * g.strides[2] - g.pads[2] + k2 * g.dilations[2];
                    if (i0 < 0 || i0 >= g.in[0] || i1 < 0 || i1 >= g.in[1] || i2 < 0 ||
                        i2 >= g.in[2])
                      continue;
                    const int32_t c = (oc / gout) * gin + ic;
                    const int64_t xv =
                        x[(((n * g.in_channels + c) * g.in[0] + i0) * g.in[1] + i1) * g.in[2] + i2];
                    const int64_t wv =
                        w[(((oc * gin + ic) * g.kernel[0] + k0) * g.kernel[1] + k1) * g.kernel[2] +
                          k2];
                    acc += (xv - x_zp) * (wv - w_zp[oc]);
                  }
            y.push_back(acc);
          }
  return y;
}

// Weight zero points, one per output channel, as the Conv/Gemm/MatMul lowerings pass them: all 0
// (symmetric), one repeated value (asymmetric per tensor) or a value per channel (asymmetric per
// channel), within the weights' value range (4-bit weights: [-8, 7]).
std::vector<int32_t> random_weight_zero_points(Rng& rng, int32_t channels, int32_t w_bits) {
  const int32_t lo = w_bits == 4 ? -8 : -128, hi = w_bits == 4 ? 7 : 127;
  const int kind = static_cast<int>(rng(0, 3));
  std::vector<int32_t> zps(static_cast<size_t>(channels), 0);
  if (kind == 1) zps.assign(zps.size(), static_cast<int32_t>(rng(lo, hi)));
  if (kind >= 2)
    for (auto& v : zps) v = static_cast<int32_t>(rng(lo, hi));
  return zps;
}

int32_t plane_of(const ConvGeometry& g, size_t out_index) {
  const size_t plane = static_cast<size_t>(g.out[0]) * g.out[1] * g.out[2];
  return static_cast<int32_t>((out_index / plane) % g.out_channels);
}

TEST(QuantKernels, ConvS8MatchesReference) {
  Rng rng(21);
  for (int iter = 0; iter < 300; ++iter) {
    const ConvGeometry g = random_conv_geometry(rng);
    const int32_t w_bits = rng.coin() ? 8 : 4;
    std::vector<int8_t> x(g.in_elements());
    for (auto& v : x) v = static_cast<int8_t>(rng(-128, 127));
    std::vector<int32_t> w(g.w_elements());
    for (auto& v : w) v = static_cast<int32_t>(w_bits == 8 ? rng(-127, 127) : rng(-8, 7));
    std::vector<int8_t> w_buf;
    if (w_bits == 8)
      for (int32_t v : w) w_buf.push_back(static_cast<int8_t>(v));
    else
      w_buf = pack4(w);
    const bool has_bias = rng.coin();
    std::vector<int32_t> bias;
    std::vector<int64_t> bias64;
    if (has_bias)
      for (int32_t c = 0; c < g.out_channels; ++c) {
        bias.push_back(static_cast<int32_t>(rng(-20000, 20000)));
        bias64.push_back(bias.back());
      }
    const int32_t x_zp = static_cast<int32_t>(rng(-128, 127));
    const std::vector<int32_t> w_zp = random_weight_zero_points(rng, g.out_channels, w_bits);
    const int32_t y_zp = static_cast<int32_t>(rng(-20, 20));
    const Requant r = random_requant(rng, g.out_channels, -13, rng(0, 9) == 0 ? 1 : -5, -128, 127);
    const auto acc = reference_conv_acc(g, x, w, bias64, x_zp, w_zp);
    std::vector<int8_t> y(g.out_elements(), 99);
    kiln_conv_s8(x.data(), w_buf.data(), has_bias ? bias.data() : nullptr, y.data(), g.batch,
                 g.in_channels, g.out_channels, g.group, g.in, g.out, g.kernel, g.strides,
                 g.dilations, g.pads, w_bits, x_zp, w_zp.data(), y_zp, r.multipliers.data(),
                 r.shifts.data(), r.mode, r.act_min, r.act_max);
    for (size_t i = 0; i < y.size(); ++i) {
      const int32_t oc = plane_of(g, i);
      ASSERT_EQ(y[i],
                clamp_out(y_zp, ref_requant32(acc[i], r.mode, r.multipliers[oc], r.shifts[oc]),
                          r.act_min, r.act_max))
          << "case " << iter << " output " << i << " group " << g.group << " w_bits " << w_bits;
    }
  }
}

TEST(QuantKernels, ConvS16MatchesReference) {
  Rng rng(22);
  for (int iter = 0; iter < 200; ++iter) {
    const ConvGeometry g = random_conv_geometry(rng);
    const int32_t w_bits = rng.coin() ? 8 : 4;
    std::vector<int16_t> x(g.in_elements());
    for (auto& v : x) v = static_cast<int16_t>(rng(-32768, 32767));
    std::vector<int32_t> w(g.w_elements());
    for (auto& v : w) v = static_cast<int32_t>(w_bits == 8 ? rng(-127, 127) : rng(-8, 7));
    std::vector<int8_t> w_buf;
    if (w_bits == 8)
      for (int32_t v : w) w_buf.push_back(static_cast<int8_t>(v));
    else
      w_buf = pack4(w);
    const bool has_bias = rng.coin();
    std::vector<int64_t> bias;
    if (has_bias)
      for (int32_t c = 0; c < g.out_channels; ++c) bias.push_back(rng(-(1 << 26), 1 << 26));
    const int32_t x_zp = rng(0, 3) == 0 ? static_cast<int32_t>(rng(-300, 300)) : 0;
    const std::vector<int32_t> w_zp = random_weight_zero_points(rng, g.out_channels, w_bits);
    const int32_t y_zp = rng(0, 3) == 0 ? static_cast<int32_t>(rng(-300, 300)) : 0;
    const Requant r = random_requant(rng, g.out_channels, -18, -6, -32768, 32767);
    const auto acc = reference_conv_acc(g, x, w, bias, x_zp, w_zp);
    std::vector<int16_t> y(g.out_elements(), 99);
    kiln_conv_s16(x.data(), w_buf.data(), has_bias ? bias.data() : nullptr, y.data(), g.batch,
                  g.in_channels, g.out_channels, g.group, g.in, g.out, g.kernel, g.strides,
                  g.dilations, g.pads, w_bits, x_zp, w_zp.data(), y_zp, r.multipliers.data(),
                  r.shifts.data(), r.mode, r.act_min, r.act_max);
    for (size_t i = 0; i < y.size(); ++i) {
      const int32_t oc = plane_of(g, i);
      ASSERT_EQ(y[i],
                clamp_out(y_zp, ref_requant64(acc[i], r.mode, r.multipliers[oc], r.shifts[oc]),
                          r.act_min, r.act_max))
          << "case " << iter << " output " << i;
    }
  }
}

TEST(QuantKernels, ConvAccS8MatchesReference) {
  Rng rng(23);
  for (int iter = 0; iter < 200; ++iter) {
    const ConvGeometry g = random_conv_geometry(rng);
    std::vector<int8_t> x(g.in_elements());
    for (auto& v : x) v = static_cast<int8_t>(rng(-128, 127));
    std::vector<int32_t> w(g.w_elements());
    std::vector<int8_t> w_buf;
    for (auto& v : w) {
      v = static_cast<int32_t>(rng(-128, 127));
      w_buf.push_back(static_cast<int8_t>(v));
    }
    std::vector<int32_t> w_zp(g.out_channels);
    for (auto& v : w_zp) v = static_cast<int32_t>(rng(-128, 127));
    const int32_t x_zp = static_cast<int32_t>(rng(-128, 127));
    const auto acc = reference_conv_acc(g, x, w, {}, x_zp, w_zp);
    std::vector<int32_t> y(g.out_elements(), 99);
    kiln_conv_acc_s8(x.data(), w_buf.data(), y.data(), g.batch, g.in_channels, g.out_channels,
                     g.group, g.in, g.out, g.kernel, g.strides, g.dilations, g.pads, x_zp,
                     w_zp.data());
    for (size_t i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], acc[i]) << "case " << iter << " " << i;
  }
}

// Per-channel weight zero points reach their own output channel only. One 1x2 window (Conv) or one
// row (Gemm, MatMul) of (x - x_zp) = (4, -1) meets three output channels whose weights minus their
// own zero point are (0, 4), (0, 0) and (3, 0): accumulators -4, 0 and 12, by hand. Requantization
// is the identity (shift 0), so y = acc + y_zp. A kernel that used channel 0's zero point for all
// channels would give -4, -21 and 18.
TEST(QuantKernels, PerChannelWeightZeroPointsApplyToTheirOwnChannel) {
  const std::vector<int32_t> w_zps = {2, -5, 4};
  const std::vector<int32_t> w_oc = {2, 6, -5, -5, 7, 4};  // [oc][tap], all within [-8, 7]
  const std::vector<int32_t> expected = {-4 + 3, 0 + 3, 12 + 3};
  const std::vector<int32_t> mults = {0, 0, 0}, shifts = {0, 0, 0};
  const int32_t x_zp = 1, y_zp = 3;
  const std::vector<int8_t> x8 = {5, 0};
  const std::vector<int16_t> x16 = {5, 0};
  const std::vector<int8_t> w8(w_oc.begin(), w_oc.end());
  // Conv: x [1, 1, 1, 1, 2], w [3, 1, 1, 1, 2], y [1, 3, 1, 1, 1].
  const int32_t in[3] = {1, 1, 2}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 2}, ones[3] = {1, 1, 1},
                pads[3] = {0, 0, 0};
  std::vector<int8_t> y8(3, 99);
  kiln_conv_s8(x8.data(), w8.data(), nullptr, y8.data(), 1, 1, 3, 1, in, out, kernel, ones, ones,
               pads, 8, x_zp, w_zps.data(), y_zp, mults.data(), shifts.data(), KILN_REQUANT_SHIFT,
               -128, 127);
  EXPECT_EQ(std::vector<int32_t>(y8.begin(), y8.end()), expected);
  std::vector<int16_t> y16(3, 99);
  kiln_conv_s16(x16.data(), w8.data(), nullptr, y16.data(), 1, 1, 3, 1, in, out, kernel, ones, ones,
                pads, 8, x_zp, w_zps.data(), y_zp, mults.data(), shifts.data(), KILN_REQUANT_SHIFT,
                -32768, 32767);
  EXPECT_EQ(std::vector<int32_t>(y16.begin(), y16.end()), expected);
  // 4-bit weights: the same values fit [-8, 7]; the zero points too.
  const std::vector<int8_t> w4 = pack4(w_oc);
  std::fill(y8.begin(), y8.end(), 99);
  kiln_conv_s8(x8.data(), w4.data(), nullptr, y8.data(), 1, 1, 3, 1, in, out, kernel, ones, ones,
               pads, 4, x_zp, w_zps.data(), y_zp, mults.data(), shifts.data(), KILN_REQUANT_SHIFT,
               -128, 127);
  EXPECT_EQ(std::vector<int32_t>(y8.begin(), y8.end()), expected);
  // Gemm with B [n=3, k=2] (transposed: strides k 1, n 2) and B [k=2, n=3] (strides 3, 1).
  std::vector<int8_t> b_kn(6);
  for (int j = 0; j < 3; ++j)
    for (int p = 0; p < 2; ++p) b_kn[p * 3 + j] = w8[j * 2 + p];
  std::fill(y8.begin(), y8.end(), 99);
  kiln_gemm_s8(x8.data(), w8.data(), nullptr, y8.data(), 1, 3, 2, 2, 1, 1, 2, 8, x_zp, w_zps.data(),
               y_zp, mults.data(), shifts.data(), KILN_REQUANT_SHIFT, -128, 127);
  EXPECT_EQ(std::vector<int32_t>(y8.begin(), y8.end()), expected);
  std::fill(y8.begin(), y8.end(), 99);
  kiln_gemm_s8(x8.data(), b_kn.data(), nullptr, y8.data(), 1, 3, 2, 2, 1, 3, 1, 8, x_zp,
               w_zps.data(), y_zp, mults.data(), shifts.data(), KILN_REQUANT_SHIFT, -128, 127);
  EXPECT_EQ(std::vector<int32_t>(y8.begin(), y8.end()), expected);
  std::fill(y16.begin(), y16.end(), 99);
  kiln_gemm_s16(x16.data(), w4.data(), nullptr, y16.data(), 1, 3, 2, 2, 1, 1, 2, 4, x_zp,
                w_zps.data(), y_zp, mults.data(), shifts.data(), KILN_REQUANT_SHIFT, -32768, 32767);
  EXPECT_EQ(std::vector<int32_t>(y16.begin(), y16.end()), expected);
  // MatMul: one batch, B [2, 3] with per-column zero points.
  const int32_t dims[1] = {1}, zero[1] = {0};
  std::fill(y8.begin(), y8.end(), 99);
  kiln_matmul_s8(x8.data(), b_kn.data(), y8.data(), 1, dims, zero, zero, 1, 3, 2, x_zp,
                 w_zps.data(), y_zp, mults.data(), shifts.data(), KILN_REQUANT_SHIFT, -128, 127);
  EXPECT_EQ(std::vector<int32_t>(y8.begin(), y8.end()), expected);
}

// KILN_REQUANT_PER_TENSOR: the per-channel kernels then take multipliers[0] and shifts[0] for
// every output channel. With the flag, tables whose other entries hold unrelated values must give
// exactly what the tables repeating entry 0 give without it, for each kernel and strategy.
TEST(QuantKernels, PerTensorRequantFlagUsesEntryZeroForEveryChannel) {
  Rng rng(2026);
  constexpr int32_t kChannels = 5, kTaps = 3;
  const int32_t in[3] = {1, 1, kTaps}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, kTaps},
                ones[3] = {1, 1, 1}, pads[3] = {0, 0, 0}, dims[1] = {1}, zero[1] = {0};
  for (int iter = 0; iter < 200; ++iter) {
    const int32_t strategy = static_cast<int32_t>(
        rng(0, 2) == 0 ? KILN_REQUANT_SINGLE
                       : (rng(0, 1) ? KILN_REQUANT_FIXED_POINT : KILN_REQUANT_SHIFT));
    std::vector<int32_t> mults(kChannels), shifts(kChannels);
    for (int32_t c = 0; c < kChannels; ++c) {
      mults[c] = strategy == KILN_REQUANT_SINGLE
                     ? std::bit_cast<int32_t>(static_cast<float>(rng.real(1e-4, 0.05)))
                     : static_cast<int32_t>(rng(1 << 30, kMax32));
      shifts[c] = static_cast<int32_t>(rng(-10, 0));
    }
    const std::vector<int32_t> rep_mults(kChannels, mults[0]), rep_shifts(kChannels, shifts[0]);
    const int32_t flagged = strategy | KILN_REQUANT_PER_TENSOR;
    std::vector<int8_t> x8(kTaps), w(kChannels * kTaps);
    std::vector<int16_t> x16(kTaps);
    for (int8_t& v : x8) v = static_cast<int8_t>(rng(-128, 127));
    for (int16_t& v : x16) v = static_cast<int16_t>(rng(-32768, 32767));
    for (int8_t& v : w) v = static_cast<int8_t>(rng(-128, 127));
    const int32_t x_zp = static_cast<int32_t>(rng(-20, 20)),
                  y_zp = static_cast<int32_t>(rng(-9, 9));
    SCOPED_TRACE("iteration " + std::to_string(iter) + ", strategy " + std::to_string(strategy));
    // Conv: x [1, 1, 1, 1, 3], w [5, 1, 1, 1, 3]; Gemm/MatMul: a [1, 3], b [3, 5] (w read as
    // [k, n] with strides 5, 1).
    std::vector<int8_t> want8(kChannels), got8(kChannels);
    std::vector<int16_t> want16(kChannels), got16(kChannels);
    kiln_conv_s8(x8.data(), w.data(), nullptr, want8.data(), 1, 1, kChannels, 1, in, out, kernel,
                 ones, ones, pads, 8, x_zp, nullptr, y_zp, rep_mults.data(), rep_shifts.data(),
                 strategy, -128, 127);
    kiln_conv_s8(x8.data(), w.data(), nullptr, got8.data(), 1, 1, kChannels, 1, in, out, kernel,
                 ones, ones, pads, 8, x_zp, nullptr, y_zp, mults.data(), shifts.data(), flagged,
                 -128, 127);
    EXPECT_EQ(got8, want8) << "kiln_conv_s8";
    kiln_conv_s16(x16.data(), w.data(), nullptr, want16.data(), 1, 1, kChannels, 1, in, out, kernel,
                  ones, ones, pads, 8, x_zp, nullptr, y_zp, rep_mults.data(), rep_shifts.data(),
                  strategy, -32768, 32767);
    kiln_conv_s16(x16.data(), w.data(), nullptr, got16.data(), 1, 1, kChannels, 1, in, out, kernel,
                  ones, ones, pads, 8, x_zp, nullptr, y_zp, mults.data(), shifts.data(), flagged,
                  -32768, 32767);
    EXPECT_EQ(got16, want16) << "kiln_conv_s16";
    kiln_gemm_s8(x8.data(), w.data(), nullptr, want8.data(), 1, kChannels, kTaps, kTaps, 1,
                 kChannels, 1, 8, x_zp, nullptr, y_zp, rep_mults.data(), rep_shifts.data(),
                 strategy, -128, 127);
    kiln_gemm_s8(x8.data(), w.data(), nullptr, got8.data(), 1, kChannels, kTaps, kTaps, 1,
                 kChannels, 1, 8, x_zp, nullptr, y_zp, mults.data(), shifts.data(), flagged, -128,
                 127);
    EXPECT_EQ(got8, want8) << "kiln_gemm_s8";
    kiln_gemm_s16(x16.data(), w.data(), nullptr, want16.data(), 1, kChannels, kTaps, kTaps, 1,
                  kChannels, 1, 8, x_zp, nullptr, y_zp, rep_mults.data(), rep_shifts.data(),
                  strategy, -32768, 32767);
    kiln_gemm_s16(x16.data(), w.data(), nullptr, got16.data(), 1, kChannels, kTaps, kTaps, 1,
                  kChannels, 1, 8, x_zp, nullptr, y_zp, mults.data(), shifts.data(), flagged,
                  -32768, 32767);
    EXPECT_EQ(got16, want16) << "kiln_gemm_s16";
    kiln_matmul_s8(x8.data(), w.data(), want8.data(), 1, dims, zero, zero, 1, kChannels, kTaps,
                   x_zp, nullptr, y_zp, rep_mults.data(), rep_shifts.data(), strategy, -128, 127);
    kiln_matmul_s8(x8.data(), w.data(), got8.data(), 1, dims, zero, zero, 1, kChannels, kTaps, x_zp,
                   nullptr, y_zp, mults.data(), shifts.data(), flagged, -128, 127);
    EXPECT_EQ(got8, want8) << "kiln_matmul_s8";
  }
}

// Gemm: both operands optionally transposed through the strides; b in 8 or 4 bits.
template <typename A, typename Bias>
void run_gemm_case(Rng& rng, int iter) {
  constexpr bool wide = sizeof(A) == 2;
  const int32_t a_min = wide ? -32768 : -128, a_max = wide ? 32767 : 127;
  const int32_t m = static_cast<int32_t>(rng(1, 6)), n = static_cast<int32_t>(rng(1, 7)),
                k = static_cast<int32_t>(rng(1, 40));
  const bool ta = rng.coin(), tb = rng.coin();
  const int32_t w_bits = rng.coin() ? 8 : 4;
  const int32_t a_sm = ta ? 1 : k, a_sk = ta ? m : 1;
  const int32_t b_sk = tb ? 1 : n, b_sn = tb ? k : 1;
  std::vector<A> a(static_cast<size_t>(m) * k);
  for (auto& v : a) v = static_cast<A>(rng(a_min, a_max));
  std::vector<int32_t> b(static_cast<size_t>(k) * n);
  for (auto& v : b) v = static_cast<int32_t>(w_bits == 8 ? rng(-128, 127) : rng(-8, 7));
  std::vector<int8_t> b_buf;
  if (w_bits == 8)
    for (int32_t v : b) b_buf.push_back(static_cast<int8_t>(v));
  else
    b_buf = pack4(b);
  const bool has_bias = rng.coin();
  std::vector<Bias> bias;
  if (has_bias)
    for (int32_t j = 0; j < n; ++j) bias.push_back(static_cast<Bias>(rng(-50000, 50000)));
  const int32_t a_zp =
      static_cast<int32_t>(wide ? (rng.coin() ? 0 : rng(-100, 100)) : rng(-128, 127));
  const std::vector<int32_t> b_zp = random_weight_zero_points(rng, n, w_bits);
  const int32_t y_zp = static_cast<int32_t>(rng(-20, 20));
  const Requant r = wide ? random_requant(rng, n, -18, -6, a_min, a_max)
                         : random_requant(rng, n, -14, -4, a_min, a_max);
  std::vector<A> y(static_cast<size_t>(m) * n, 99);
  if constexpr (wide)
    kiln_gemm_s16(a.data(), b_buf.data(), has_bias ? bias.data() : nullptr, y.data(), m, n, k, a_sm,
                  a_sk, b_sk, b_sn, w_bits, a_zp, b_zp.data(), y_zp, r.multipliers.data(),
                  r.shifts.data(), r.mode, r.act_min, r.act_max);
  else
    kiln_gemm_s8(a.data(), b_buf.data(), has_bias ? bias.data() : nullptr, y.data(), m, n, k, a_sm,
                 a_sk, b_sk, b_sn, w_bits, a_zp, b_zp.data(), y_zp, r.multipliers.data(),
                 r.shifts.data(), r.mode, r.act_min, r.act_max);
  for (int32_t i = 0; i < m; ++i)
    for (int32_t j = 0; j < n; ++j) {
      int64_t acc = has_bias ? static_cast<int64_t>(bias[j]) : 0;
      for (int32_t p = 0; p < k; ++p)
        acc += (static_cast<int64_t>(ta ? a[p * m + i] : a[i * k + p]) - a_zp) *
               ((tb ? b[j * k + p] : b[p * n + j]) - b_zp[j]);
      const int32_t q = wide ? ref_requant64(acc, r.mode, r.multipliers[j], r.shifts[j])
                             : ref_requant32(acc, r.mode, r.multipliers[j], r.shifts[j]);
      ASSERT_EQ(y[i * n + j], clamp_out(y_zp, q, r.act_min, r.act_max))
          << "case " << iter << " (" << i << ", " << j << ") ta " << ta << " tb " << tb
          << " w_bits " << w_bits;
    }
}

TEST(QuantKernels, GemmS8MatchesReference) {
  Rng rng(31);
  for (int iter = 0; iter < 400; ++iter) run_gemm_case<int8_t, int32_t>(rng, iter);
}

TEST(QuantKernels, GemmS16MatchesReference) {
  Rng rng(32);
  for (int iter = 0; iter < 400; ++iter) run_gemm_case<int16_t, int64_t>(rng, iter);
}

// Batch dims for MatMul / broadcasting: output dims and per-operand strides (0 = broadcast).
struct Broadcast {
  std::vector<int32_t> dims, a_strides, b_strides;
  int32_t a_count = 1, b_count = 1, count = 1;  // element (or matrix) counts
};

Broadcast random_broadcast(Rng& rng, int32_t max_rank, int32_t a_unit, int32_t b_unit) {
  Broadcast br;
  const int32_t rank = static_cast<int32_t>(rng(0, max_rank));
  std::vector<int32_t> a_dims, b_dims;
  for (int32_t d = 0; d < rank; ++d) {
    const int32_t dim = static_cast<int32_t>(rng(1, 3));
    const int kind = static_cast<int>(rng(0, 3));  // 0/1: both full, 2: a broadcast, 3: b
    br.dims.push_back(dim);
    a_dims.push_back(kind == 2 ? 1 : dim);
    b_dims.push_back(kind == 3 ? 1 : dim);
  }
  br.a_strides.assign(rank, 0);
  br.b_strides.assign(rank, 0);
  int32_t as = a_unit, bs = b_unit;
  for (int32_t d = rank - 1; d >= 0; --d) {
    br.a_strides[d] = a_dims[d] == 1 ? 0 : as;
    br.b_strides[d] = b_dims[d] == 1 ? 0 : bs;
    as *= a_dims[d];
    bs *= b_dims[d];
    br.count *= br.dims[d];
  }
  br.a_count = as / a_unit;
  br.b_count = bs / b_unit;
  return br;
}

// Offsets of batch index t (row-major over dims) in both operands.
std::pair<int64_t, int64_t> broadcast_offsets(const Broadcast& br, int64_t t) {
  int64_t ao = 0, bo = 0;
  for (int32_t d = static_cast<int32_t>(br.dims.size()) - 1; d >= 0; --d) {
    const int64_t idx = t % br.dims[d];
    t /= br.dims[d];
    ao += idx * br.a_strides[d];
    bo += idx * br.b_strides[d];
  }
  return {ao, bo};
}

TEST(QuantKernels, MatMulS8AndAccMatchReference) {
  Rng rng(41);
  for (int iter = 0; iter < 300; ++iter) {
    const int32_t m = static_cast<int32_t>(rng(1, 5)), n = static_cast<int32_t>(rng(1, 5)),
                  k = static_cast<int32_t>(rng(1, 20));
    const Broadcast br = random_broadcast(rng, 3, m * k, k * n);
    std::vector<int8_t> a(static_cast<size_t>(br.a_count) * m * k),
        b(static_cast<size_t>(br.b_count) * k * n);
    for (auto& v : a) v = static_cast<int8_t>(rng(-128, 127));
    for (auto& v : b) v = static_cast<int8_t>(rng(-128, 127));
    const int32_t a_zp = static_cast<int32_t>(rng(-128, 127)),
                  y_zp = static_cast<int32_t>(rng(-9, 9));
    const std::vector<int32_t> b_zp = random_weight_zero_points(rng, n, 8);
    std::vector<int32_t> b_zps(n);
    for (auto& v : b_zps) v = static_cast<int32_t>(rng(-128, 127));
    const Requant r = random_requant(rng, n, -15, -5, -128, 127);
    const int32_t rank = static_cast<int32_t>(br.dims.size());
    std::vector<int8_t> y(static_cast<size_t>(br.count) * m * n, 99);
    std::vector<int32_t> y_acc(y.size(), 99);
    kiln_matmul_s8(a.data(), b.data(), y.data(), rank, br.dims.data(), br.a_strides.data(),
                   br.b_strides.data(), m, n, k, a_zp, b_zp.data(), y_zp, r.multipliers.data(),
                   r.shifts.data(), r.mode, r.act_min, r.act_max);
    kiln_matmul_acc_s8(a.data(), b.data(), y_acc.data(), rank, br.dims.data(), br.a_strides.data(),
                       br.b_strides.data(), m, n, k, a_zp, b_zps.data());
    for (int64_t t = 0; t < br.count; ++t) {
      const auto [ao, bo] = broadcast_offsets(br, t);
      for (int32_t i = 0; i < m; ++i)
        for (int32_t j = 0; j < n; ++j) {
          int64_t acc = 0, acc2 = 0;
          for (int32_t p = 0; p < k; ++p) {
            const int64_t av = a[ao + i * k + p] - a_zp, bv = b[bo + p * n + j];
            acc += av * (bv - b_zp[j]);
            acc2 += av * (bv - b_zps[j]);
          }
          const size_t o = (t * m + i) * n + j;
          ASSERT_EQ(y[o], clamp_out(y_zp, ref_requant32(acc, r.mode, r.multipliers[j], r.shifts[j]),
                                    r.act_min, r.act_max))
              << "case " << iter << " batch " << t;
          ASSERT_EQ(y_acc[o], acc2) << "case " << iter << " batch " << t;
        }
    }
  }
}

// Element-wise broadcasting for the binary kernels: y's shape and per-operand strides.
struct Elementwise {
  std::vector<int32_t> shape, a_strides, b_strides;
  int32_t a_count = 1, b_count = 1, count = 1;
};

Elementwise random_elementwise(Rng& rng) {
  Elementwise e;
  const int32_t rank = static_cast<int32_t>(rng(1, 4));
  std::vector<int32_t> a_dims, b_dims;
  for (int32_t d = 0; d < rank; ++d) {
    const int32_t dim = static_cast<int32_t>(rng(1, 5));
    const int kind = static_cast<int>(rng(0, 4));
    e.shape.push_back(dim);
    a_dims.push_back(kind == 2 ? 1 : dim);
    b_dims.push_back(kind >= 3 ? 1 : dim);
  }
  e.a_strides.assign(rank, 0);
  e.b_strides.assign(rank, 0);
  int32_t as = 1, bs = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    e.a_strides[d] = a_dims[d] == 1 ? 0 : as;
    e.b_strides[d] = b_dims[d] == 1 ? 0 : bs;
    as *= a_dims[d];
    bs *= b_dims[d];
    e.count *= e.shape[d];
  }
  e.a_count = as;
  e.b_count = bs;
  return e;
}

std::pair<int64_t, int64_t> elementwise_offsets(const Elementwise& e, int64_t t) {
  int64_t ao = 0, bo = 0;
  for (int32_t d = static_cast<int32_t>(e.shape.size()) - 1; d >= 0; --d) {
    const int64_t idx = t % e.shape[d];
    t /= e.shape[d];
    ao += idx * e.a_strides[d];
    bo += idx * e.b_strides[d];
  }
  return {ao, bo};
}

struct BinaryParams {
  int32_t op, a_zp, b_zp, y_zp, left_shift, a_mult, a_shift, b_mult, b_shift, y_mult, y_shift,
      act_min, act_max;
};

// The header formula with unbounded intermediates.
int32_t reference_binary(const BinaryParams& p, int64_t a, int64_t b) {
  const i128 u = a - p.a_zp, v = b - p.b_zp;
  i128 r;
  if (p.op == KILN_BINARY_MUL) {
    r = u * v;
  } else {
    const i128 us = ref_mbqm_wide(u * pow2(p.left_shift), p.a_mult, p.a_shift);
    const i128 vs = ref_mbqm_wide(v * pow2(p.left_shift), p.b_mult, p.b_shift);
    r = p.op == KILN_BINARY_SUB ? us - vs : us + vs;
  }
  return clamp_out(p.y_zp, ref_mbqm_wide(r, p.y_mult, p.y_shift), p.act_min, p.act_max);
}

template <typename T>
void run_binary_case(Rng& rng, int iter) {
  constexpr bool wide = sizeof(T) == 2;
  const int32_t lo = wide ? -32768 : -128, hi = wide ? 32767 : 127;
  const Elementwise e = random_elementwise(rng);
  BinaryParams p{};
  p.op = static_cast<int32_t>(rng(0, 2));  // ADD, SUB, MUL
  const int32_t zp_range = wide ? (rng.coin() ? 0 : 1000) : 128;
  p.a_zp = static_cast<int32_t>(rng(-zp_range, zp_range - (wide ? 0 : 1)));
  p.b_zp = static_cast<int32_t>(rng(-zp_range, zp_range - (wide ? 0 : 1)));
  p.y_zp = static_cast<int32_t>(rng(-zp_range / 4, zp_range / 4));
  p.left_shift = wide ? 15 : 20;
  p.a_mult = static_cast<int32_t>(rng(1 << 30, kMax32));
  p.b_mult = static_cast<int32_t>(rng(1 << 30, kMax32));
  p.y_mult = static_cast<int32_t>(rng(1 << 30, kMax32));
  p.a_shift = static_cast<int32_t>(rng(-3, 0));
  p.b_shift = static_cast<int32_t>(rng(-3, 0));
  if (p.op == KILN_BINARY_MUL)
    p.y_shift = static_cast<int32_t>(wide ? rng(-18, -12) : rng(-9, -5));
  else
    p.y_shift = static_cast<int32_t>(wide ? rng(-16, -13) : rng(-20, -17));
  p.act_min = lo;
  p.act_max = hi;
  if (rng.coin()) {
    p.act_min = static_cast<int32_t>(rng(lo, 0));
    p.act_max = static_cast<int32_t>(rng(p.act_min, hi));
  }
  std::vector<T> a(e.a_count), b(e.b_count);
  for (auto& v : a) v = static_cast<T>(rng(lo, hi));
  for (auto& v : b) v = static_cast<T>(rng(lo, hi));
  // In place into a when a has y's shape (the header allows it).
  const bool in_place = e.a_count == e.count && rng.coin();
  std::vector<T> y_buf(e.count, 99);
  const std::vector<T> a_orig = a;
  T* y = in_place ? a.data() : y_buf.data();
  const int32_t rank = static_cast<int32_t>(e.shape.size());
  if constexpr (wide)
    kiln_binary_s16(p.op, a.data(), b.data(), y, rank, e.shape.data(), e.a_strides.data(),
                    e.b_strides.data(), p.a_zp, p.b_zp, p.y_zp, p.left_shift, p.a_mult, p.a_shift,
                    p.b_mult, p.b_shift, p.y_mult, p.y_shift, p.act_min, p.act_max);
  else
    kiln_binary_s8(p.op, a.data(), b.data(), y, rank, e.shape.data(), e.a_strides.data(),
                   e.b_strides.data(), p.a_zp, p.b_zp, p.y_zp, p.left_shift, p.a_mult, p.a_shift,
                   p.b_mult, p.b_shift, p.y_mult, p.y_shift, p.act_min, p.act_max);
  for (int64_t t = 0; t < e.count; ++t) {
    const auto [ao, bo] = elementwise_offsets(e, t);
    ASSERT_EQ(y[t], reference_binary(p, a_orig[ao], b[bo]))
        << "case " << iter << " op " << p.op << " element " << t << " in place " << in_place;
  }
}

TEST(QuantKernels, BinaryS8MatchesReference) {
  Rng rng(51);
  for (int iter = 0; iter < 600; ++iter) run_binary_case<int8_t>(rng, iter);
}

TEST(QuantKernels, BinaryS16MatchesReference) {
  Rng rng(52);
  for (int iter = 0; iter < 600; ++iter) run_binary_case<int16_t>(rng, iter);
}

TEST(QuantKernels, BinaryS16WideIntermediates) {
  // Zero points far from 0 make (a - a_zp) * (b - b_zp) exceed int32: 65535 * 65535.
  const int16_t a[] = {32767, -32768, 100};
  const int16_t b[] = {32767, -32768, -100};
  int16_t y[3];
  const int32_t shape[] = {3}, strides[] = {1};
  // y = r * 2^-17 (multiplier 2^30 with shift -16): 65535^2 / 2^17 = 32767.5 -> 32767 after the
  // double rounding (2147418112.5 -> 2147418113, / 2^16 = 32767.00002).
  kiln_binary_s16(KILN_BINARY_MUL, a, b, y, 1, shape, strides, strides, -32768, -32768, 0, 15, 0, 0,
                  0, 0, 1 << 30, -16, -32768, 32767);
  EXPECT_EQ(y[0], 32767);
  EXPECT_EQ(y[1], 0);
  EXPECT_EQ(y[2], static_cast<int16_t>(ref_mbqm_wide(i128{32868} * 32668, 1 << 30, -16)));
  EXPECT_EQ(y[2], 8192);  // 32868 * 32668 / 2^17 = 8191.6...

  // The final rounding shift sends negative ties away from zero: r = -6, * 0.5 = -3 exactly,
  // / 2 = -1.5 -> -2 (and +6 -> 2); odd r = -5: -2.5 -> -2 (tie up), / 2 = -1.
  const int16_t c[] = {-6, 6, -5};
  const int16_t one[] = {1};
  const int32_t broadcast[] = {0};
  kiln_binary_s16(KILN_BINARY_MUL, c, one, y, 1, shape, strides, broadcast, 0, 0, 0, 15, 0, 0, 0, 0,
                  1 << 30, -1, -32768, 32767);
  EXPECT_EQ(y[0], -2);
  EXPECT_EQ(y[1], 2);
  EXPECT_EQ(y[2], -1);
  int8_t y8[3];
  const int8_t c8[] = {-6, 6, -5}, one8[] = {1};
  kiln_binary_s8(KILN_BINARY_MUL, c8, one8, y8, 1, shape, strides, broadcast, 0, 0, 0, 20, 0, 0, 0,
                 0, 1 << 30, -1, -128, 127);
  EXPECT_EQ(y8[0], -2);
  EXPECT_EQ(y8[1], 2);
  EXPECT_EQ(y8[2], -1);

  // Large left shifts of 64-bit intermediates saturate instead of overflowing.
  const int16_t d[] = {32767, -32768, 1};
  kiln_binary_s16(KILN_BINARY_MUL, d, d + 1, y, 1, shape, strides, broadcast, -32768, 32767, 0, 15,
                  0, 0, 0, 0, 1 << 30, 20, -32768, 32767);
  EXPECT_EQ(y[0], -32768);  // 65535 * -65535 * 2^19
  EXPECT_EQ(y[1], 0);
  EXPECT_EQ(y[2], -32768);
  kiln_binary_s16(KILN_BINARY_SUB, d, d + 1, y, 1, shape, strides, broadcast, -32768, 32767, 0, 15,
                  1 << 30, 0, 1 << 30, 0, 1 << 30, 30, -32768, 32767);
  EXPECT_EQ(y[0], 32767);  // (65535 + 65535) * 2^14 * 2^29
  EXPECT_EQ(y[1], 32767);  // (0 + 65535) * 2^14 * 2^29
  EXPECT_EQ(y[2], 32767);
}

// Pool geometry over `planes` planes, with end pads for the divisor.
struct PoolGeometry {
  int32_t planes = 1;
  int32_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1}, strides[3] = {1, 1, 1},
          dilations[3] = {1, 1, 1}, pads_begin[3] = {0, 0, 0}, pads_end[3] = {0, 0, 0};
};

PoolGeometry random_pool_geometry(Rng& rng) {
  PoolGeometry g;
  g.planes = static_cast<int32_t>(rng(1, 4));
  const int spatial = static_cast<int>(rng(1, 3));
  for (int d = 3 - spatial; d < 3; ++d) {
    for (;;) {
      g.in[d] = static_cast<int32_t>(rng(1, 7));
      g.kernel[d] = static_cast<int32_t>(rng(1, 4));
      g.strides[d] = static_cast<int32_t>(rng(1, 3));
      g.dilations[d] = static_cast<int32_t>(rng(1, 2));
      g.pads_begin[d] = static_cast<int32_t>(rng(0, 2));
      g.pads_end[d] = static_cast<int32_t>(rng(0, 2));
      const int32_t span =
          g.in[d] + g.pads_begin[d] + g.pads_end[d] - g.dilations[d] * (g.kernel[d] - 1);
      if (span < 1) continue;
      // ceil_mode sometimes: one more window hanging past the end pad.
      g.out[d] = (span - 1) / g.strides[d] + 1 + (rng(0, 3) == 0 ? 1 : 0);
      break;
    }
  }
  return g;
}

// Visits the taps of output o: f(inside_input, inside_padded_input, value_index).
template <typename F>
void pool_taps(const PoolGeometry& g, int32_t plane, const int32_t o[3], F&& f) {
  for (int32_t k0 = 0; k0 < g.kernel[0]; ++k0)
    for (int32_t k1 = 0; k1 < g.kernel[1]; ++k1)
      for (int32_t k2 = 0; k2 < g.kernel[2]; ++k2) {
        const int32_t k[3] = {k0, k1, k2};
        int32_t pos[3];
        bool inside = true, padded = true;
        for (int d = 0; d < 3; ++d) {
          pos[d] = o[d] * g.strides[d] - g.pads_begin[d] + k[d] * g.dilations[d];
          inside = inside && pos[d] >= 0 && pos[d] < g.in[d];
          padded = padded && pos[d] >= -g.pads_begin[d] && pos[d] < g.in[d] + g.pads_end[d];
        }
        const int64_t index =
            inside
                ? ((static_cast<int64_t>(plane) * g.in[0] + pos[0]) * g.in[1] + pos[1]) * g.in[2] +
                      pos[2]
                : -1;
        f(inside, padded, index);
      }
}

TEST(QuantKernels, PoolsS8MatchReference) {
  Rng rng(61);
  for (int iter = 0; iter < 400; ++iter) {
    const PoolGeometry g = random_pool_geometry(rng);
    std::vector<int8_t> x(static_cast<size_t>(g.planes) * g.in[0] * g.in[1] * g.in[2]);
    for (auto& v : x) v = static_cast<int8_t>(rng(-128, 127));
    const int32_t act_min = rng.coin() ? -128 : static_cast<int32_t>(rng(-128, 10));
    const int32_t act_max = rng.coin() ? 127 : static_cast<int32_t>(rng(act_min, 127));
    const int32_t include_pad = rng.coin() ? 1 : 0;
    const size_t out_n = static_cast<size_t>(g.planes) * g.out[0] * g.out[1] * g.out[2];
    std::vector<int8_t> y_max(out_n, 99), y_avg(out_n, 99);
    kiln_max_pool_s8(x.data(), y_max.data(), g.planes, g.in, g.out, g.kernel, g.strides,
                     g.dilations, g.pads_begin, act_min, act_max);
    kiln_average_pool_s8(x.data(), y_avg.data(), g.planes, g.in, g.out, g.kernel, g.strides,
                         g.dilations, g.pads_begin, g.pads_end, include_pad, act_min, act_max);
    size_t i = 0;
    for (int32_t p = 0; p < g.planes; ++p)
      for (int32_t o0 = 0; o0 < g.out[0]; ++o0)
        for (int32_t o1 = 0; o1 < g.out[1]; ++o1)
          for (int32_t o2 = 0; o2 < g.out[2]; ++o2, ++i) {
            const int32_t o[3] = {o0, o1, o2};
            int32_t best = -128;
            int64_t sum = 0, count = 0;
            pool_taps(g, p, o, [&](bool inside, bool padded, int64_t index) {
              if (inside) {
                best = std::max<int32_t>(best, x[index]);
                sum += x[index];
              }
              if (include_pad ? padded : inside) ++count;
            });
            // Round half away from zero: sign(s) * floor((2|s| + c) / 2c).
            int64_t avg = 0;
            if (count > 0) {
              const int64_t mag = (2 * std::abs(sum) + count) / (2 * count);
              avg = sum < 0 ? -mag : mag;
            }
            ASSERT_EQ(y_max[i], std::clamp(best, act_min, act_max)) << "case " << iter << " " << i;
            ASSERT_EQ(y_avg[i], std::clamp<int64_t>(avg, act_min, act_max))
                << "case " << iter << " " << i << " sum " << sum << " count " << count;
          }
  }
}

TEST(QuantKernels, GlobalAveragePoolS8MatchesReference) {
  Rng rng(62);
  for (int iter = 0; iter < 200; ++iter) {
    const int32_t planes = static_cast<int32_t>(rng(1, 5)),
                  size = static_cast<int32_t>(rng(1, 300));
    std::vector<int8_t> x(static_cast<size_t>(planes) * size);
    for (auto& v : x) v = static_cast<int8_t>(rng(-128, 127));
    const int32_t x_zp = static_cast<int32_t>(rng(-128, 127)),
                  y_zp = static_cast<int32_t>(rng(-30, 30));
    const int32_t mult = static_cast<int32_t>(rng(1 << 30, kMax32)),
                  shift = static_cast<int32_t>(rng(-12, 0));
    const int32_t act_min = rng.coin() ? -128 : 0, act_max = 127;
    std::vector<int8_t> y(planes, 99);
    kiln_global_average_pool_s8(x.data(), y.data(), planes, size, x_zp, y_zp, mult, shift,
                                KILN_REQUANT_FIXED_POINT, act_min, act_max);
    for (int32_t p = 0; p < planes; ++p) {
      int64_t acc = 0;
      for (int32_t i = 0; i < size; ++i) acc += x[p * size + i] - x_zp;
      ASSERT_EQ(y[p],
                clamp_out(y_zp, ref_mbqm(static_cast<int32_t>(acc), mult, shift), act_min, act_max))
          << "case " << iter;
    }
  }
}

// The int16 pools (TFLite 16x8): the same reference as the int8 ones over the full int16 range.
TEST(QuantKernels, PoolsS16MatchReference) {
  Rng rng(63);
  for (int iter = 0; iter < 400; ++iter) {
    const PoolGeometry g = random_pool_geometry(rng);
    std::vector<int16_t> x(static_cast<size_t>(g.planes) * g.in[0] * g.in[1] * g.in[2]);
    // Half the cases near the ends of the range, where an int16 sum of a few taps overflows.
    const bool extreme = rng.coin();
    for (auto& v : x)
      v = static_cast<int16_t>(extreme ? (rng.coin() ? rng(32000, 32767) : rng(-32768, -32000))
                                       : rng(-32768, 32767));
    const int32_t act_min = rng.coin() ? -32768 : static_cast<int32_t>(rng(-32768, 1000));
    const int32_t act_max = rng.coin() ? 32767 : static_cast<int32_t>(rng(act_min, 32767));
    const int32_t include_pad = rng.coin() ? 1 : 0;
    const size_t out_n = static_cast<size_t>(g.planes) * g.out[0] * g.out[1] * g.out[2];
    std::vector<int16_t> y_max(out_n, 99), y_avg(out_n, 99);
    kiln_max_pool_s16(x.data(), y_max.data(), g.planes, g.in, g.out, g.kernel, g.strides,
                      g.dilations, g.pads_begin, act_min, act_max);
    kiln_average_pool_s16(x.data(), y_avg.data(), g.planes, g.in, g.out, g.kernel, g.strides,
                          g.dilations, g.pads_begin, g.pads_end, include_pad, act_min, act_max);
    size_t i = 0;
    for (int32_t p = 0; p < g.planes; ++p)
      for (int32_t o0 = 0; o0 < g.out[0]; ++o0)
        for (int32_t o1 = 0; o1 < g.out[1]; ++o1)
          for (int32_t o2 = 0; o2 < g.out[2]; ++o2, ++i) {
            const int32_t o[3] = {o0, o1, o2};
            int32_t best = -32768;
            int64_t sum = 0, count = 0;
            pool_taps(g, p, o, [&](bool inside, bool padded, int64_t index) {
              if (inside) {
                best = std::max<int32_t>(best, x[index]);
                sum += x[index];
              }
              if (include_pad ? padded : inside) ++count;
            });
            int64_t avg = 0;  // half away from zero
            if (count > 0) {
              const int64_t mag = (2 * std::abs(sum) + count) / (2 * count);
              avg = sum < 0 ? -mag : mag;
            }
            ASSERT_EQ(y_max[i], std::clamp(best, act_min, act_max)) << "case " << iter << " " << i;
            ASSERT_EQ(y_avg[i], std::clamp<int64_t>(avg, act_min, act_max))
                << "case " << iter << " " << i << " sum " << sum << " count " << count;
          }
  }
}

TEST(QuantKernels, PoolsS16HandComputed) {
  // 2x2 planes, a 2x2 window: max 32767; sum 32767 + 32767 + 32767 - 32768 = 65533 (past
  // int16) / 4 = 16383.25 -> 16383; negative averages round half away from zero.
  const int32_t in[3] = {1, 2, 2}, out[3] = {1, 1, 1}, k[3] = {1, 2, 2}, st[3] = {1, 1, 1},
                dil[3] = {1, 1, 1}, pads[3] = {0, 0, 0};
  const int16_t x[] = {32767, 32767, 32767, -32768, 0, -1, -1, -3, 0, -1, -1, 0};
  int16_t y[3] = {0, 0, 0};
  kiln_max_pool_s16(x, y, 1, in, out, k, st, dil, pads, -32768, 32767);
  EXPECT_EQ(y[0], 32767);
  kiln_max_pool_s16(x, y, 1, in, out, k, st, dil, pads, -32768, 1000);  // clamped
  EXPECT_EQ(y[0], 1000);
  kiln_average_pool_s16(x, y, 3, in, out, k, st, dil, pads, pads, 0, -32768, 32767);
  EXPECT_EQ(y[0], 16383);
  EXPECT_EQ(y[1], -1);  // (0 - 1 - 1 - 3) / 4 = -1.25
  EXPECT_EQ(y[2], -1);  // -2 / 4 = -0.5 -> -1 (away from zero)
  // A window wholly in the padding: max -32768, average 0.
  const int32_t in1[3] = {1, 1, 1}, out3[3] = {1, 1, 3}, k1[3] = {1, 1, 1}, pad2[3] = {0, 0, 2};
  int16_t y3[3] = {5, 5, 5};
  const int16_t one[1] = {-7};
  kiln_max_pool_s16(one, y3, 1, in1, out3, k1, st, dil, pad2, -32768, 32767);
  EXPECT_EQ(y3[0], -32768);
  EXPECT_EQ(y3[2], -7);
  kiln_average_pool_s16(one, y3, 1, in1, out3, k1, st, dil, pad2, pads, 0, -32768, 32767);
  EXPECT_EQ(y3[0], 0);
  EXPECT_EQ(y3[2], -7);
}

TEST(QuantKernels, GlobalAveragePoolS16MatchesReference) {
  Rng rng(64);
  for (int iter = 0; iter < 200; ++iter) {
    const int32_t planes = static_cast<int32_t>(rng(1, 5));
    // Up to 70000 elements: sums past int32 (the reason for the 64-bit accumulator).
    const int32_t size = static_cast<int32_t>(iter % 10 == 0 ? rng(66000, 70000) : rng(1, 300));
    std::vector<int16_t> x(static_cast<size_t>(planes) * size);
    const bool extreme = rng.coin();
    for (auto& v : x) v = static_cast<int16_t>(extreme ? rng(32000, 32767) : rng(-32768, 32767));
    const int32_t x_zp = rng.coin() ? 0 : static_cast<int32_t>(rng(-100, 100)),
                  y_zp = rng.coin() ? 0 : static_cast<int32_t>(rng(-30, 30));
    const int32_t mode = static_cast<int32_t>(rng(0, 2));
    int32_t mult = static_cast<int32_t>(rng(1 << 30, kMax32)),
            shift = static_cast<int32_t>(rng(-20, 0));
    if (mode == KILN_REQUANT_SINGLE)
      mult = std::bit_cast<int32_t>(static_cast<float>(rng.real(1e-6, 1.0)));
    const int32_t act_min = rng.coin() ? -32768 : 0, act_max = 32767;
    std::vector<int16_t> y(planes, 99);
    kiln_global_average_pool_s16(x.data(), y.data(), planes, size, x_zp, y_zp, mult, shift, mode,
                                 act_min, act_max);
    for (int32_t p = 0; p < planes; ++p) {
      int64_t acc = 0;
      for (int32_t i = 0; i < size; ++i) acc += x[static_cast<size_t>(p) * size + i] - x_zp;
      ASSERT_EQ(y[p], clamp_out(y_zp, ref_requant64(acc, mode, mult, shift), act_min, act_max))
          << "case " << iter << " mode " << mode;
    }
  }
}

// kiln_lut_s16: breakpoints return their entry, everything between is the chord rounded, against
// an independent floating-point reference over every int16 input.
TEST(QuantKernels, LutS16InterpolatesBetweenEntries) {
  std::vector<int16_t> table(KILN_LUT_S16_ENTRIES);
  // Hand-checked: entries 0 and 1 are -32768 and -32768 + 100.
  for (size_t k = 0; k < table.size(); ++k)
    table[k] = static_cast<int16_t>(std::clamp<int64_t>(
        -32768 + 100 * static_cast<int64_t>(k) + (k % 3 == 0 ? 37 : 0), -32768, 32767));
  table[0] = -32768;
  table[1] = -32668;
  const int16_t probe[] = {-32768, -32767, -32704, -32705, -32641};
  int16_t got[5];
  kiln_lut_s16(probe, table.data(), got, 5);
  EXPECT_EQ(got[0], -32768);  // a breakpoint: the entry
  EXPECT_EQ(got[1], -32767);  // 100 * 1 / 128 = 0.78 -> 1
  EXPECT_EQ(got[2], -32718);  // 100 * 64 / 128 = 50
  EXPECT_EQ(got[3], -32719);  // 100 * 63 / 128 = 49.2 -> 49
  EXPECT_EQ(got[4], -32669);  // 100 * 127 / 128 = 99.2 -> 99
  // The last segment runs from 32640 to 32767 (the last entry): 127 steps.
  table[511] = 1000;
  table[512] = 1127;
  const int16_t top[] = {32640, 32641, 32703, 32767};
  kiln_lut_s16(top, table.data(), got, 4);
  EXPECT_EQ(got[0], 1000);
  EXPECT_EQ(got[1], 1001);
  EXPECT_EQ(got[2], 1063);
  EXPECT_EQ(got[3], 1127);  // the entry itself
  table[512] = 873;         // falling: -127 * 63 / 127 = -63
  kiln_lut_s16(top, table.data(), got, 4);
  EXPECT_EQ(got[2], 937);
  EXPECT_EQ(got[3], 873);
  Rng rng(65);
  for (int iter = 0; iter < 20; ++iter) {
    for (auto& v : table) v = static_cast<int16_t>(rng(-32768, 32767));  // steep jumps too
    std::vector<int16_t> x(65536), y(65536);
    for (int32_t q = -32768; q <= 32767; ++q) x[q + 32768] = static_cast<int16_t>(q);
    kiln_lut_s16(x.data(), table.data(), y.data(), 65536);
    for (int32_t q = -32768; q <= 32767; ++q) {
      const int64_t u = q + 32768, k = u / 128, t = u % 128;
      const int64_t num = (static_cast<int64_t>(table[k + 1]) - table[k]) * t;
      // Chord rounded half up; in the last segment (127 steps) rounded to nearest over 127.
      int64_t offset = 0;
      if (k < 511)
        offset = static_cast<int64_t>(std::floor((static_cast<double>(num) + 64.0) / 128.0));
      else
        offset = static_cast<int64_t>(std::lround(static_cast<double>(num) / 127.0));
      ASSERT_EQ(y[u], table[k] + offset) << "case " << iter << " x " << q;
    }
    kiln_lut_s16(x.data(), table.data(), x.data(), 65536);  // y may be x
    ASSERT_EQ(x, y);
  }
}

// kiln_softmax_s16 against the formula of its header, written out with floor division.
TEST(QuantKernels, SoftmaxS16MatchesReference) {
  // y_scale 1/32768: 1 / (y_scale * 2^31) = 2^-16.
  const kiln::FixedPointMultiplier m = kiln::quantize_multiplier(std::ldexp(1.0, -16));
  std::vector<int32_t> table(KILN_SOFTMAX_S16_ENTRIES);
  for (size_t k = 0; k < table.size(); ++k)
    table[k] = static_cast<int32_t>(std::llround(std::ldexp(std::exp(-0.01 * k), 30)));
  // Hand-checked: two equal inputs are 1/2 each (16384); x = {5, 5, 5, 5}: 1/4 (8192).
  const int16_t pair[] = {-7, -7, 5, 5, 5, 5};
  int16_t out[6];
  kiln_softmax_s16(pair, table.data(), out, 1, 2, 1, 0, m.multiplier, m.shift, 0);
  EXPECT_EQ(out[0], 16384);
  EXPECT_EQ(out[1], 16384);
  kiln_softmax_s16(pair + 2, table.data(), out, 1, 4, 1, 0, m.multiplier, m.shift, 0);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(out[i], 8192);
  Rng rng(66);
  for (int iter = 0; iter < 200; ++iter) {
    for (size_t k = 0; k < table.size(); ++k)  // decreasing, as exp is
      table[k] = k == 0 ? (1 << 30) : static_cast<int32_t>(table[k - 1] * rng.real(0.5, 1.0));
    const int32_t outer = static_cast<int32_t>(rng(1, 3)),
                  length = static_cast<int32_t>(rng(1, 40)),
                  inner = static_cast<int32_t>(rng(1, 3));
    std::vector<int16_t> x(static_cast<size_t>(outer) * length * inner), y(x.size());
    for (auto& v : x) v = static_cast<int16_t>(rng.coin() ? rng(-32768, 32767) : rng(-300, 300));
    kiln_softmax_s16(x.data(), table.data(), y.data(), outer, length, inner, 0, m.multiplier,
                     m.shift, KILN_REQUANT_FIXED_POINT);
    for (int32_t o = 0; o < outer; ++o)
      for (int32_t j = 0; j < inner; ++j) {
        auto at = [&](int32_t i) { return static_cast<size_t>((o * length + i) * inner + j); };
        int32_t max = -32768;
        for (int32_t i = 0; i < length; ++i) max = std::max<int32_t>(max, x[at(i)]);
        auto e = [&](int32_t i) {
          const int64_t d = max - x[at(i)], k = d / 128, t = d % 128;
          const int64_t num = (static_cast<int64_t>(table[k + 1]) - table[k]) * t + 64;
          return table[k] + (num >= 0 ? num / 128 : -((-num + 127) / 128));
        };
        int64_t sum = 0;
        for (int32_t i = 0; i < length; ++i) sum += e(i);
        for (int32_t i = 0; i < length; ++i) {
          const int64_t ratio = std::min<int64_t>((e(i) << 31) / sum, kMax32);
          ASSERT_EQ(y[at(i)],
                    clamp_out(0, ref_mbqm(static_cast<int32_t>(ratio), m.multiplier, m.shift),
                              -32768, 32767))
              << "case " << iter;
        }
      }
  }
}

int32_t type_min(int32_t t) {
  return t == KILN_QTYPE_S8 ? -128 : t == KILN_QTYPE_U8 ? 0 : t == KILN_QTYPE_S16 ? -32768 : kMin32;
}
int32_t type_max(int32_t t) {
  return t == KILN_QTYPE_S8 ? 127 : t == KILN_QTYPE_U8 ? 255 : t == KILN_QTYPE_S16 ? 32767 : kMax32;
}
int32_t type_size(int32_t t) {
  return t == KILN_QTYPE_S8 || t == KILN_QTYPE_U8 ? 1 : t == KILN_QTYPE_S16 ? 2 : 4;
}
int64_t load_typed(const std::vector<uint8_t>& buf, int32_t t, size_t i) {
  switch (t) {
    case KILN_QTYPE_S8: return reinterpret_cast<const int8_t*>(buf.data())[i];
    case KILN_QTYPE_U8: return buf[i];
    case KILN_QTYPE_S16: return reinterpret_cast<const int16_t*>(buf.data())[i];
    default: return reinterpret_cast<const int32_t*>(buf.data())[i];
  }
}
void store_typed(std::vector<uint8_t>& buf, int32_t t, size_t i, int64_t v) {
  switch (t) {
    case KILN_QTYPE_S8: reinterpret_cast<int8_t*>(buf.data())[i] = static_cast<int8_t>(v); break;
    case KILN_QTYPE_U8: buf[i] = static_cast<uint8_t>(v); break;
    case KILN_QTYPE_S16: reinterpret_cast<int16_t*>(buf.data())[i] = static_cast<int16_t>(v); break;
    default: reinterpret_cast<int32_t*>(buf.data())[i] = static_cast<int32_t>(v); break;
  }
}

TEST(QuantKernels, RequantizeMatchesReference) {
  Rng rng(71);
  const int32_t types[] = {KILN_QTYPE_S8, KILN_QTYPE_U8, KILN_QTYPE_S16};
  for (int iter = 0; iter < 300; ++iter) {
    const int32_t xt = types[rng(0, 2)], yt = types[rng(0, 2)];
    const int32_t n = static_cast<int32_t>(rng(1, 100));
    std::vector<uint8_t> x(static_cast<size_t>(n) * 4 + 8), y(static_cast<size_t>(n) * 4 + 8, 0xAB);
    for (int32_t i = 0; i < n; ++i) store_typed(x, xt, i, rng(type_min(xt), type_max(xt)));
    const int32_t x_zp = static_cast<int32_t>(rng(type_min(xt), type_max(xt)));
    const int32_t y_zp = static_cast<int32_t>(rng(type_min(yt), type_max(yt)));
    const int64_t pick = rng(0, 4);
    const int32_t mode = pick == 0 ? KILN_REQUANT_SHIFT
                                   : (pick == 1 ? KILN_REQUANT_SINGLE : KILN_REQUANT_FIXED_POINT);
    const int32_t shift = static_cast<int32_t>(rng(-9, 8));
    const auto mult = mode == KILN_REQUANT_SINGLE
                          ? std::bit_cast<int32_t>(std::ldexp(
                                static_cast<float>(rng(1 << 23, (1 << 24) - 1)), shift - 23))
                          : static_cast<int32_t>(rng(1 << 30, kMax32));
    const bool in_place = type_size(xt) == type_size(yt) && rng.coin();
    const std::vector<uint8_t> x_orig = x;
    std::vector<uint8_t>& out = in_place ? x : y;
    kiln_requantize(x.data(), xt, out.data(), yt, n, x_zp, y_zp, mult, shift, mode);
    for (int32_t i = 0; i < n; ++i) {
      const int64_t v = load_typed(x_orig, xt, i) - x_zp;
      ASSERT_EQ(load_typed(out, yt, i),
                clamp_out(y_zp, ref_requant32(v, mode, mult, shift), type_min(yt), type_max(yt)))
          << "case " << iter << " element " << i;
    }
    // Nothing past the n elements is written.
    if (!in_place) {
      for (size_t b = static_cast<size_t>(n) * type_size(yt); b < y.size(); ++b)
        ASSERT_EQ(y[b], 0xAB);
    }
  }
  // Scale exactly 1 (multiplier 2^30, shift 1): uint8 -> int8 is x - 128 for every value.
  std::vector<uint8_t> u(256);
  std::vector<int8_t> s(256);
  for (int i = 0; i < 256; ++i) u[i] = static_cast<uint8_t>(i);
  kiln_requantize(u.data(), KILN_QTYPE_U8, s.data(), KILN_QTYPE_S8, 256, 128, 0, 1 << 30, 1,
                  KILN_REQUANT_FIXED_POINT);
  for (int i = 0; i < 256; ++i) ASSERT_EQ(s[i], i - 128);
}

TEST(QuantKernels, QuantizeLinearRoundsHalfToEvenAndSaturates) {
  // Per-tensor, scale 0.5 (exact): x / 0.5 = 2x, ties at x = k/2 + 1/4.
  const float x[] = {0.25f, 0.75f,  -0.25f,  -0.75f,  1.25f,    100.0f, -100.0f,
                     0.0f,  63.75f, -64.25f, 3.4e38f, -3.4e38f, 1e-30f, -0.2499f};
  const float scale[] = {0.5f};
  const int32_t zp[] = {-1};
  int8_t y[14];
  kiln_quantize_linear(x, y, KILN_QTYPE_S8, 1, 1, 14, scale, zp);
  const int8_t expected[] = {-1, 1, -1, -3, 1, 127, -128, -1, 127, -128, 127, -128, -1, -1};
  for (int i = 0; i < 14; ++i) EXPECT_EQ(y[i], expected[i]) << "x = " << x[i];
  // uint8 and int16 ranges, per-axis parameters on axis 1 of [2, 3, 2].
  const float xa[12] = {1, 2, 3, 4, 5, 6, -1, -2, -3, -4, 700, -700};
  const float scales[3] = {1.0f, 2.0f, 0.25f};
  const int32_t zps[3] = {10, 0, 100};
  uint8_t yu[12];
  int16_t ys[12];
  kiln_quantize_linear(xa, yu, KILN_QTYPE_U8, 2, 3, 2, scales, zps);
  kiln_quantize_linear(xa, ys, KILN_QTYPE_S16, 2, 3, 2, scales, zps);
  // 3/2 = 1.5 -> 2 and 5 / 0.25 = 20 etc.; -3/2 = -1.5 -> -2; -4/2 = -2.
  const int expected_u[12] = {11, 12, 2, 2, 120, 124, 9, 8, 0, 0, 255, 0};
  const int expected_s[12] = {11, 12, 2, 2, 120, 124, 9, 8, -2, -2, 2900, -2700};
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(yu[i], expected_u[i]) << i;
    EXPECT_EQ(ys[i], expected_s[i]) << i;
  }
}

TEST(QuantKernels, QuantizeLinearMatchesNearbyintOnRandomData) {
  Rng rng(72);
  for (int iter = 0; iter < 200; ++iter) {
    const int32_t outer = static_cast<int32_t>(rng(1, 3)), axis = static_cast<int32_t>(rng(1, 4)),
                  inner = static_cast<int32_t>(rng(1, 50));
    const int32_t types[] = {KILN_QTYPE_S8, KILN_QTYPE_U8, KILN_QTYPE_S16};
    const int32_t t = types[rng(0, 2)];
    std::vector<float> scales(axis);
    std::vector<int32_t> zps(axis);
    for (int32_t c = 0; c < axis; ++c) {
      // Powers of two make many exact ties; other scales exercise ordinary rounding.
      scales[c] = rng.coin() ? std::ldexp(1.0f, static_cast<int>(rng(-8, 2)))
                             : static_cast<float>(rng.real(0.001, 3.0));
      zps[c] = static_cast<int32_t>(rng(type_min(t), type_max(t)));
    }
    std::vector<float> x(static_cast<size_t>(outer) * axis * inner);
    for (size_t i = 0; i < x.size(); ++i) {
      const float s = scales[(i / inner) % axis];
      const double range = (type_max(t) - type_min(t)) * 0.7;
      x[i] = rng.coin() ? static_cast<float>((static_cast<double>(rng(-200000, 200000)) / 2.0 * s *
                                              range / 200000.0))
                        : static_cast<float>((rng(-40000, 40000) + 0.5) * s);
    }
    std::vector<uint8_t> y(x.size() * 2);
    kiln_quantize_linear(x.data(), y.data(), t, outer, axis, inner, scales.data(), zps.data());
    for (size_t i = 0; i < x.size(); ++i) {
      const size_t c = (i / inner) % axis;
      const float q = x[i] / scales[c];  // float division as the ONNX reference
      const double r = std::nearbyint(static_cast<double>(q)) + zps[c];
      const int64_t expected =
          static_cast<int64_t>(std::clamp<double>(r, type_min(t), type_max(t)));
      ASSERT_EQ(load_typed(y, t, i), expected) << "x " << x[i] << " scale " << scales[c];
    }
  }
}

TEST(QuantKernels, DequantizeLinearMatchesReference) {
  Rng rng(73);
  const int32_t types[] = {KILN_QTYPE_S8, KILN_QTYPE_U8, KILN_QTYPE_S16, KILN_QTYPE_S32};
  for (int iter = 0; iter < 100; ++iter) {
    const int32_t t = types[rng(0, 3)];
    const int32_t outer = static_cast<int32_t>(rng(1, 3)), axis = static_cast<int32_t>(rng(1, 4)),
                  inner = static_cast<int32_t>(rng(1, 30));
    std::vector<float> scales(axis);
    std::vector<int32_t> zps(axis);
    for (int32_t c = 0; c < axis; ++c) {
      scales[c] = static_cast<float>(rng.real(1e-4, 2.0));
      zps[c] = t == KILN_QTYPE_S32 ? 0 : static_cast<int32_t>(rng(type_min(t), type_max(t)));
    }
    const size_t n = static_cast<size_t>(outer) * axis * inner;
    std::vector<uint8_t> x(n * 4);
    for (size_t i = 0; i < n; ++i) store_typed(x, t, i, rng(type_min(t), type_max(t)));
    std::vector<float> y(n);
    kiln_dequantize_linear(x.data(), t, y.data(), outer, axis, inner, scales.data(), zps.data());
    for (size_t i = 0; i < n; ++i) {
      const size_t c = (i / inner) % axis;
      const float expected = static_cast<float>(load_typed(x, t, i) - zps[c]) * scales[c];
      ASSERT_EQ(y[i], expected) << i;
    }
  }
}

TEST(QuantKernels, LutS8MapsEveryValueInPlace) {
  std::vector<int8_t> table(256), x(256), y(256);
  for (int i = 0; i < 256; ++i) {
    table[i] = static_cast<int8_t>(127 - i);  // reversal: v -> -1 - v
    x[i] = static_cast<int8_t>(i - 128);
  }
  kiln_lut_s8(x.data(), table.data(), y.data(), 256);
  for (int i = 0; i < 256; ++i) ASSERT_EQ(y[i], -1 - x[i]);
  kiln_lut_s8(x.data(), table.data(), x.data(), 256);  // y may be x
  EXPECT_EQ(x, y);
}

std::vector<int32_t> softmax_exp_table(double x_scale, double beta) {
  std::vector<int32_t> table(256);
  for (int d = 0; d < 256; ++d)
    table[d] = static_cast<int32_t>(std::llround(std::ldexp(std::exp(-d * beta * x_scale), 30)));
  return table;
}

TEST(QuantKernels, SoftmaxS8MatchesReference) {
  Rng rng(81);
  for (int iter = 0; iter < 200; ++iter) {
    const int32_t outer = static_cast<int32_t>(rng(1, 3)),
                  length = static_cast<int32_t>(rng(1, 40)),
                  inner = static_cast<int32_t>(rng(1, 3));
    const auto table = softmax_exp_table(rng.real(0.01, 0.3), 1.0);
    std::vector<int8_t> x(static_cast<size_t>(outer) * length * inner), y(x.size(), 99);
    for (auto& v : x) v = static_cast<int8_t>(rng(-128, 127));
    const int32_t y_zp = static_cast<int32_t>(rng(-128, -100));
    const int32_t mult = static_cast<int32_t>(rng(1 << 30, kMax32)),
                  shift = static_cast<int32_t>(rng(-24, -20));
    kiln_softmax_s8(x.data(), table.data(), y.data(), outer, length, inner, y_zp, mult, shift,
                    KILN_REQUANT_FIXED_POINT);
    for (int32_t o = 0; o < outer; ++o)
      for (int32_t j = 0; j < inner; ++j) {
        auto at = [&](int32_t i) { return (o * length + i) * inner + j; };
        int32_t max = -128;
        for (int32_t i = 0; i < length; ++i) max = std::max<int32_t>(max, x[at(i)]);
        int64_t sum = 0;
        for (int32_t i = 0; i < length; ++i) sum += table[max - x[at(i)]];
        for (int32_t i = 0; i < length; ++i) {
          const int64_t ratio =
              std::min<int64_t>((static_cast<int64_t>(table[max - x[at(i)]]) << 31) / sum, kMax32);
          ASSERT_EQ(y[at(i)],
                    clamp_out(y_zp, ref_mbqm(static_cast<int32_t>(ratio), mult, shift), -128, 127))
              << "case " << iter;
        }
      }
  }
}

// =============================== (c) sanity against float ====================================

float dequant(int32_t q, float scale, int32_t zp) {
  return static_cast<float>(q - zp) * scale;
}
int32_t quant(double real, double scale, int32_t zp, int32_t lo = -128, int32_t hi = 127) {
  return static_cast<int32_t>(std::clamp<double>(std::nearbyint(real / scale) + zp, lo, hi));
}

// The convolution computed in double on dequantized values (x - x_zp) * x_scale and
// (w - w_zp[oc]) * w_scale[oc], plus bias * x_scale * w_scale[oc]; padding taps are real zeros.
std::vector<double> float_conv(const ConvGeometry& g, const std::vector<int8_t>& x, float x_scale,
                               int32_t x_zp, const std::vector<int8_t>& w,
                               const std::vector<float>& w_scales, const std::vector<int32_t>& w_zp,
                               const std::vector<int32_t>& bias) {
  const int32_t gin = g.in_channels / g.group, gout = g.out_channels / g.group;
  std::vector<double> y;
  for (int32_t n = 0; n < g.batch; ++n)
    for (int32_t oc = 0; oc < g.out_channels; ++oc)
      for (int32_t o0 = 0; o0 < g.out[0]; ++o0)
        for (int32_t o1 = 0; o1 < g.out[1]; ++o1)
          for (int32_t o2 = 0; o2 < g.out[2]; ++o2) {
            double sum = static_cast<double>(bias[oc]) * x_scale * w_scales[oc];
            for (int32_t ic = 0; ic < gin; ++ic)
              for (int32_t k0 = 0; k0 < g.kernel[0]; ++k0)
                for (int32_t k1 = 0; k1 < g.kernel[1]; ++k1)
                  for (int32_t k2 = 0; k2 < g.kernel[2]; ++k2) {
                    const int32_t i0 = o0 * g.strides[0] - g.pads[0] + k0 * g.dilations[0];
                    const int32_t i1 = o1 * g.strides[1] - g.pads[1] + k1 * g.dilations[1];
                    const int32_t i2 = o2 * g.strides[2] - g.pads[2] + k2 * g.dilations[2];
                    if (i0 < 0 || i0 >= g.in[0] || i1 < 0 || i1 >= g.in[1] || i2 < 0 ||
                        i2 >= g.in[2])
                      continue;
                    const int32_t c = (oc / gout) * gin + ic;
                    const int32_t xq =
                        x[(((n * g.in_channels + c) * g.in[0] + i0) * g.in[1] + i1) * g.in[2] + i2];
                    const int32_t wq =
                        w[(((oc * gin + ic) * g.kernel[0] + k0) * g.kernel[1] + k1) * g.kernel[2] +
                          k2];
                    sum += static_cast<double>(dequant(xq, x_scale, x_zp)) *
                           dequant(wq, w_scales[oc], w_zp[oc]);
                  }
            y.push_back(sum);
          }
  return y;
}

TEST(QuantFloatSanity, ConvS8WithinOneLsbOfFloat) {
  Rng rng(91);
  for (int iter = 0; iter < 60; ++iter) {
    const ConvGeometry g = random_conv_geometry(rng);
    const float x_scale = static_cast<float>(rng.real(0.01, 0.1));
    const int32_t x_zp = static_cast<int32_t>(rng(-20, 20));
    std::vector<float> w_scales(g.out_channels);
    for (auto& s : w_scales) s = static_cast<float>(rng.real(0.002, 0.02));
    std::vector<int8_t> x(g.in_elements()), w(g.w_elements());
    for (auto& v : x) v = static_cast<int8_t>(rng(-128, 127));
    for (auto& v : w) v = static_cast<int8_t>(rng(-127, 127));
    std::vector<int32_t> bias(g.out_channels);
    for (auto& v : bias) v = static_cast<int32_t>(rng(-5000, 5000));
    // Asymmetric per-channel weights among the draws (zero points differ per output channel).
    const std::vector<int32_t> w_zp = random_weight_zero_points(rng, g.out_channels, 8);
    // Float results first, to pick an output scale that uses the int8 range.
    const std::vector<double> real = float_conv(g, x, x_scale, x_zp, w, w_scales, w_zp, bias);
    double max_abs = 1e-3;
    for (double v : real) max_abs = std::max(max_abs, std::fabs(v));
    const double y_scale = max_abs / 100.0;
    const int32_t y_zp = static_cast<int32_t>(rng(-10, 10));
    std::vector<int32_t> mults, shifts;
    for (float ws : w_scales) {
      const auto m = kiln::quantize_multiplier(static_cast<double>(x_scale) * ws / y_scale);
      mults.push_back(m.multiplier);
      shifts.push_back(m.shift);
    }
    std::vector<int8_t> y(g.out_elements());
    kiln_conv_s8(x.data(), w.data(), bias.data(), y.data(), g.batch, g.in_channels, g.out_channels,
                 g.group, g.in, g.out, g.kernel, g.strides, g.dilations, g.pads, 8, x_zp,
                 w_zp.data(), y_zp, mults.data(), shifts.data(), KILN_REQUANT_FIXED_POINT, -128,
                 127);
    for (size_t i = 0; i < y.size(); ++i)
      ASSERT_LE(std::abs(y[i] - quant(real[i], y_scale, y_zp)), 1) << "case " << iter;
  }
}

TEST(QuantFloatSanity, GemmS8WithinOneLsbOfFloat) {
  Rng rng(92);
  for (int iter = 0; iter < 100; ++iter) {
    const int32_t m = static_cast<int32_t>(rng(1, 4)), n = static_cast<int32_t>(rng(1, 8)),
                  k = static_cast<int32_t>(rng(1, 64));
    const float a_scale = static_cast<float>(rng.real(0.01, 0.1)),
                b_scale = static_cast<float>(rng.real(0.001, 0.02));
    const int32_t a_zp = static_cast<int32_t>(rng(-30, 30));
    std::vector<int8_t> a(static_cast<size_t>(m) * k), b(static_cast<size_t>(k) * n);
    for (auto& v : a) v = static_cast<int8_t>(rng(-128, 127));
    for (auto& v : b) v = static_cast<int8_t>(rng(-127, 127));
    const std::vector<int32_t> b_zp = random_weight_zero_points(rng, n, 8);
    std::vector<int32_t> bias(n);
    for (auto& v : bias) v = static_cast<int32_t>(rng(-3000, 3000));
    std::vector<double> real(static_cast<size_t>(m) * n);
    double max_abs = 1e-3;
    for (int32_t i = 0; i < m; ++i)
      for (int32_t j = 0; j < n; ++j) {
        double s = bias[j] * static_cast<double>(a_scale * b_scale);
        for (int32_t p = 0; p < k; ++p)
          s += static_cast<double>(dequant(a[i * k + p], a_scale, a_zp)) *
               dequant(b[p * n + j], b_scale, b_zp[j]);
        real[i * n + j] = s;
        max_abs = std::max(max_abs, std::fabs(s));
      }
    const double y_scale = max_abs / 120.0;
    const auto mq = kiln::quantize_multiplier(static_cast<double>(a_scale * b_scale) / y_scale);
    const std::vector<int32_t> mults(n, mq.multiplier), shifts(n, mq.shift);
    std::vector<int8_t> y(static_cast<size_t>(m) * n);
    kiln_gemm_s8(a.data(), b.data(), bias.data(), y.data(), m, n, k, k, 1, n, 1, 8, a_zp,
                 b_zp.data(), 0, mults.data(), shifts.data(), KILN_REQUANT_FIXED_POINT, -128, 127);
    for (size_t i = 0; i < y.size(); ++i)
      ASSERT_LE(std::abs(y[i] - quant(real[i], y_scale, 0)), 1) << "case " << iter;
  }
}

TEST(QuantFloatSanity, AddMulS8WithinOneLsbOfFloat) {
  Rng rng(93);
  for (int iter = 0; iter < 200; ++iter) {
    const int32_t op = rng.coin() ? KILN_BINARY_ADD : KILN_BINARY_MUL;
    const double a_scale = rng.real(0.005, 0.1), b_scale = rng.real(0.005, 0.1);
    const int32_t a_zp = static_cast<int32_t>(rng(-50, 50)),
                  b_zp = static_cast<int32_t>(rng(-50, 50));
    const int32_t count = 64;
    std::vector<int8_t> a(count), b(count), y(count);
    for (auto& v : a) v = static_cast<int8_t>(rng(-128, 127));
    for (auto& v : b) v = static_cast<int8_t>(rng(-128, 127));
    const double y_scale =
        op == KILN_BINARY_ADD ? (a_scale + b_scale) * 1.1 : a_scale * b_scale * 128.0;
    const int32_t y_zp = static_cast<int32_t>(rng(-10, 10));
    int32_t left_shift = 0;
    kiln::FixedPointMultiplier am, bm, ym;
    if (op == KILN_BINARY_ADD) {  // TFLite's parameter derivation
      left_shift = 20;
      const double twice_max = 2.0 * std::max(a_scale, b_scale);
      am = kiln::quantize_multiplier(a_scale / twice_max);
      bm = kiln::quantize_multiplier(b_scale / twice_max);
      ym = kiln::quantize_multiplier(twice_max / ((1 << left_shift) * y_scale));
    } else {
      ym = kiln::quantize_multiplier(a_scale * b_scale / y_scale);
    }
    const int32_t shape[] = {count}, strides[] = {1};
    kiln_binary_s8(op, a.data(), b.data(), y.data(), 1, shape, strides, strides, a_zp, b_zp, y_zp,
                   left_shift, am.multiplier, am.shift, bm.multiplier, bm.shift, ym.multiplier,
                   ym.shift, -128, 127);
    for (int32_t i = 0; i < count; ++i) {
      const double u = (a[i] - a_zp) * a_scale, v = (b[i] - b_zp) * b_scale;
      const double real = op == KILN_BINARY_ADD ? u + v : u * v;
      ASSERT_LE(std::abs(y[i] - quant(real, y_scale, y_zp)), 1) << "case " << iter << " op " << op;
    }
  }
}

TEST(QuantFloatSanity, AveragePoolAndGlobalAverageS8WithinOneLsbOfFloat) {
  Rng rng(94);
  for (int iter = 0; iter < 100; ++iter) {
    const PoolGeometry g = random_pool_geometry(rng);
    const double scale = rng.real(0.01, 0.1);
    const int32_t zp = static_cast<int32_t>(rng(-20, 20));
    std::vector<int8_t> x(static_cast<size_t>(g.planes) * g.in[0] * g.in[1] * g.in[2]);
    for (auto& v : x) v = static_cast<int8_t>(rng(-128, 127));
    const size_t out_n = static_cast<size_t>(g.planes) * g.out[0] * g.out[1] * g.out[2];
    std::vector<int8_t> y(out_n);
    kiln_average_pool_s8(x.data(), y.data(), g.planes, g.in, g.out, g.kernel, g.strides,
                         g.dilations, g.pads_begin, g.pads_end, 0, -128, 127);
    size_t i = 0;
    for (int32_t p = 0; p < g.planes; ++p)
      for (int32_t o0 = 0; o0 < g.out[0]; ++o0)
        for (int32_t o1 = 0; o1 < g.out[1]; ++o1)
          for (int32_t o2 = 0; o2 < g.out[2]; ++o2, ++i) {
            const int32_t o[3] = {o0, o1, o2};
            double sum = 0.0;
            int count = 0;
            pool_taps(g, p, o, [&](bool inside, bool, int64_t index) {
              if (!inside) return;
              sum += dequant(x[index], static_cast<float>(scale), zp);
              ++count;
            });
            if (count == 0) continue;  // an empty window has no float meaning to compare
            ASSERT_LE(std::abs(y[i] - quant(sum / count, scale, zp)), 1) << "case " << iter;
          }
    // Global average with a scale change.
    const int32_t plane = g.in[0] * g.in[1] * g.in[2];
    const double y_scale = scale * rng.real(0.5, 2.0);
    const int32_t y_zp = static_cast<int32_t>(rng(-20, 20));
    const auto m = kiln::quantize_multiplier(scale / (y_scale * plane));
    std::vector<int8_t> yg(g.planes);
    kiln_global_average_pool_s8(x.data(), yg.data(), g.planes, plane, zp, y_zp, m.multiplier,
                                m.shift, KILN_REQUANT_FIXED_POINT, -128, 127);
    for (int32_t p = 0; p < g.planes; ++p) {
      double sum = 0.0;
      for (int32_t e = 0; e < plane; ++e) sum += (x[p * plane + e] - zp) * scale;
      ASSERT_LE(std::abs(yg[p] - quant(sum / plane, y_scale, y_zp)), 1) << "case " << iter;
    }
  }
}

TEST(QuantFloatSanity, SoftmaxAndLutS8WithinOneLsbOfFloat) {
  Rng rng(95);
  const double y_scale = 1.0 / 256.0;
  const int32_t y_zp = -128;
  const auto m = kiln::quantize_multiplier(1.0 / (y_scale * 2147483648.0));
  for (int iter = 0; iter < 100; ++iter) {
    const double x_scale = rng.real(0.02, 0.2);
    const auto table = softmax_exp_table(x_scale, 1.0);
    const int32_t length = static_cast<int32_t>(rng(1, 30));
    std::vector<int8_t> x(length), y(length);
    for (auto& v : x) v = static_cast<int8_t>(rng(-128, 127));
    kiln_softmax_s8(x.data(), table.data(), y.data(), 1, length, 1, y_zp, m.multiplier, m.shift,
                    KILN_REQUANT_FIXED_POINT);
    double max = -1e9, sum = 0.0;
    for (int8_t v : x) max = std::max(max, v * x_scale);
    for (int8_t v : x) sum += std::exp(v * x_scale - max);
    for (int32_t i = 0; i < length; ++i)
      ASSERT_LE(std::abs(y[i] - quant(std::exp(x[i] * x_scale - max) / sum, y_scale, y_zp)), 1)
          << "case " << iter;

    // Sigmoid as a table computed from the quantization, applied by kiln_lut_s8.
    const int32_t x_zp = static_cast<int32_t>(rng(-20, 20));
    std::vector<int8_t> table8(256), xs(256), ys(256);
    for (int i = 0; i < 256; ++i) {
      xs[i] = static_cast<int8_t>(i - 128);
      table8[i] = static_cast<int8_t>(
          quant(1.0 / (1.0 + std::exp(-dequant(i - 128, static_cast<float>(x_scale), x_zp))),
                y_scale, y_zp));
    }
    kiln_lut_s8(xs.data(), table8.data(), ys.data(), 256);
    for (int i = 0; i < 256; ++i) {
      const double real = 1.0 / (1.0 + std::exp(-(xs[i] - x_zp) * x_scale));
      ASSERT_LE(std::abs(ys[i] - quant(real, y_scale, y_zp)), 1) << "case " << iter;
    }
  }
}

}  // namespace
