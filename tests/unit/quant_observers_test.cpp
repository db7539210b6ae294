// Range observers on synthetic distributions whose answers are known: exact extremes, percentiles
// of uniform grids (also across batches that force the histogram to grow), and MSE-optimal
// clipping checked against a brute-force search on the same samples.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "ir/error.hpp"
#include "quant/observers.hpp"

namespace kiln {
namespace {

std::vector<float> grid(double lo, double hi, int n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[i] = static_cast<float>(lo + (hi - lo) * i / (n - 1));
  return v;
}

// Feeds `values` in `batches` consecutive chunks (sorted data: every batch extends the range).
void feed(RangeObserver& obs, const std::vector<float>& values, int batches) {
  const size_t chunk = (values.size() + batches - 1) / batches;
  for (size_t start = 0; start < values.size(); start += chunk)
    obs.observe(
        std::span<const float>(values).subspan(start, std::min(chunk, values.size() - start)));
}

// Exact mean squared error of symmetric quantize-dequantize at threshold t with `levels` steps
// per side.
double symmetric_mse(const std::vector<float>& values, double t, int levels) {
  const double step = t / levels;
  double sum = 0.0;
  for (float v : values) {
    const double q = std::clamp(std::nearbyint(v / step), -double(levels), double(levels)) * step;
    sum += (q - v) * (q - v);
  }
  return sum / values.size();
}

TEST(QuantObservers, MinMaxTracksExtremesAcrossBatchesAndIncludesZero) {
  MinMaxObserver obs;
  EXPECT_EQ(obs.range({8, false}).lo, 0.0f);
  const std::vector<float> a = {0.5f, 2.0f, 1.0f};
  const std::vector<float> b = {3.5f, 0.25f};
  obs.observe(a);
  obs.observe(b);
  EXPECT_EQ(obs.min(), 0.25f);
  EXPECT_EQ(obs.max(), 3.5f);
  EXPECT_EQ(obs.count(), 5);
  const Range asym = obs.range({8, false});
  EXPECT_EQ(asym.lo, 0.0f);  // extended to 0 so 0 is representable
  EXPECT_EQ(asym.hi, 3.5f);
  const std::vector<float> c = {-7.0f};
  obs.observe(c);
  const Range sym = obs.range({8, true});
  EXPECT_EQ(sym.lo, -7.0f);
  EXPECT_EQ(sym.hi, 7.0f);
}

TEST(QuantObservers, NonFiniteValuesAreIgnoredOrClamped) {
  MinMaxObserver obs;
  const std::vector<float> v = {NAN, 1.0f, -2.0f, NAN};
  obs.observe(v);
  EXPECT_EQ(obs.count(), 2);
  EXPECT_EQ(obs.min(), -2.0f);
  EXPECT_EQ(obs.max(), 1.0f);
}

TEST(QuantObservers, HistogramGrowsByDoublingAndKeepsCounts) {
  MagnitudeHistogram h;
  const std::vector<float> first = grid(-1.0, 1.0, 1001);
  h.add(first);
  EXPECT_DOUBLE_EQ(h.limit(), 1.0);
  const std::vector<float> second = {3.0f, -2.5f};
  h.add(second);
  EXPECT_DOUBLE_EQ(h.limit(), 4.0);  // doubled twice
  EXPECT_DOUBLE_EQ(h.total(), 1003.0);
  double positives = 0.0;
  for (double c : h.positive()) positives += c;
  EXPECT_DOUBLE_EQ(positives, 501.0);  // 500 of the grid + 3.0 (0 counted as zero)
  EXPECT_DOUBLE_EQ(h.zeros(), 1.0);
}

TEST(QuantObservers, PercentileOfUniformGridTwoTails) {
  // Uniform on [-1, 3]: the 99th percentile is 2.96 and the 1st is -0.96.
  PercentileObserver obs(99.0);
  feed(obs, grid(-1.0, 3.0, 40001), 8);
  const Range r = obs.range({8, false});
  EXPECT_NEAR(r.hi, 2.96, 0.005);
  EXPECT_NEAR(r.lo, -0.96, 0.005);
  EXPECT_EQ(obs.min(), -1.0f);
  EXPECT_EQ(obs.max(), 3.0f);
}

TEST(QuantObservers, PercentileOfMagnitudesForSymmetricRanges) {
  PercentileObserver obs(99.0);
  feed(obs, grid(-1.0, 1.0, 20001), 4);
  const Range r = obs.range({8, true});
  EXPECT_NEAR(r.hi, 0.99, 0.003);
  EXPECT_EQ(r.lo, -r.hi);
  // 100% is the largest magnitude.
  PercentileObserver all(100.0);
  feed(all, grid(-1.0, 0.5, 1001), 2);
  EXPECT_NEAR(all.range({8, true}).hi, 1.0, 1e-6);
  EXPECT_NEAR(all.range({8, false}).lo, -1.0, 1e-6);
  EXPECT_NEAR(all.range({8, false}).hi, 0.5, 1e-6);
  EXPECT_THROW(PercentileObserver(0.0), Error);
  EXPECT_THROW(PercentileObserver(100.5), Error);
}

TEST(QuantObservers, PercentileIgnoresRareOutliers) {
  std::vector<float> v = grid(0.0, 1.0, 100001);
  v.push_back(1000.0f);
  PercentileObserver obs(99.9);
  obs.observe(v);
  const Range r = obs.range({8, false});
  EXPECT_EQ(r.lo, 0.0f);
  EXPECT_NEAR(r.hi, 0.999, 0.5);  // bin width after growth to 1000 is ~0.49
  EXPECT_LT(r.hi, 2.0f);
}

TEST(QuantObservers, MseOfUniformKeepsTheFullRangeAt8Bits) {
  MseObserver obs;
  feed(obs, grid(-1.0, 1.0, 20001), 3);
  const Range r = obs.range({8, true});
  EXPECT_NEAR(r.hi, 1.0, 0.01);
  EXPECT_EQ(r.lo, -r.hi);
}

TEST(QuantObservers, MseOfGaussianMatchesBruteForceAt4Bits) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(100000);
  for (float& x : v) x = normal(rng);
  MseObserver obs;
  feed(obs, v, 10);
  const double t = obs.range({4, true}).hi;
  // Brute force on the samples themselves, 7 levels per side.
  double best_t = 0.0, best = 1e30;
  for (double c = 0.5; c <= 5.0; c += 0.01) {
    const double e = symmetric_mse(v, c, 7);
    if (e < best) {
      best = e;
      best_t = c;
    }
  }
  EXPECT_GT(best_t, 2.0);  // well inside the observed max (~4.3): clipping pays off
  EXPECT_LT(best_t, 3.2);
  EXPECT_NEAR(t, best_t, 0.15 * best_t);
  EXPECT_LE(symmetric_mse(v, t, 7), 1.03 * best);
  EXPECT_LT(t, obs.max());
}

TEST(QuantObservers, MseClipsAnOutlierAndKeepsZeroForOneSidedData) {
  // 100001 values uniform on [0, 1] plus one at 5. At 4 bits the rounding noise of a range that
  // covers the outlier (step 5/15) costs far more than clipping it: the optimum is ~1.
  std::vector<float> v = grid(0.0, 1.0, 100001);
  v.push_back(5.0f);
  MseObserver obs;
  obs.observe(v);
  const Range r = obs.range({4, false});
  EXPECT_EQ(r.lo, 0.0f);
  EXPECT_GT(r.hi, 0.85f);
  EXPECT_LT(r.hi, 1.3f);
  // At 8 bits the rounding noise is small: minimizing (5 - h)^2 + 100001 * (h / 255)^2 / 12
  // gives h = 10 / (2 + 2 * 100001 / (12 * 255^2)) ~= 4.43, i.e. the outlier is mostly kept.
  EXPECT_NEAR(obs.range({8, false}).hi, 4.43, 0.05);
  MinMaxObserver mm;
  mm.observe(v);
  EXPECT_EQ(mm.range({4, false}).hi, 5.0f);
}

TEST(QuantObservers, MseAsymmetricTwoSidedRangeCoversSkewedData) {
  // Uniform on [-1, 3]: no clipping helps at 8 bits, so the range is (close to) the data range.
  MseObserver obs;
  feed(obs, grid(-1.0, 3.0, 40001), 5);
  const Range r = obs.range({8, false});
  EXPECT_NEAR(r.lo, -1.0, 0.02);
  EXPECT_NEAR(r.hi, 3.0, 0.02);
}

TEST(QuantObservers, FactoryNames) {
  EXPECT_STREQ(make_observer(Observer::MinMax, 99.0)->name(), "minmax");
  EXPECT_STREQ(make_observer(Observer::Percentile, 99.0)->name(), "percentile");
  EXPECT_STREQ(make_observer(Observer::Mse, 99.0)->name(), "mse");
  EXPECT_STREQ(observer_name(Observer::Mse), "mse");
}

}  // namespace
}  // namespace kiln
