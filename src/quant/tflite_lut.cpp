#include "quant/tflite_lut.hpp"

#include <algorithm>
#include <cmath>

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

}  // namespace

std::optional<std::vector<int64_t>> tflite_lut_s8(const std::string& op_type, float x_scale,
                                                  int32_t x_zero_point, float y_scale,
                                                  int32_t y_zero_point) {
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
