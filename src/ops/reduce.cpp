// Reductions: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceSumSquare,
// ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp.
//
// Newest form (ReduceSum-13, the others 18): `axes` is an optional int64 input, `keepdims`
// (default 1) and `noop_with_empty_axes` (default 0) are attributes. Older forms' `axes`
// attribute is upgraded to a constant input. Lowering drops extent-1 dims and merges
// neighbouring dims that are both reduced or both kept, then calls kiln_reduce_{f32,int}
// with a reduce mask, so any set of axes (adjacent or not) is one kernel call.
//
// A quantized (int8) ReduceMean, made by lower_qdq or kiln's quantizer, runs on the integers
// (kiln_reduce_mean_s8): the sum requantized once by x_scale / (y_scale * count) under the node's
// requantization strategy; nodes from .tflite files (kiln_arithmetic = "tflite") follow TFLite
// (Micro)'s reference MEAN instead: the raw values' mean truncated toward zero when input and
// output share scale and zero point, else its integer QuantizedMeanOrSum rescaling.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/op_registry.hpp"
#include "ops/quantized.hpp"

extern "C" {
#include "kiln_reduce_ops.h"
}

namespace kiln {

namespace {

constexpr size_t kMaxKernelRank = 8;  // KILN_MAX_RANK

struct ReduceSpec {
  const char* op_type;
  int32_t code;
  int axes_input_since;  // opset in which `axes` became an input
  bool integers_allowed;
  bool bool_allowed;
};

void upgrade_reduce(Node& node, Graph& graph, int opset, int axes_input_since) {
  if (opset >= axes_input_since || !node.has_attr("axes")) return;
  const std::vector<int64_t> axes = node.attr_ints("axes", {});
  const std::string name = graph.unique_name(node.name + "_axes");
  graph.add_tensor(make_constant<int64_t>(name, DType::Int64, {static_cast<int64_t>(axes.size())},
                                          std::span<const int64_t>(axes)));
  node.inputs.resize(1);
  node.inputs.push_back(name);
  node.attrs.erase("axes");
}

// Which dims of `rank` are reduced; all false for a no-op reduction.
std::vector<bool> reduced_dims(const Node& node, const Graph& graph, int64_t rank) {
  const std::optional<std::vector<int64_t>> axes = constant_ints_input(node, graph, 1);
  std::vector<bool> mask(static_cast<size_t>(rank), false);
  if (!axes || axes->empty()) {
    if (node.attr_int("noop_with_empty_axes", 0) == 0) mask.assign(mask.size(), true);
    return mask;
  }
  for (int64_t axis : *axes) {
    const auto d = static_cast<size_t>(normalize_axis(node, axis, rank));
    if (mask[d]) throw Error(node.describe() + ": axis " + std::to_string(axis) + " listed twice");
    mask[d] = true;
  }
  return mask;
}

void infer_reduce(const Node& node, Graph& graph, const ReduceSpec& spec) {
  const Tensor& x = input_tensor(node, graph, 0);
  const bool quantized_mean = is_quantized(x) && std::string_view(spec.op_type) == "ReduceMean";
  const bool ok = x.dtype == DType::Float32 || (spec.bool_allowed && x.dtype == DType::Bool) ||
                  (spec.integers_allowed && x.dtype != DType::Bool);
  if (!ok)
    throw UnsupportedError(node.describe() + ": input " + quote_name(x.name) +
                           " has unsupported type " + std::string(dtype_name(x.dtype)));
  if (node.has_input(1)) {
    const Tensor& axes = graph.tensor(node.inputs[1]);
    if (axes.dtype != DType::Int64)
      throw Error(node.describe() + ": axes " + quote_name(axes.name) + " must be int64, got " +
                  std::string(dtype_name(axes.dtype)));
  }
  const auto rank = static_cast<int64_t>(x.shape.size());
  const std::vector<bool> mask = reduced_dims(node, graph, rank);
  const bool keepdims = node.attr_int("keepdims", 1) != 0;
  Shape out;
  for (int64_t d = 0; d < rank; ++d) {
    if (!mask[static_cast<size_t>(d)])
      out.push_back(x.shape[d]);
    else if (keepdims)
      out.push_back(1);
  }
  if (quantized_mean) {
    if (x.dtype != DType::Int8)
      throw UnsupportedError(node.describe() + ": quantized ReduceMean supports int8, input " +
                             quote_name(x.name) + " is " + std::string(dtype_name(x.dtype)));
    set_quantized_output(node, graph, 0, out);
    return;
  }
  set_output(node, graph, 0, x.dtype, out);
}

// TFLite (Micro)'s reference QuantizedMeanOrSum rescaling for a mean of `count` values: the
// x_scale / y_scale multiplier with 1 / count folded in (shift up by floor(log2(count)), at most
// 32 and at most 31 + shift, then an integer division of the multiplier by count).
FixedPointMultiplier tflite_mean_multiplier(double x_scale, double y_scale, int64_t count) {
  FixedPointMultiplier m = quantize_multiplier(x_scale / y_scale);
  int extra = 0;
  while ((int64_t{2} << extra) <= count) ++extra;  // floor(log2(count))
  extra = std::min(extra, 32);
  extra = std::max(0, std::min(extra, 31 + m.shift));
  m.multiplier = static_cast<int32_t>((static_cast<int64_t>(m.multiplier) << extra) / count);
  m.shift -= extra;
  return m;
}

KernelCall lower_quantized_mean(const Node& node, const Graph& graph,
                                const std::vector<int64_t>& shape,
                                const std::vector<int64_t>& mask) {
  const Tensor& x = graph.tensor(node.inputs[0]);
  const Tensor& y = graph.tensor(node.outputs[0]);
  int64_t count = 1;
  for (size_t d = 0; d < shape.size(); ++d)
    if (mask[d]) count *= shape[d];
  if (count > (int64_t{1} << 23))
    throw UnsupportedError(node.describe() + ": quantized mean over " + std::to_string(count) +
                           " values (at most 2^23: the int32 sum would overflow)");
  const float x_scale = per_tensor_scale(node, x, "input");
  const float y_scale = per_tensor_scale(node, y, "output");
  const int32_t x_zero_point = per_tensor_zero_point(node, x, "input");
  const int32_t y_zero_point = per_tensor_zero_point(node, y, "output");
  KernelCall call("kiln_reduce_mean_s8");
  call.input(x.name).output(y.name).i(static_cast<int64_t>(shape.size())).ints(shape).ints(mask);
  if (node.attr_string(kArithmeticAttr, "") == "tflite") {
    const bool same_params = x_scale == y_scale && x_zero_point == y_zero_point;
    const FixedPointMultiplier m = tflite_mean_multiplier(x_scale, y_scale, count);
    return call.i(same_params ? 1 : 0)
        .i(x_zero_point)
        .i(y_zero_point)
        .i(m.multiplier)
        .i(m.shift)
        .i(0);  // KILN_REQUANT_FIXED_POINT: TFLite's MultiplyByQuantizedMultiplier
  }
  const Requantization r =
      requantization(node, {scale_ratio(x_scale, y_scale * static_cast<float>(count))});
  return call.i(0).i(x_zero_point).i(y_zero_point).i(r.multipliers[0]).i(r.shifts[0]).i(r.mode);
}

KernelCall lower_reduce(const Node& node, const Graph& graph, int32_t code) {
  const Tensor& x = graph.tensor(node.inputs[0]);
  const Tensor& y = graph.tensor(node.outputs[0]);
  const std::vector<bool> mask = reduced_dims(node, graph, static_cast<int64_t>(x.shape.size()));
  std::vector<int64_t> shape;
  std::vector<int64_t> merged_mask;
  for (size_t d = 0; d < x.shape.size(); ++d) {
    if (x.shape[d] == 1) continue;  // reducing or keeping an extent-1 dim changes nothing
    const int64_t reduced = mask[d] ? 1 : 0;
    if (!merged_mask.empty() && merged_mask.back() == reduced) {
      shape.back() *= x.shape[d];
    } else {
      shape.push_back(x.shape[d]);
      merged_mask.push_back(reduced);
    }
  }
  if (shape.empty()) {
    shape.push_back(1);
    merged_mask.push_back(0);
  }
  if (shape.size() > kMaxKernelRank)
    throw Error(node.describe() + ": reduction needs " + std::to_string(shape.size()) +
                " dims after merging, kernels support " + std::to_string(kMaxKernelRank));
  const auto rank = static_cast<int64_t>(shape.size());
  if (is_quantized(x) && code == KILN_REDUCE_MEAN)
    return lower_quantized_mean(node, graph, shape, merged_mask);
  if (x.dtype == DType::Float32)
    return KernelCall("kiln_reduce_f32")
        .i(code)
        .input(x.name)
        .output(y.name)
        .i(rank)
        .ints(shape)
        .ints(merged_mask);
  return KernelCall("kiln_reduce_int")
      .i(code)
      .i(static_cast<int32_t>(x.dtype))
      .input(x.name)
      .output(y.name)
      .i(rank)
      .ints(shape)
      .ints(merged_mask);
}

void register_reduce_ops() {
  const ReduceSpec specs[] = {
      {"ReduceSum", KILN_REDUCE_SUM, 13, true, true},
      {"ReduceMean", KILN_REDUCE_MEAN, 18, true, false},
      {"ReduceMax", KILN_REDUCE_MAX, 18, true, true},
      {"ReduceMin", KILN_REDUCE_MIN, 18, true, true},
      {"ReduceProd", KILN_REDUCE_PROD, 18, true, false},
      {"ReduceSumSquare", KILN_REDUCE_SUM_SQUARE, 18, true, false},
      {"ReduceL1", KILN_REDUCE_L1, 18, true, false},
      {"ReduceL2", KILN_REDUCE_L2, 18, false, false},
      {"ReduceLogSum", KILN_REDUCE_LOG_SUM, 18, false, false},
      {"ReduceLogSumExp", KILN_REDUCE_LOG_SUM_EXP, 18, false, false},
  };
  for (const ReduceSpec& spec : specs) {
    OpDef def;
    def.op_type = spec.op_type;
    def.min_opset = 1;
    const int since = spec.axes_input_since;
    def.upgrade = [since](Node& node, Graph& graph, int opset) {
      upgrade_reduce(node, graph, opset, since);
    };
    def.infer = [spec](const Node& node, Graph& graph) { infer_reduce(node, graph, spec); };
    const int32_t code = spec.code;
    def.lower = [code](const Node& node, const Graph& graph) {
      return lower_reduce(node, graph, code);
    };
    def.macs = [](const Node&, const Graph&) { return int64_t{0}; };
    register_op(std::move(def));
  }
}

}  // namespace

KILN_REGISTER_OPS(register_reduce_ops);

}  // namespace kiln
