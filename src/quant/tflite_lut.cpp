#include "quant/tflite_lut.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "quant/quant_math.hpp"

extern "C" {
#include "kiln_fixedpoint.h"
}

namespace kiln {

namespace {

constexpr int kInputIntegerBits = 4;

// TFLite Micro's Prepare for int8 LOGISTIC/TANH: multiplier and shift from frexp of
// x_scale * 2^27 (no renormalization), and the input radius beyond which the output saturates.
struct InputRescale {
  int32_t multiplier = 0;
  int32_t shift = 0;
  int32_t radius = 0;
};

InputRescale input_rescale(float x_scale) {
  InputRescale r;
  const double real =
      static_cast<double>(x_scale) * static_cast<double>(1 << (31 - kInputIntegerBits));
  int exponent = 0;
  const double q = std::frexp(real, &exponent);
  const auto m = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  r.multiplier = static_cast<int32_t>(std::min<int64_t>(m, INT32_MAX));
  r.shift = exponent;
  const double radius = ((1 << kInputIntegerBits) - 1) * std::ldexp(1.0, 31 - kInputIntegerBits) /
                        std::ldexp(1.0, exponent);
  r.radius = static_cast<int32_t>(std::min(std::floor(radius), 2147483647.0));
  return r;
}

// ---- HARD_SWISH: TFLite's int16 fixed-point evaluation ------------------------------------

int16_t sat16(int64_t v) {
  return static_cast<int16_t>(std::clamp<int64_t>(v, INT16_MIN, INT16_MAX));
}

// gemmlowp's int16 SaturatingRoundingDoublingHighMul.
int16_t rounding_doubling_high_mul16(int16_t a, int16_t b) {
  if (a == b && a == INT16_MIN) return INT16_MAX;
  const int32_t ab = int32_t{a} * int32_t{b};
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((ab + nudge) / (1 << 15));  // C++ division truncates
}

// The same without rounding (TFLite's SaturatingDoublingHighMul).
int16_t doubling_high_mul16(int16_t a, int16_t b) {
  if (a == b && a == INT16_MIN) return INT16_MAX;
  return static_cast<int16_t>((int32_t{a} * int32_t{b}) / (1 << 15));
}

int16_t rounding_divide_by_pot16(int16_t x, int exponent) {
  const int32_t mask = (1 << exponent) - 1;
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int16_t>((x >> exponent) + (remainder > threshold ? 1 : 0));
}

// TFLite's QuantizeMultiplier then DownScaleInt32ToInt16Multiplier: a Q15 multiplier and shift.
std::pair<int16_t, int> q15_multiplier(double real) {
  int exponent = 0;
  const double q = std::frexp(real, &exponent);
  int64_t m = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  if (m == (int64_t{1} << 31)) {
    m /= 2;
    ++exponent;
  }
  if (exponent < -31) {
    exponent = 0;
    m = 0;
  }
  if (m >= INT32_MAX - (1 << 15)) return {INT16_MAX, exponent};
  return {static_cast<int16_t>((m + (1 << 15)) >> 16), exponent};
}

std::optional<std::vector<int64_t>> hard_swish_table(float x_scale, int32_t x_zero_point,
                                                     float y_scale, int32_t y_zero_point) {
  // TFLite computes these ratios in float.
  const float hires_input_scale = (1.0f / 128.0f) * x_scale;
  const float reluish_scale = 3.0f / 32768.0f;
  const auto [out_m, out_exp] = q15_multiplier(static_cast<double>(hires_input_scale / y_scale));
  const auto [relu_m, relu_exp] =
      q15_multiplier(static_cast<double>(hires_input_scale / reluish_scale));
  if (out_exp > 0 || out_exp < -15 || relu_exp < -15 || relu_exp > 15) return std::nullopt;
  std::vector<int64_t> table(256);
  for (int q = -128; q < 128; ++q) {
    const auto input = static_cast<int16_t>(q - x_zero_point);
    const auto hires = sat16(int32_t{input} * (1 << 7));
    const int16_t preshift_output = rounding_doubling_high_mul16(hires, out_m);
    int16_t reluish = hires;
    if (relu_exp > 0) reluish = sat16(int64_t{reluish} * (int64_t{1} << (relu_exp - 1)));
    reluish = rounding_doubling_high_mul16(reluish, relu_m);
    if (relu_exp > 0) reluish = sat16(int64_t{reluish} * 2);
    if (relu_exp < 0) reluish = rounding_divide_by_pot16(reluish, -relu_exp);
    reluish = static_cast<int16_t>((int32_t{reluish} + (1 << 15)) >> 1);  // [-1, 1] -> [0, 1]
    const int16_t out = doubling_high_mul16(reluish, preshift_output);
    const int32_t value = rounding_divide_by_pot16(out, -out_exp) + y_zero_point;
    table[static_cast<size_t>(q + 128)] = std::clamp(value, -128, 127);
  }
  return table;
}

}  // namespace

// TFLite's quantized ReLU family: requantize, then clamp to the quantized bounds.
std::vector<int64_t> relu_table(float x_scale, int32_t x_zero_point, float y_scale,
                                int32_t y_zero_point, float clip_min, float clip_max) {
  const FixedPointMultiplier m =
      quantize_multiplier(static_cast<double>(x_scale) / static_cast<double>(y_scale));
  auto quantize = [&](float f) -> int64_t {
    return y_zero_point + static_cast<int64_t>(std::round(f / y_scale));
  };
  const int64_t lo = std::max<int64_t>(-128, quantize(clip_min));
  const int64_t hi = std::isinf(clip_max) ? 127 : std::min<int64_t>(127, quantize(clip_max));
  std::vector<int64_t> table(256);
  for (int q = -128; q < 128; ++q) {
    const int64_t v = y_zero_point + kiln_multiply_by_quantized_multiplier(q - x_zero_point,
                                                                           m.multiplier, m.shift);
    table[static_cast<size_t>(q + 128)] = std::clamp(v, lo, hi);
  }
  return table;
}

std::optional<std::vector<int64_t>> tflite_lut_s8(const std::string& op_type, float x_scale,
                                                  int32_t x_zero_point, float y_scale,
                                                  int32_t y_zero_point, float clip_min,
                                                  float clip_max) {
  if (op_type == "Relu" || op_type == "Clip") {
    if (!(x_scale > 0.0f) || !(y_scale > 0.0f)) return std::nullopt;
    return relu_table(x_scale, x_zero_point, y_scale, y_zero_point,
                      op_type == "Relu" ? 0.0f : clip_min, op_type == "Relu" ? INFINITY : clip_max);
  }
  if (op_type == "HardSwish") return hard_swish_table(x_scale, x_zero_point, y_scale, y_zero_point);
  const bool logistic = op_type == "Sigmoid";
  const bool tanh = op_type == "Tanh";
  if (!logistic && !tanh) return std::nullopt;
  if (logistic && !(y_scale == 1.0f / 256 && y_zero_point == -128)) return std::nullopt;
  if (tanh && !(y_scale == 1.0f / 128 && y_zero_point == 0)) return std::nullopt;
  if (!(x_scale > 0.0f) || !std::isfinite(x_scale)) return std::nullopt;
  const InputRescale r = input_rescale(x_scale);
  std::vector<int64_t> table(256);
  for (int q = -128; q < 128; ++q) {
    const int32_t input = q - x_zero_point;
    int32_t out;
    if (input <= -r.radius) {
      out = -128;
    } else if (input >= r.radius) {
      out = 127;
    } else {
      const int32_t in_q4 = kiln_multiply_by_quantized_multiplier(input, r.multiplier, r.shift);
      if (logistic)  // Q0.31 -> Q8 steps of 1/256, offset by the zero point -128.
        out = kiln_rounding_divide_by_pot(kiln_fp_logistic_q4(in_q4), 31 - 8) - 128;
      else  // Q0.31 -> steps of 1/128.
        out = kiln_rounding_divide_by_pot(kiln_fp_tanh_q4(in_q4), 31 - 7);
      out = std::clamp(out, -128, 127);
    }
    table[static_cast<size_t>(q + 128)] = out;
  }
  return table;
}

}  // namespace kiln
