#include "quant/observers.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "ir/error.hpp"
#include "ir/messages.hpp"

namespace kiln {

namespace {

Range widen_to_zero(double lo, double hi) {
  return {static_cast<float>(std::min(lo, 0.0)), static_cast<float>(std::max(hi, 0.0))};
}

Range symmetric_range(double t) {
  return {static_cast<float>(-t), static_cast<float>(t)};
}

// Number of steps of the integer grid a range maps onto: 2^bits - 1 for asymmetric grids;
// symmetric grids use [-(2^(bits-1) - 1), 2^(bits-1) - 1], i.e. 2^(bits-1) - 1 steps per side.
double asymmetric_steps(int bits) {
  return std::ldexp(1.0, bits) - 1.0;
}
double symmetric_steps_per_side(int bits) {
  return std::ldexp(1.0, bits - 1) - 1.0;
}

// Prefix sums of count, count*center and count*center^2 over the bins of one histogram side,
// so the clipping error of everything above a threshold is O(1) to evaluate.
struct PrefixSums {
  std::vector<double> count, first, second;  // entry i sums bins [0, i)
  PrefixSums(const std::vector<double>& bins, double width)
      : count(bins.size() + 1, 0.0), first(bins.size() + 1, 0.0), second(bins.size() + 1, 0.0) {
    for (size_t i = 0; i < bins.size(); ++i) {
      const double center = (static_cast<double>(i) + 0.5) * width;
      count[i + 1] = count[i] + bins[i];
      first[i + 1] = first[i] + bins[i] * center;
      second[i + 1] = second[i] + bins[i] * center * center;
    }
  }
  // Squared error of clipping the bins [from, end) to `threshold` (their centers lie above it).
  double clip_error(size_t from, double threshold) const {
    const size_t end = count.size() - 1;
    const double n = count[end] - count[from];
    const double s1 = first[end] - first[from];
    const double s2 = second[end] - second[from];
    return std::max(0.0, s2 - 2.0 * threshold * s1 + threshold * threshold * n);
  }
  double below(size_t end) const { return count[end]; }
};

}  // namespace

void RangeObserver::observe(std::span<const float> values) {
  bool all_finite = true;
  for (float v : values)
    if (!std::isfinite(v)) {
      all_finite = false;
      break;
    }
  std::vector<float> cleaned;
  if (!all_finite) {
    cleaned.reserve(values.size());
    for (float v : values)
      if (std::isfinite(v)) cleaned.push_back(v);
    nonfinite_ += static_cast<int64_t>(values.size() - cleaned.size());
    values = cleaned;
  }
  if (values.empty()) return;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  if (count_ == 0) {
    min_ = *lo;
    max_ = *hi;
  } else {
    min_ = std::min(min_, *lo);
    max_ = std::max(max_, *hi);
  }
  count_ += static_cast<int64_t>(values.size());
  observe_finite(values);
}

Range MinMaxObserver::range(const RangeRequest& request) const {
  if (request.symmetric) return symmetric_range(std::max(std::fabs(min()), std::fabs(max())));
  return widen_to_zero(min(), max());
}

// --- histogram -------------------------------------------------------------------------------

double MagnitudeHistogram::total() const {
  double sum = zeros_;
  for (int i = 0; i < kBins; ++i) sum += positive_[i] + negative_[i];
  return sum;
}

void MagnitudeHistogram::grow_to(double magnitude) {
  if (limit_ == 0.0) {
    limit_ = magnitude;
    return;
  }
  while (limit_ < magnitude) {
    limit_ *= 2.0;
    for (auto* side : {&positive_, &negative_}) {
      std::vector<double>& bins = *side;
      for (int i = 0; i < kBins / 2; ++i) bins[i] = bins[2 * i] + bins[2 * i + 1];
      std::fill(bins.begin() + kBins / 2, bins.end(), 0.0);
    }
  }
}

void MagnitudeHistogram::add(std::span<const float> values) {
  double largest = 0.0;
  for (float v : values) largest = std::max(largest, std::fabs(static_cast<double>(v)));
  if (largest > limit_) grow_to(largest);
  const double scale = limit_ > 0.0 ? kBins / limit_ : 0.0;
  for (float v : values) {
    if (v == 0.0f) {
      zeros_ += 1.0;
      continue;
    }
    const double magnitude = std::fabs(static_cast<double>(v));
    const int bin = std::min(kBins - 1, static_cast<int>(magnitude * scale));
    (v > 0.0f ? positive_ : negative_)[bin] += 1.0;
  }
}

// --- percentile ------------------------------------------------------------------------------

PercentileObserver::PercentileObserver(double percentile) : percentile_(percentile) {
  if (!(percentile > 0.0 && percentile <= 100.0))
    throw Error("percentile must be in (0, 100], got " + number_text(percentile));
}

Range PercentileObserver::range(const RangeRequest& request) const {
  const MagnitudeHistogram& h = histogram_;
  const double width = h.bin_width();
  const double total = h.total();
  if (total == 0.0 || h.limit() == 0.0) return {0.0f, 0.0f};
  const double fraction = percentile_ / 100.0;
  const auto& pos = h.positive();
  const auto& neg = h.negative();
  constexpr int kBins = MagnitudeHistogram::kBins;

  // Smallest magnitude m with (count of bins below m) >= target, interpolating inside the bin
  // (values are taken as spread evenly over their bin).
  auto ascending = [&](const std::vector<double>& bins, double start, double target) {
    double cumulative = start;
    if (cumulative >= target) return 0.0;
    for (int i = 0; i < kBins; ++i) {
      if (bins[i] > 0.0 && cumulative + bins[i] >= target)
        return (i + (target - cumulative) / bins[i]) * width;
      cumulative += bins[i];
    }
    return h.limit();
  };

  if (request.symmetric) {
    std::vector<double> magnitudes(kBins);
    for (int i = 0; i < kBins; ++i) magnitudes[i] = pos[i] + neg[i];
    const double largest = std::max(std::fabs(min()), std::fabs(max()));
    return symmetric_range(std::min(largest, ascending(magnitudes, h.zeros(), fraction * total)));
  }
  double negatives = 0.0;
  for (double c : neg) negatives += c;
  // hi: the value below which `fraction` of all values lie.
  const double hi_target = fraction * total - negatives - h.zeros();
  const double hi = hi_target <= 0.0 ? 0.0 : ascending(pos, 0.0, hi_target);
  // lo: the value below which (1 - fraction) of all values lie, i.e. the (1 - fraction) * total
  // largest negative magnitudes are clipped.
  const double lo_target = (1.0 - fraction) * total;
  double lo_magnitude = 0.0;
  if (lo_target < negatives) {
    double cumulative = 0.0;
    for (int i = kBins - 1; i >= 0; --i) {
      if (neg[i] > 0.0 && cumulative + neg[i] >= lo_target) {
        lo_magnitude = (i + 1 - (lo_target - cumulative) / neg[i]) * width;
        break;
      }
      cumulative += neg[i];
    }
  }
  return widen_to_zero(std::max<double>(-lo_magnitude, min()), std::min<double>(hi, max()));
}

// --- MSE -------------------------------------------------------------------------------------

Range MseObserver::range(const RangeRequest& request) const {
  const MagnitudeHistogram& h = histogram_;
  if (h.limit() == 0.0) return {0.0f, 0.0f};
  const double width = h.bin_width();
  constexpr int kBins = MagnitudeHistogram::kBins;

  if (request.symmetric) {
    std::vector<double> magnitudes(kBins);
    for (int i = 0; i < kBins; ++i) magnitudes[i] = h.positive()[i] + h.negative()[i];
    const PrefixSums sums(magnitudes, width);
    const double steps = symmetric_steps_per_side(request.bits);
    double best_error = std::numeric_limits<double>::infinity();
    double best = h.limit();
    // Candidate thresholds: the upper edge of every bin. Bins at or below the threshold carry
    // rounding noise step^2 / 12 per value; bins above are clipped to it.
    for (int j = 0; j < kBins; ++j) {
      const double t = (j + 1) * width;
      const double step = t / steps;
      const double error =
          sums.below(j + 1) * step * step / 12.0 + sums.clip_error(static_cast<size_t>(j + 1), t);
      if (error < best_error) {
        best_error = error;
        best = t;
      }
    }
    const double largest = std::max(std::fabs(min()), std::fabs(max()));
    return symmetric_range(std::min(best, largest));
  }

  const PrefixSums pos(h.positive(), width);
  const PrefixSums neg(h.negative(), width);
  const double steps = asymmetric_steps(request.bits);
  // Threshold index k means clipping at k * width (k = 0: that side collapses to 0).
  auto error = [&](int lo_k, int hi_k) {
    const double lo = lo_k * width;
    const double hi = hi_k * width;
    const double step = (lo + hi) / steps;
    const double inside =
        pos.below(static_cast<size_t>(hi_k)) + neg.below(static_cast<size_t>(lo_k));
    return inside * step * step / 12.0 + pos.clip_error(static_cast<size_t>(hi_k), hi) +
           neg.clip_error(static_cast<size_t>(lo_k), lo);
  };
  const bool has_neg = neg.below(kBins) > 0.0;
  const bool has_pos = pos.below(kBins) > 0.0;
  // Coarse grid, then a full-resolution search around the coarse optimum.
  constexpr int kCoarse = 8;
  int best_lo = has_neg ? kBins : 0;
  int best_hi = has_pos ? kBins : 0;
  double best_error = error(best_lo, best_hi);
  auto search = [&](int lo_from, int lo_to, int hi_from, int hi_to, int stride) {
    for (int lo_k = lo_from; lo_k <= lo_to; lo_k += stride)
      for (int hi_k = hi_from; hi_k <= hi_to; hi_k += stride) {
        const double e = error(lo_k, hi_k);
        if (e < best_error) {
          best_error = e;
          best_lo = lo_k;
          best_hi = hi_k;
        }
      }
  };
  search(0, has_neg ? kBins : 0, 0, has_pos ? kBins : 0, kCoarse);
  const int lo_center = best_lo, hi_center = best_hi;
  search(has_neg ? std::max(0, lo_center - kCoarse) : 0,
         has_neg ? std::min(kBins, lo_center + kCoarse) : 0,
         has_pos ? std::max(0, hi_center - kCoarse) : 0,
         has_pos ? std::min(kBins, hi_center + kCoarse) : 0, 1);
  return widen_to_zero(std::max<double>(-best_lo * width, min()),
                       std::min<double>(best_hi * width, max()));
}

std::unique_ptr<RangeObserver> make_observer(Observer kind, double percentile) {
  switch (kind) {
    case Observer::MinMax: return std::make_unique<MinMaxObserver>();
    case Observer::Percentile: return std::make_unique<PercentileObserver>(percentile);
    case Observer::Mse: return std::make_unique<MseObserver>();
  }
  throw InternalError("unknown observer kind");
}

const char* observer_name(Observer kind) {
  switch (kind) {
    case Observer::MinMax: return "minmax";
    case Observer::Percentile: return "percentile";
    case Observer::Mse: return "mse";
  }
  return "?";
}

}  // namespace kiln
