// Softmax and LogSoftmax, lowered to kiln_softmax_f32 over x viewed as [outer, length, inner].
//
// Before opset 13 both ops "coerce the input to 2D at axis" (default axis 1): they normalize
// over all dims from `axis` on together. From opset 13 they normalize over the single dim
// `axis` (default -1). The upgrade keeps one IR form: `axis` is always set explicitly, and an
// old-form node additionally carries the kiln attribute kCoerceAttr = 1, which makes the
// normalized span run from `axis` to the last dim. (The two agree whenever axis is the last
// dim, the common case.)
#include <algorithm>
#include <cmath>
#include <string>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/op_registry.hpp"
#include "ops/quantized.hpp"

extern "C" {
#include "kiln_softmax_s16.h"
}

namespace kiln {

namespace {

constexpr const char* kCoerceAttr = "kiln_coerce_to_2d";

void upgrade_softmax(Node& node, Graph&, int opset) {
  if (opset >= 13) return;
  node.attrs["axis"] = node.attr_int("axis", 1);
  node.attrs[kCoerceAttr] = int64_t{1};
}

void infer_softmax(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  if (is_quantized(x) && node.op_type == "Softmax") {
    normalize_axis(node, node.attr_int("axis", -1), static_cast<int64_t>(x.shape.size()));
    set_quantized_output(node, graph, 0, x.shape);
    return;
  }
  if (x.dtype != DType::Float32)
    throw Error(node.describe() + ": input " + quote_name(x.name) + " has type " +
                std::string(dtype_name(x.dtype)) + ", expected float32");
  normalize_axis(node, node.attr_int("axis", -1), static_cast<int64_t>(x.shape.size()));
  set_output(node, graph, 0, x.dtype, x.shape);
}

// int16 (kiln_softmax_s16.h): the exp of the distance to the row maximum, d = 0..65535, from a
// table every 128 steps, interpolated by the kernel. exp is convex, so each chord lies above the
// curve; every entry is lowered by half the chord's gap at the midpoint of its segments, which
// halves the interpolation error (as the int16 kiln.Lut tables do).
KernelCall lower_softmax_s16(const Node& node, const Tensor& x, const Tensor& y, double x_scale,
                             int64_t outer, int64_t length, int64_t inner) {
  constexpr int kSegments = KILN_SOFTMAX_S16_ENTRIES - 1;
  auto e = [&](double d) { return std::ldexp(std::exp(-d * x_scale), 30); };
  std::vector<double> gap(kSegments);
  for (int k = 0; k < kSegments; ++k)
    gap[k] = e(128.0 * k + 64.0) - (e(128.0 * k) + e(128.0 * (k + 1))) / 2.0;
  std::vector<int64_t> exp_table(KILN_SOFTMAX_S16_ENTRIES);
  for (int k = 0; k <= kSegments; ++k) {
    const double left = k > 0 ? gap[k - 1] : gap[k];
    const double right = k < kSegments ? gap[k] : gap[k - 1];
    exp_table[k] = std::llround(e(128.0 * k) + std::max(left, right) / 2.0);
  }
  const float y_scale = per_tensor_scale(node, y, "output");
  const Requantization r =
      requantization(node, {{1.0 / (static_cast<double>(y_scale) * std::ldexp(1.0, 31)),
                             std::ldexp(1.0f / y_scale, -31)}});
  return KernelCall("kiln_softmax_s16")
      .input(x.name)
      .ints(exp_table)
      .output(y.name)
      .i(outer)
      .i(length)
      .i(inner)
      .i(per_tensor_zero_point(node, y, "output"))
      .i(r.multipliers[0])
      .i(r.shifts[0])
      .i(r.mode);
}

KernelCall lower_softmax(const Node& node, const Graph& graph, bool log_softmax) {
  const Tensor& x = graph.tensor(node.inputs[0]);
  const auto rank = static_cast<int64_t>(x.shape.size());
  const bool coerce = node.attr_int(kCoerceAttr, 0) != 0;
  const float beta = node.attr_float(kSoftmaxBetaAttr, 1.0f);
  if (!(beta > 0.0f) || !std::isfinite(beta))
    throw UnsupportedError(node.describe() + ": softmax beta " + number_text(beta) +
                           " is not supported (kiln needs a finite beta > 0)");
  int64_t outer = 1;
  int64_t length = 1;
  int64_t inner = 1;
  if (rank > 0) {
    const int64_t axis = normalize_axis(node, node.attr_int("axis", -1), rank);
    for (int64_t d = 0; d < rank; ++d) {
      if (d < axis)
        outer *= x.shape[d];
      else if (d == axis || coerce)
        length *= x.shape[d];
      else
        inner *= x.shape[d];
    }
  }
  if (is_quantized(x)) {
    // Integer softmax (kiln_softmax_s8.h): exp of the distance to the row maximum from a table
    // the compiler fills, a Q31 ratio, then requantization to the output scale.
    const Tensor& y = graph.tensor(node.outputs[0]);
    const bool is16 = x.dtype == DType::Int16 && y.dtype == DType::Int16;
    if (!is16 && (x.dtype != DType::Int8 || y.dtype != DType::Int8))
      throw UnsupportedError(node.describe() + ": quantized Softmax supports int8 and int16, got " +
                             std::string(dtype_name(x.dtype)) + " -> " +
                             std::string(dtype_name(y.dtype)));
    // beta multiplies every input difference, so it scales the input's step (in double, as
    // TFLite's PreprocessSoftmaxScaling does).
    const double x_scale = static_cast<double>(beta) * per_tensor_scale(node, x, "input");
    if (is16) return lower_softmax_s16(node, x, y, x_scale, outer, length, inner);
    if (node.attr_string(kArithmeticAttr, "") == "tflite" &&
        per_tensor_scale(node, y, "output") == 1.0f / 256 &&
        per_tensor_zero_point(node, y, "output") == -128) {
      // TFLite (Micro)'s own fixed-point softmax, for models imported from .tflite files: input
      // differences rescaled to Q5.26 by beta * x_scale,
      // capped like TFLite's PreprocessSoftmaxScaling; differences below diff_min give -128.
      constexpr int kScaledDiffIntegerBits = 5;
      const double real = std::min(x_scale * std::ldexp(1.0, 31 - kScaledDiffIntegerBits),
                                   std::ldexp(1.0, 31) - 1.0);
      const FixedPointMultiplier m = quantize_multiplier(real);
      if (m.shift < 0 || m.shift > 30)
        throw UnsupportedError(node.describe() + ": input scale out of TFLite's softmax range");
      const double radius = ((1 << kScaledDiffIntegerBits) - 1) *
                            std::ldexp(1.0, 31 - kScaledDiffIntegerBits) / std::ldexp(1.0, m.shift);
      return KernelCall("kiln_softmax_tflm_s8")
          .input(x.name)
          .output(y.name)
          .i(outer)
          .i(length)
          .i(inner)
          .i(m.multiplier)
          .i(m.shift)
          .i(-static_cast<int64_t>(std::floor(radius)));
    }
    std::vector<int64_t> exp_table(256);
    for (size_t d = 0; d < exp_table.size(); ++d)
      exp_table[d] = std::llround(std::ldexp(std::exp(-static_cast<double>(d) * x_scale), 30));
    // The Q31 ratio times 1 / (y_scale * 2^31): in single mode the float32 1 / y_scale scaled by
    // 2^-31 (exact), as ONNX Runtime's QuantizeLinear divides the float probability by y_scale.
    const float y_scale = per_tensor_scale(node, y, "output");
    const Requantization r =
        requantization(node, {{1.0 / (static_cast<double>(y_scale) * std::ldexp(1.0, 31)),
                               std::ldexp(1.0f / y_scale, -31)}});
    return KernelCall("kiln_softmax_s8")
        .input(x.name)
        .ints(exp_table)
        .output(y.name)
        .i(outer)
        .i(length)
        .i(inner)
        .i(per_tensor_zero_point(node, y, "output"))
        .i(r.multipliers[0])
        .i(r.shifts[0])
        .i(r.mode);
  }
  return KernelCall("kiln_softmax_f32")
      .input(x.name)
      .output(node.outputs[0])
      .i(outer)
      .i(length)
      .i(inner)
      .i(log_softmax ? 1 : 0)
      .f(beta);
}

void register_softmax_ops() {
  for (const bool log_softmax : {false, true}) {
    OpDef def;
    def.op_type = log_softmax ? "LogSoftmax" : "Softmax";
    def.min_opset = 1;
    def.upgrade = upgrade_softmax;
    def.infer = infer_softmax;
    def.lower = [log_softmax](const Node& node, const Graph& graph) {
      return lower_softmax(node, graph, log_softmax);
    };
    def.macs = [](const Node&, const Graph&) { return int64_t{0}; };
    def.in_place = InPlace::Elementwise;  // the kernel reads each element before overwriting it
    register_op(std::move(def));
  }
}

}  // namespace

KILN_REGISTER_OPS(register_softmax_ops);

}  // namespace kiln
