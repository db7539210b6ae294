#pragma once
// Range observers for calibration: each one is fed the values of one float tensor, batch after
// batch, and then proposes the clipping range [lo, hi] that tensor should be quantized to.
//   min/max     the exact extremes seen;
//   percentile  the P-th percentile of |x| (symmetric) or the (100-P)th and P-th percentiles of x
//               (asymmetric, one per tail);
//   MSE         the range that minimizes the expected squared error of quantize-then-dequantize
//               at the requested bit width (clipping error + rounding noise step^2/12).
// Percentile and MSE work on histograms of bounded size (kHistogramBins per sign), so memory does
// not grow with the number of samples.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "quant/quantize_options.hpp"

namespace kiln {

struct Range {
  float lo = 0.0f;
  float hi = 0.0f;
};

// What the range is for: the integer grid it will be mapped onto.
struct RangeRequest {
  int bits = 8;            // 8 or 16 (4 for weights)
  bool symmetric = false;  // symmetric grids clip at [-t, t]
};

class RangeObserver {
 public:
  virtual ~RangeObserver() = default;
  // Feeds one batch of values. NaNs and infinities carry no range: they are skipped and
  // counted (nonfinite()); calibrate() refuses a tensor that had nothing else.
  void observe(std::span<const float> values);
  // The chosen clipping range for `request`; always contains 0 (so 0 stays exactly
  // representable) and lies within [min(), max()] extended to 0. {0, 0} before any value.
  virtual Range range(const RangeRequest& request) const = 0;
  virtual const char* name() const = 0;
  // Exact extremes of everything observed (0 before any value).
  float min() const { return count_ > 0 ? min_ : 0.0f; }
  float max() const { return count_ > 0 ? max_ : 0.0f; }
  int64_t count() const { return count_; }
  int64_t nonfinite() const { return nonfinite_; }

 protected:
  virtual void observe_finite(std::span<const float> values) = 0;
  float min_ = 0.0f;
  float max_ = 0.0f;
  int64_t count_ = 0;
  int64_t nonfinite_ = 0;
};

class MinMaxObserver final : public RangeObserver {
 public:
  Range range(const RangeRequest& request) const override;
  const char* name() const override { return "minmax"; }

 private:
  void observe_finite(std::span<const float>) override {}
};

// Histograms of the magnitudes of the positive and of the negative values over a shared range
// [0, limit). When a batch exceeds the limit, the limit doubles (as often as needed) and pairs of
// bins merge, so earlier batches keep their (coarser) information and memory stays fixed.
class MagnitudeHistogram {
 public:
  static constexpr int kBins = 2048;
  void add(std::span<const float> values);
  double limit() const { return limit_; }
  double bin_width() const { return limit_ / kBins; }
  const std::vector<double>& positive() const { return positive_; }
  const std::vector<double>& negative() const { return negative_; }
  double zeros() const { return zeros_; }
  double total() const;

 private:
  void grow_to(double magnitude);
  double limit_ = 0.0;
  std::vector<double> positive_ = std::vector<double>(kBins, 0.0);
  std::vector<double> negative_ = std::vector<double>(kBins, 0.0);
  double zeros_ = 0.0;
};

class PercentileObserver final : public RangeObserver {
 public:
  explicit PercentileObserver(double percentile);  // in (0, 100]
  Range range(const RangeRequest& request) const override;
  const char* name() const override { return "percentile"; }
  const MagnitudeHistogram& histogram() const { return histogram_; }

 private:
  void observe_finite(std::span<const float> values) override { histogram_.add(values); }
  double percentile_;
  MagnitudeHistogram histogram_;
};

class MseObserver final : public RangeObserver {
 public:
  Range range(const RangeRequest& request) const override;
  const char* name() const override { return "mse"; }
  const MagnitudeHistogram& histogram() const { return histogram_; }

 private:
  void observe_finite(std::span<const float> values) override { histogram_.add(values); }
  MagnitudeHistogram histogram_;
};

std::unique_ptr<RangeObserver> make_observer(Observer kind, double percentile);
const char* observer_name(Observer kind);

}  // namespace kiln
