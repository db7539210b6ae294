// The kernels that reproduce TFLite (Micro)'s integer arithmetic for models read from .tflite:
// kiln_softmax_tflm_s8 (fixed-point softmax: hand-derivable cases, the diff_min cut, and within
// 1 LSB of round(256 * softmax) - 128 on random rows) and kiln_mean_tflm_s8 (MEAN over H and W:
// requantize, then divide, which rounds differently from kiln's single-rounding average) and
// kiln_reduce_mean_s8 (any axes: TFLite's truncating mean of raw values, or one requantization).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "quant/quant_math.hpp"

extern "C" {
#include "kiln_global_average_pool_s8.h"
#include "kiln_mean_tflm_s8.h"
#include "kiln_reduce_mean_s8.h"
#include "kiln_softmax_tflm_s8.h"
}

namespace {

struct Params {
  int32_t multiplier, shift, diff_min;
};

// TFLite's PreprocessSoftmaxScaling (beta = 1, 5 integer bits) and CalculateInputRadius.
Params tflite_params(double x_scale) {
  const double real = std::min(x_scale * std::ldexp(1.0, 26), std::ldexp(1.0, 31) - 1.0);
  const kiln::FixedPointMultiplier m = kiln::quantize_multiplier(real);
  const double radius = 31.0 * std::ldexp(1.0, 26) / std::ldexp(1.0, m.shift);
  return {m.multiplier, m.shift, -static_cast<int32_t>(std::floor(radius))};
}

std::vector<int8_t> run(const std::vector<int8_t>& x, double x_scale, int32_t outer = 1) {
  const Params p = tflite_params(x_scale);
  std::vector<int8_t> y(x.size());
  const auto length = static_cast<int32_t>(x.size()) / outer;
  kiln_softmax_tflm_s8(x.data(), y.data(), outer, length, 1, p.multiplier, p.shift, p.diff_min);
  return y;
}

TEST(SoftmaxTflm, EqualLogitsSplitEvenly) {
  EXPECT_EQ(run({5, 5, 5, 5}, 0.1), (std::vector<int8_t>{-64, -64, -64, -64}));  // 256/4 - 128
  EXPECT_EQ(run({-7, -7}, 0.05), (std::vector<int8_t>{0, 0}));                   // 256/2 - 128
}

TEST(SoftmaxTflm, DominantLogitSaturatesAndFarLogitsAreCut) {
  // x_scale 1: diff_min is -15 (31 * 2^26 / 2^27), so a difference of -255 is cut to -128;
  // the maximum alone has probability 1, which saturates at 127.
  EXPECT_EQ(tflite_params(1.0).diff_min, -15);
  EXPECT_EQ(run({127, -128}, 1.0), (std::vector<int8_t>{127, -128}));
}

TEST(SoftmaxTflm, WithinOneLsbOfTheRealSoftmaxOnRandomRows) {
  std::mt19937 gen(12);
  int64_t total = 0, exact = 0;
  for (int round = 0; round < 400; ++round) {
    const double x_scale = 0.02 + 0.28 * (gen() % 1000) / 1000.0;
    const int length = 2 + static_cast<int>(gen() % 30);
    std::vector<int8_t> x(static_cast<size_t>(length));
    for (int8_t& v : x) v = static_cast<int8_t>(static_cast<int>(gen() % 256) - 128);
    const std::vector<int8_t> y = run(x, x_scale);
    const int max = *std::max_element(x.begin(), x.end());
    double sum = 0;
    for (int8_t v : x) sum += std::exp((v - max) * x_scale);
    for (int i = 0; i < length; ++i) {
      const double p = std::exp((x[i] - max) * x_scale) / sum;
      const double expected = std::clamp(std::round(p * 256) - 128, -128.0, 127.0);
      EXPECT_LE(std::abs(y[i] - expected), 1.0) << "scale " << x_scale << " element " << i;
      exact += y[i] == expected;
      ++total;
    }
  }
  EXPECT_GT(exact, total * 9 / 10);  // mostly exact; the fixed-point exp differs by <= 1 LSB
}

TEST(SoftmaxTflm, RowsAreIndependent) {
  const std::vector<int8_t> two_rows = {5, 5, 5, 5, 127, -128, -128, -128};
  const std::vector<int8_t> y = run(two_rows, 1.0, 2);
  EXPECT_EQ(std::vector<int8_t>(y.begin(), y.begin() + 4), run({5, 5, 5, 5}, 1.0));
  EXPECT_EQ(std::vector<int8_t>(y.begin() + 4, y.end()), run({127, -128, -128, -128}, 1.0));
}

TEST(MeanTflm, RequantizesTheSumThenDividesRoundingHalfAwayFromZero) {
  // Sum 1 over 4 elements, x_scale / y_scale = 1: TFLite requantizes 1 -> 1, then divides
  // (1 + 2) / 4 = 0; kiln's single scaling by 1/4 rounds the tie 0.25 * 2 up and gives 1.
  const kiln::FixedPointMultiplier one = kiln::quantize_multiplier(1.0);
  const std::vector<int8_t> x = {1, 0, 0, 0};
  int8_t y = 5;
  kiln_mean_tflm_s8(x.data(), &y, 1, 4, 0, 0, one.multiplier, one.shift);
  EXPECT_EQ(y, 0);
  const kiln::FixedPointMultiplier quarter = kiln::quantize_multiplier(0.25);
  int8_t single = 5;
  kiln_global_average_pool_s8(x.data(), &single, 1, 4, 0, 0, quarter.multiplier, quarter.shift,
                              KILN_REQUANT_FIXED_POINT, -128, 127);
  EXPECT_EQ(single, 1);
  // Negative sums round away from zero; zero points and saturation apply per plane.
  const std::vector<int8_t> planes = {-3, -3, -3, -2, 127, 127, 127, 127};
  std::vector<int8_t> out(2);
  kiln_mean_tflm_s8(planes.data(), out.data(), 2, 4, 0, 100, one.multiplier, one.shift);
  EXPECT_EQ(out[0], 100 - 3);  // -11 / 4 = -2.75 -> (-11 - 2) / 4 = -3
  EXPECT_EQ(out[1], 127);      // 127 + 100 saturates
}

TEST(ReduceMeanS8, TruncatesTheRawMeanTowardZeroWhenScalesAgree) {
  // [2, 3] reduced over the last dim: (1 + 2 + 2) / 3 = 1.67 -> 1, (-1 - 2 - 2) / 3 -> -1 (a
  // rounding mean would give 2 and -2).
  const std::vector<int8_t> x = {1, 2, 2, -1, -2, -2};
  const int32_t shape[] = {2, 3}, mask[] = {0, 1};
  std::vector<int8_t> y(2, 99);
  kiln_reduce_mean_s8(x.data(), y.data(), 2, shape, mask, 1, 0, 0, 0, 0, 0);
  EXPECT_EQ(y, (std::vector<int8_t>{1, -1}));
}

TEST(ReduceMeanS8, NonAdjacentAxesRequantizeTheZeroPointShiftedSumOnce) {
  // [3, 4, 5] reduced over dims 0 and 2 (15 values per output), x_zero_point 7, y_zero_point -3,
  // x_scale / y_scale = 0.8: y = -3 + round(0.8 * (sum - 15 * 7) / 15), against a double
  // computation (no ties occur with these values: checked below).
  std::mt19937 generator(3);
  std::vector<int8_t> x(60);
  for (int8_t& v : x) v = static_cast<int8_t>(static_cast<int>(generator() % 256) - 128);
  const int32_t shape[] = {3, 4, 5}, mask[] = {1, 0, 1};
  const kiln::FixedPointMultiplier m = kiln::quantize_multiplier(0.8 / 15.0);
  std::vector<int8_t> y(4);
  kiln_reduce_mean_s8(x.data(), y.data(), 3, shape, mask, 0, 7, -3, m.multiplier, m.shift,
                      KILN_REQUANT_FIXED_POINT);
  for (int c = 0; c < 4; ++c) {
    int sum = 0;
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 5; ++b) sum += x[static_cast<size_t>((a * 4 + c) * 5 + b)] - 7;
    const double real = 0.8 * sum / 15.0;
    ASSERT_GT(std::abs(real - std::floor(real) - 0.5), 1e-6) << "a tie: pick other values";
    const long expected = std::clamp(-3 + std::lround(real), -128L, 127L);
    EXPECT_EQ(y[static_cast<size_t>(c)], expected) << "output " << c;
  }
}

}  // namespace
