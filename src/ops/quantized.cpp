#include "ops/quantized.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/op_registry.hpp"

extern "C" {
#include "kiln_requant.h"
}

namespace kiln {

bool is_quantized(const Tensor& tensor) {
  return tensor.quant.has_value() && (tensor.dtype == DType::Int8 || tensor.dtype == DType::UInt8 ||
                                      tensor.dtype == DType::Int16);
}

const QuantParams& require_quant(const Node& node, const Tensor& tensor, const char* role) {
  if (!tensor.quant || tensor.quant->scales.empty())
    throw Error(node.describe() + ": " + role + " " + quote_name(tensor.name) +
                " has no quantization parameters");
  return *tensor.quant;
}

float per_tensor_scale(const Node& node, const Tensor& tensor, const char* role) {
  const QuantParams& q = require_quant(node, tensor, role);
  if (q.per_channel())
    throw UnsupportedError(node.describe() + ": " + role + " " + quote_name(tensor.name) +
                           " must be quantized per tensor");
  return q.scales[0];
}

int32_t per_tensor_zero_point(const Node& node, const Tensor& tensor, const char* role) {
  const QuantParams& q = require_quant(node, tensor, role);
  if (q.zero_points.size() > 1)
    throw UnsupportedError(node.describe() + ": " + role + " " + quote_name(tensor.name) +
                           " must have a single zero point");
  return q.zero_points.empty() ? 0 : q.zero_points[0];
}

std::vector<float> channel_scales(const Node& node, const Tensor& weight, int64_t axis,
                                  int64_t count) {
  const QuantParams& q = require_quant(node, weight, "weight");
  if (!q.per_channel()) return std::vector<float>(static_cast<size_t>(count), q.scales[0]);
  const auto rank = static_cast<int64_t>(weight.shape.size());
  const int64_t q_axis = q.axis < 0 ? q.axis + rank : q.axis;
  if (q_axis != axis || static_cast<int64_t>(q.scales.size()) != count)
    throw UnsupportedError(node.describe() + ": weight " + quote_name(weight.name) +
                           " is quantized along axis " + std::to_string(q.axis) + " with " +
                           std::to_string(q.scales.size()) +
                           " scales; kiln needs per-channel scales along axis " +
                           std::to_string(axis) + " (" + std::to_string(count) + " channels)");
  return q.scales;
}

std::vector<int64_t> channel_zero_points(const Node& node, const Tensor& weight, int64_t axis,
                                         int64_t count) {
  const QuantParams& q = require_quant(node, weight, "weight");
  const auto n = static_cast<size_t>(count);
  // All zero (symmetric weights): no array, the kernel reads NULL as zeros.
  if (std::all_of(q.zero_points.begin(), q.zero_points.end(), [](int32_t zp) { return zp == 0; }))
    return {};
  // Equal zero points need no axis: a per-tensor value, or symmetric per-channel weights (all 0).
  if (std::all_of(q.zero_points.begin(), q.zero_points.end(),
                  [&](int32_t zp) { return zp == q.zero_points[0]; }))
    return std::vector<int64_t>(n, q.zero_points[0]);
  const auto rank = static_cast<int64_t>(weight.shape.size());
  const int64_t q_axis = q.axis < 0 ? q.axis + rank : q.axis;
  if (q_axis != axis || static_cast<int64_t>(q.zero_points.size()) != count)
    throw UnsupportedError(node.describe() + ": weight " + quote_name(weight.name) + " has " +
                           std::to_string(q.zero_points.size()) +
                           " different zero points along axis " + std::to_string(q.axis) +
                           "; kiln needs one zero point per output channel along axis " +
                           std::to_string(axis) + " (" + std::to_string(count) + " channels)");
  return {q.zero_points.begin(), q.zero_points.end()};
}

void set_quantized_output(const Node& node, Graph& graph, size_t index, Shape shape) {
  Tensor& out = output_tensor(node, graph, index);
  if (!is_quantized(out))
    throw Error(node.describe() + ": output " + quote_name(out.name) +
                " of a quantized op has no quantization parameters");
  set_output(node, graph, index, out.dtype, std::move(shape));
}

ScaleRatio scale_ratio(float in_scale, float w_scale, float out_scale) {
  const float product = in_scale * w_scale;  // float32 on purpose: ORT's rounding order
  return {
      static_cast<double>(in_scale) * static_cast<double>(w_scale) / static_cast<double>(out_scale),
      product / out_scale};
}

ScaleRatio scale_ratio(float in_scale, float out_scale) {
  return {static_cast<double>(in_scale) / static_cast<double>(out_scale), in_scale / out_scale};
}

Requantization requantization(const Node& node, const std::vector<ScaleRatio>& ratios,
                              bool allow_single) {
  Requantization r;
  const std::string strategy = node.attr_string(kRequantAttr, "fixed");
  if (strategy != "fixed" && strategy != "shift" && strategy != "single")
    throw Error(node.describe() + ": attribute " + kRequantAttr +
                " must be fixed, shift or single, got " + quote_name(strategy));
  r.mode = strategy == "shift" ? 1 : (strategy == "single" && allow_single ? 2 : 0);
  for (const ScaleRatio& ratio : ratios) {
    if (!(ratio.real > 0.0) || !(ratio.single > 0.0f) || !std::isfinite(ratio.single))
      throw Error(node.describe() + ": requantization scale " + number_text(ratio.real) +
                  " is not a positive finite number");
    if (r.mode == 2) {
      r.multipliers.push_back(std::bit_cast<int32_t>(ratio.single));
      r.shifts.push_back(0);
      continue;
    }
    const FixedPointMultiplier m =
        r.mode == 1 ? quantize_multiplier_pot(ratio.real) : quantize_multiplier(ratio.real);
    r.multipliers.push_back(m.multiplier);
    r.shifts.push_back(m.shift);
  }
  return r;
}

bool all_channels_agree(const Requantization& r) {
  auto uniform = [](const std::vector<int64_t>& v) {
    return !v.empty() && std::all_of(v.begin(), v.end(), [&](int64_t x) { return x == v[0]; });
  };
  return uniform(r.multipliers) && uniform(r.shifts);
}

void add_requant_args(KernelCall& call, const Requantization& r) {
  if (all_channels_agree(r)) {
    call.ints({r.multipliers[0]}).ints({r.shifts[0]}).i(r.mode | KILN_REQUANT_PER_TENSOR);
    return;
  }
  call.ints(r.multipliers).ints(r.shifts).i(r.mode);
}

void add_activation_clamp(KernelCall& call, const Node& node, const Tensor& output) {
  const auto [lo, hi] =
      quantized_activation_range(node, output.dtype, per_tensor_scale(node, output, "output"),
                                 per_tensor_zero_point(node, output, "output"));
  call.i(lo).i(hi);
}

int32_t qtype_code(const Node& node, DType type) {
  switch (type) {
    case DType::Int8: return 0;
    case DType::UInt8: return 1;
    case DType::Int16: return 2;
    case DType::Int32: return 3;
    default:
      throw UnsupportedError(node.describe() + ": " + std::string(dtype_name(type)) +
                             " is not a supported quantized type");
  }
}

}  // namespace kiln
