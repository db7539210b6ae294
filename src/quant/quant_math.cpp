#include "quant/quant_math.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ir/error.hpp"
#include "ir/messages.hpp"

namespace kiln {

FixedPointMultiplier quantize_multiplier(double real) {
  if (!(real >= 0.0) || !std::isfinite(real))
    throw InternalError("quantize_multiplier: invalid real multiplier " + number_text(real));
  if (real == 0.0) return {};
  int exponent = 0;
  const double fraction = std::frexp(real, &exponent);  // real = fraction * 2^exponent, [0.5, 1)
  auto q = static_cast<int64_t>(std::llround(fraction * static_cast<double>(int64_t{1} << 31)));
  if (q == (int64_t{1} << 31)) {
    q /= 2;
    ++exponent;
  }
  if (exponent < -31) return {};  // below what a 31-bit rounding shift can express
  if (exponent > 30)
    throw Error("requantization multiplier " + number_text(real) +
                " is too large (quantization scales are inconsistent)");
  return {static_cast<int32_t>(q), exponent};
}

FixedPointMultiplier quantize_multiplier_pot(double real) {
  if (!(real > 0.0) || !std::isfinite(real))
    throw InternalError("quantize_multiplier_pot: invalid real multiplier " + number_text(real));
  const auto shift = static_cast<int32_t>(std::lround(std::log2(real)));
  return {0, shift};
}

int32_t qmin(DType type) {
  switch (type) {
    case DType::Int8: return -128;
    case DType::UInt8: return 0;
    case DType::Int16: return -32768;
    case DType::Int32: return std::numeric_limits<int32_t>::min();
    default: throw InternalError("qmin: " + std::string(dtype_name(type)) + " is not quantized");
  }
}

int32_t qmax(DType type) {
  switch (type) {
    case DType::Int8: return 127;
    case DType::UInt8: return 255;
    case DType::Int16: return 32767;
    case DType::Int32: return std::numeric_limits<int32_t>::max();
    default: throw InternalError("qmax: " + std::string(dtype_name(type)) + " is not quantized");
  }
}

int32_t quantize_value(float real, float scale, int32_t zero_point, DType type) {
  // QuantizeLinear in float32, as ONNX defines it and ONNX Runtime computes it: the quotient
  // rounded to float32, then to the nearest integer (ties to even), then the zero point added.
  const float quotient = real / scale;
  const double q = std::nearbyint(static_cast<double>(quotient)) + static_cast<double>(zero_point);
  if (q <= qmin(type)) return qmin(type);
  if (q >= qmax(type)) return qmax(type);
  return static_cast<int32_t>(q);
}

std::pair<int32_t, int32_t> quantized_activation_range(const Node& node, DType type, float scale,
                                                       int32_t zero_point) {
  const int32_t lo = qmin(type);
  const int32_t hi = qmax(type);
  switch (node.activation.kind) {
    case Activation::None: return {lo, hi};
    case Activation::Relu: return {std::max(lo, zero_point), hi};
    case Activation::Clip: {
      const int32_t a = quantize_value(node.activation.alpha, scale, zero_point, type);
      const int32_t b = quantize_value(node.activation.beta, scale, zero_point, type);
      return {std::max(lo, a), std::min(hi, b)};
    }
    default:
      throw UnsupportedError(node.describe() + ": this fused activation has no integer clamp form");
  }
}

}  // namespace kiln
