// kiln_softfloat.h: binary32 arithmetic (add, divide, multiply by an integer, fused multiply-add,
// round to integer) with integers only, for integer kernels that must
// reproduce a float32 computation. Held equal, bit for bit, to the host's IEEE-754 float
// arithmetic (round to nearest even) on random operands over the whole exponent range (subnormals
// included) and on hand-picked ties.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

extern "C" {
#include "kiln_softfloat.h"
}

namespace {

int32_t bits_of(float f) {
  int32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

float value_of(const kiln_sf32& a) {
  const double magnitude = std::ldexp(static_cast<double>(a.mant), a.exp);  // exact
  return static_cast<float>(a.negative ? -magnitude : magnitude);           // representable
}

// Random finite floats: mostly moderate exponents, some extreme (tiny, subnormal).
float random_float(std::mt19937& generator) {
  const int kind = static_cast<int>(generator() % 8);
  if (kind == 0) {  // any finite bit pattern
    for (;;) {
      const uint32_t bits = generator();
      float f;
      std::memcpy(&f, &bits, sizeof f);
      if (std::isfinite(f) && std::fabs(f) < 1e30f) return f;
    }
  }
  std::uniform_real_distribution<float> mantissa(-2.0f, 2.0f);
  const int exponent = static_cast<int>(generator() % 40) - 20;
  return std::ldexp(mantissa(generator), exponent);
}

void expect_same(float expected, const kiln_sf32& actual, const char* what, float a, float b) {
  const float got = value_of(actual);
  // Zero's sign is not tracked (callers round to integers); compare zeros as equal.
  if (expected == 0.0f && got == 0.0f) return;
  ASSERT_EQ(bits_of(got), bits_of(expected))
      << what << "(" << a << ", " << b << "): got " << got << ", FPU " << expected;
}

TEST(SoftFloat, AddDivMultiplyAndRoundEqualTheFpuOnRandomOperands) {
  std::mt19937 generator(2026);
  for (int i = 0; i < 300000; ++i) {
    const float a = random_float(generator);
    const float b = random_float(generator);
    const kiln_sf32 sa = kiln_sf32_from_bits(bits_of(a));
    const kiln_sf32 sb = kiln_sf32_from_bits(bits_of(b));
    expect_same(a + b, kiln_sf32_add(sa, sb), "add", a, b);
    if (b != 0.0f) {
      const float q = a / b;
      if (std::isfinite(q)) expect_same(q, kiln_sf32_div(sa, sb), "div", a, b);
    }
    const int32_t k = static_cast<int32_t>(generator() % 511) - 255;
    expect_same(static_cast<float>(k) * a, kiln_sf32_mul_int(sa, k), "mul_int", a,
                static_cast<float>(k));
    const float fused = std::fmaf(static_cast<float>(k), a, b);
    if (std::isfinite(fused)) expect_same(fused, kiln_sf32_fma_int(k, sa, sb), "fma_int", a, b);
    if (std::fabs(a) < 1e9f)
      EXPECT_EQ(kiln_sf32_round_to_int(sa), static_cast<int32_t>(std::nearbyint(a))) << a;
  }
}

TEST(SoftFloat, TiesRoundToEven) {
  // 2^24 + 1 is a tie between 2^24 and 2^24 + 2: even mantissa wins (2^24).
  const kiln_sf32 big = kiln_sf32_from_int(1 << 24);
  EXPECT_EQ(value_of(kiln_sf32_add(big, kiln_sf32_from_int(1))), 16777216.0f);
  EXPECT_EQ(value_of(kiln_sf32_add(big, kiln_sf32_from_int(3))), 16777220.0f);
  EXPECT_EQ(value_of(kiln_sf32_from_int((1 << 24) + 1)), 16777216.0f);
  for (const float v : {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 9.5f, 10.5f})
    EXPECT_EQ(kiln_sf32_round_to_int(kiln_sf32_from_bits(bits_of(v))),
              static_cast<int32_t>(std::nearbyint(v)))
        << v;
  // 1 / 3 and 2 / 3 (inexact, sticky) and 3 / 2 (exact).
  for (const auto& [n, d] : {std::pair{1, 3}, std::pair{2, 3}, std::pair{3, 2}, std::pair{7, 10}})
    EXPECT_EQ(value_of(kiln_sf32_div(kiln_sf32_from_int(n), kiln_sf32_from_int(d))),
              static_cast<float>(n) / static_cast<float>(d));
}

}  // namespace
