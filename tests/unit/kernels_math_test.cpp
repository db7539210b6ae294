// kiln_expf (src/kernels/kiln_math.h): kiln's own e^x, used by the float softmax, sigmoid, Exp
// and ReduceLogSumExp kernels so that host and MCU builds give identical bits. Checked against
// the C library's double-precision exp (an independent, far more accurate reference).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

extern "C" {
#include "kiln_math.h"
}

namespace {

// Distance in units in the last place of the float nearest to `exact`.
double ulp_error(float got, double exact) {
  const float nearest = static_cast<float>(exact);
  const double ulp = nearest == 0.0f || std::fpclassify(nearest) == FP_SUBNORMAL
                         ? std::ldexp(1.0, -149)
                         : std::ldexp(1.0, std::ilogb(nearest) - 23);
  return std::fabs(static_cast<double>(got) - exact) / ulp;
}

TEST(KilnMath, ExpfWithinTwoUlpOverTheWholeRange) {
  double worst = 0.0;
  float worst_x = 0.0f;
  // Every 4099th bit pattern: about a million floats of every sign and exponent.
  for (uint64_t bits = 0; bits <= 0xFFFFFFFFu; bits += 4099) {
    const float x = std::bit_cast<float>(static_cast<uint32_t>(bits));
    if (std::isnan(x)) continue;
    const double exact = std::exp(static_cast<double>(x));
    const float got = kiln_expf(x);
    if (exact >= static_cast<double>(std::numeric_limits<float>::max()) * (1.0 + 0x1p-25)) {
      ASSERT_TRUE(std::isinf(got)) << x;
      continue;
    }
    const double error = ulp_error(got, exact);
    if (error > worst) {
      worst = error;
      worst_x = x;
    }
  }
  EXPECT_LE(worst, 2.0) << "at x = " << worst_x;
}

TEST(KilnMath, ExpfSpecialValues) {
  EXPECT_EQ(kiln_expf(0.0f), 1.0f);
  EXPECT_EQ(kiln_expf(-0.0f), 1.0f);
  EXPECT_TRUE(std::isnan(kiln_expf(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_EQ(kiln_expf(std::numeric_limits<float>::infinity()),
            std::numeric_limits<float>::infinity());
  EXPECT_EQ(kiln_expf(-std::numeric_limits<float>::infinity()), 0.0f);
  EXPECT_EQ(kiln_expf(89.0f), std::numeric_limits<float>::infinity());
  EXPECT_EQ(kiln_expf(-104.0f), 0.0f);
  EXPECT_GT(kiln_expf(-100.0f), 0.0f);  // subnormal, not flushed
  EXPECT_NEAR(kiln_expf(1.0f), 2.7182817f, 3e-7f);
}

}  // namespace
