#pragma once
// Compile-time quantization arithmetic: turning real scale ratios into the integer parameters the
// kernels take (src/kernels/kiln_requant.h), and the quantized ranges of fused activations.
// Floating point is used here, in the compiler, so that generated code needs none.
#include <cstdint>
#include <utility>

#include "ir/dtype.hpp"
#include "ir/node.hpp"

namespace kiln {

// real = multiplier / 2^31 * 2^shift with multiplier in [2^30, 2^31) (0 for real == 0).
struct FixedPointMultiplier {
  int32_t multiplier = 0;
  int32_t shift = 0;
};

// TFLite's QuantizeMultiplier: frexp, round the Q31 mantissa, renormalize when it rounds up to
// 2^31; ratios too small for a 31-bit right shift become 0. Throws InternalError for real < 0.
FixedPointMultiplier quantize_multiplier(double real);
// The nearest power of two, for KILN_REQUANT_SHIFT: real ~ 2^shift (multiplier unused, 0).
FixedPointMultiplier quantize_multiplier_pot(double real);

// Smallest / largest value of a quantized element type (int8, uint8, int16, int32).
int32_t qmin(DType type);
int32_t qmax(DType type);

// The clamp range [act_min, act_max] of a fused activation in the quantized domain of an output
// with `scale` and `zero_point`, intersected with the type's range. Relu and Clip (incl. Relu6)
// are expressible as clamps; other activations throw UnsupportedError naming the node.
std::pair<int32_t, int32_t> quantized_activation_range(const Node& node, DType type, float scale,
                                                       int32_t zero_point);

// round(real / scale) + zero_point saturated to `type` (round half to even, as ONNX).
int32_t quantize_value(float real, float scale, int32_t zero_point, DType type);

}  // namespace kiln
