// Quantization boundary ops and kiln's internal quantized helpers:
//   QuantizeLinear / DequantizeLinear (ONNX, per-tensor or per-axis): float <-> integer at the
//     edges of a quantized region. Their scale and zero point must be compile-time constants.
//   kiln.Requantize: integer -> integer change of scale, zero point or type (int8, uint8, int16).
//   kiln.Lut: any element-wise function of an int8 tensor as a 256-entry table input.
// Q/DQ nodes are not constant-folded by the generic folding passes (OpDef::defer_folding):
// passes/lower_qdq first decides which integer op absorbs them.
#include <string>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/op_registry.hpp"
#include "ops/quantized.hpp"

extern "C" {
#include "kiln_lut_s16.h"
}

namespace kiln {

namespace {

// Scale and zero point inputs (1, 2) of QuantizeLinear / DequantizeLinear as QuantParams for a
// tensor of `data_shape`; `zp_type` receives the zero point's dtype (nullopt when omitted).
QuantParams boundary_params(const Node& node, const Graph& graph, const Shape& data_shape,
                            std::optional<DType>& zp_type) {
  const Tensor& scale = input_tensor(node, graph, 1);
  if (scale.dtype != DType::Float32)
    throw UnsupportedError(node.describe() + ": scale " + quote_name(scale.name) + " has type " +
                           std::string(dtype_name(scale.dtype)) + ", kiln supports float32");
  if (!scale.constant)
    throw UnsupportedError(node.describe() + ": scale " + quote_name(scale.name) +
                           " must be a compile-time constant");
  if (node.attr_int("block_size", 0) != 0)
    throw UnsupportedError(node.describe() + ": blocked quantization is not supported");
  QuantParams q;
  q.scales = scale.as_float();
  const auto rank = static_cast<int64_t>(data_shape.size());
  if (scale.shape.size() > 1)
    throw Error(node.describe() + ": scale must be a scalar or 1-D, got " +
                shape_to_string(scale.shape));
  if (!scale.shape.empty() && (scale.shape[0] != 1 || rank == 0)) {
    const int64_t axis = normalize_axis(node, node.attr_int("axis", 1), rank);
    if (scale.shape[0] != data_shape[axis])
      throw Error(node.describe() + ": " + std::to_string(scale.shape[0]) + " scales for axis " +
                  std::to_string(axis) + " of size " + std::to_string(data_shape[axis]));
    q.axis = static_cast<int>(axis);
  }
  for (float s : q.scales)
    if (!(s > 0.0f))
      throw Error(node.describe() + ": scale must be positive, got " + number_text(s));
  zp_type.reset();
  if (node.has_input(2)) {
    const Tensor& zp = graph.tensor(node.inputs[2]);
    if (!zp.constant)
      throw UnsupportedError(node.describe() + ": zero point " + quote_name(zp.name) +
                             " must be a compile-time constant");
    if (zp.elements() != static_cast<int64_t>(q.scales.size()))
      throw Error(node.describe() + ": zero point " + quote_name(zp.name) + " has " +
                  std::to_string(zp.elements()) + " values for " + std::to_string(q.scales.size()) +
                  " scales");
    zp_type = zp.dtype;
    for (int64_t v : zp.as_int64()) q.zero_points.push_back(static_cast<int32_t>(v));
  } else {
    q.zero_points.assign(q.scales.size(), 0);
  }
  return q;
}

bool quantized_type(DType type) {
  return type == DType::Int8 || type == DType::UInt8 || type == DType::Int16;
}

void infer_quantize_linear(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  if (x.dtype != DType::Float32)
    throw UnsupportedError(node.describe() + ": input has type " +
                           std::string(dtype_name(x.dtype)) + ", kiln supports float32");
  std::optional<DType> zp_type;
  QuantParams q = boundary_params(node, graph, x.shape, zp_type);
  DType out = DType::UInt8;
  if (zp_type) {
    out = *zp_type;
  } else if (node.has_attr("output_dtype")) {
    const auto declared = dtype_from_onnx(static_cast<int>(node.attr_int("output_dtype", 0)));
    if (!declared) throw UnsupportedError(node.describe() + ": unsupported output_dtype");
    out = *declared;
  }
  if (!quantized_type(out))
    throw UnsupportedError(node.describe() + ": quantizing to " + std::string(dtype_name(out)) +
                           " is not supported (int8, uint8, int16)");
  for (int32_t zp : q.zero_points)
    if (zp < qmin(out) || zp > qmax(out))
      throw Error(node.describe() + ": zero point " + std::to_string(zp) + " out of range");
  Tensor& y = output_tensor(node, graph, 0);
  y.quant = std::move(q);
  set_output(node, graph, 0, out, x.shape);
}

void infer_dequantize_linear(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  if (!quantized_type(x.dtype) && x.dtype != DType::Int32)
    throw UnsupportedError(node.describe() + ": input has type " +
                           std::string(dtype_name(x.dtype)) +
                           ", kiln supports int8, uint8, int16, int32");
  std::optional<DType> zp_type;
  boundary_params(node, graph, x.shape, zp_type);
  if (zp_type && *zp_type != x.dtype)
    throw Error(node.describe() + ": zero point type " + std::string(dtype_name(*zp_type)) +
                " differs from the input type " + std::string(dtype_name(x.dtype)));
  set_output(node, graph, 0, DType::Float32, x.shape);
}

// [outer, axis_len, inner] view of a tensor for per-axis parameters.
void add_axis_view(KernelCall& call, const Shape& shape, const QuantParams& q) {
  int64_t outer = 1;
  int64_t axis_len = 1;
  int64_t inner = 1;
  if (q.axis < 0 || q.scales.size() == 1) {
    inner = shape_elements(shape);
  } else {
    for (size_t d = 0; d < shape.size(); ++d) {
      const auto di = static_cast<int64_t>(d);
      if (di < q.axis)
        outer *= shape[d];
      else if (di == q.axis)
        axis_len = shape[d];
      else
        inner *= shape[d];
    }
  }
  call.i(outer).i(axis_len).i(inner);
}

std::vector<int64_t> widen(const std::vector<int32_t>& v) {
  return {v.begin(), v.end()};
}

KernelCall lower_quantize_linear(const Node& node, const Graph& graph) {
  const Tensor& x = graph.tensor(node.inputs[0]);
  const Tensor& y = graph.tensor(node.outputs[0]);
  std::optional<DType> zp_type;
  const QuantParams q = boundary_params(node, graph, x.shape, zp_type);
  KernelCall call("kiln_quantize_linear");
  call.input(x.name).output(y.name).i(qtype_code(node, y.dtype));
  add_axis_view(call, x.shape, q);
  call.floats(q.scales).ints(widen(q.zero_points));
  return call;
}

KernelCall lower_dequantize_linear(const Node& node, const Graph& graph) {
  const Tensor& x = graph.tensor(node.inputs[0]);
  std::optional<DType> zp_type;
  const QuantParams q = boundary_params(node, graph, x.shape, zp_type);
  KernelCall call("kiln_dequantize_linear");
  call.input(x.name).i(qtype_code(node, x.dtype)).output(node.outputs[0]);
  add_axis_view(call, x.shape, q);
  call.floats(q.scales).ints(widen(q.zero_points));
  return call;
}

void infer_requantize(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  require_quant(node, x, "input");
  if (!is_quantized(x))
    throw Error(node.describe() + ": input " + quote_name(x.name) + " is not quantized");
  set_quantized_output(node, graph, 0, x.shape);
}

KernelCall lower_requantize(const Node& node, const Graph& graph) {
  const Tensor& x = graph.tensor(node.inputs[0]);
  const Tensor& y = graph.tensor(node.outputs[0]);
  const Requantization r = requantization(
      node, {scale_ratio(per_tensor_scale(node, x, "input"), per_tensor_scale(node, y, "output"))});
  return KernelCall("kiln_requantize")
      .input(x.name)
      .i(qtype_code(node, x.dtype))
      .output(y.name)
      .i(qtype_code(node, y.dtype))
      .i(x.elements())
      .i(per_tensor_zero_point(node, x, "input"))
      .i(per_tensor_zero_point(node, y, "output"))
      .i(r.multipliers[0])
      .i(r.shifts[0])
      .i(r.mode);
}

// kiln.Lut: an int8 input through 256 int8 entries (kiln_lut_s8), or an int16 input through
// KILN_LUT_S16_ENTRIES int16 interpolation entries (kiln_lut_s16).
void infer_lut(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  const Tensor& table = input_tensor(node, graph, 1);
  if (x.dtype != DType::Int8 && x.dtype != DType::Int16)
    throw Error(node.describe() + ": input must be int8 or int16, got " +
                std::string(dtype_name(x.dtype)));
  const bool is16 = x.dtype == DType::Int16;
  const int64_t entries = is16 ? KILN_LUT_S16_ENTRIES : 256;
  if (table.dtype != x.dtype || table.elements() != entries || !table.constant)
    throw Error(node.describe() + ": table must be a constant " + std::string(dtype_name(x.dtype)) +
                " tensor of " + std::to_string(entries) + " entries");
  set_quantized_output(node, graph, 0, x.shape);
}

KernelCall lower_lut(const Node& node, const Graph& graph) {
  const Tensor& x = graph.tensor(node.inputs[0]);
  return KernelCall(x.dtype == DType::Int16 ? "kiln_lut_s16" : "kiln_lut_s8")
      .input(x.name)
      .input(node.inputs[1])
      .output(node.outputs[0])
      .i(x.elements());
}

int64_t no_macs(const Node&, const Graph&) {
  return 0;
}

void register_quantize_ops() {
  OpDef q;
  q.op_type = "QuantizeLinear";
  q.min_opset = 10;
  q.infer = infer_quantize_linear;
  q.lower = lower_quantize_linear;
  q.macs = no_macs;
  q.defer_folding = true;
  // kiln_quantize_linear reads element k just before writing element k; the planner only runs
  // it in place when the element sizes match (float32 -> int32).
  q.in_place = InPlace::Elementwise;
  register_op(std::move(q));

  OpDef dq;
  dq.op_type = "DequantizeLinear";
  dq.min_opset = 10;
  dq.infer = infer_dequantize_linear;
  dq.lower = lower_dequantize_linear;
  dq.macs = no_macs;
  dq.defer_folding = true;
  dq.in_place = InPlace::Elementwise;  // likewise (int32 -> float32)
  register_op(std::move(dq));

  OpDef rq;
  rq.op_type = "Requantize";
  rq.domain = "kiln";
  rq.infer = infer_requantize;
  rq.lower = lower_requantize;
  rq.macs = no_macs;
  rq.in_place = InPlace::Elementwise;  // same-size types only; the planner checks sizes
  register_op(std::move(rq));

  OpDef lut;
  lut.op_type = "Lut";
  lut.domain = "kiln";
  lut.infer = infer_lut;
  lut.lower = lower_lut;
  lut.macs = no_macs;
  lut.in_place = InPlace::Elementwise;
  register_op(std::move(lut));
}

}  // namespace

KILN_REGISTER_OPS(register_quantize_ops);

}  // namespace kiln
