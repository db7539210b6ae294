// Element-wise arithmetic: the broadcasting binary ops (Add, Sub, Mul, Div, Pow, PRelu), the
// variadic ones (Max, Min, Sum, Mean), comparisons and logic (Equal, Less, ..., And, Or, Xor),
// Where, and unary math (Exp, Log, Sqrt, Abs, Neg, ..., Not).
// Semantics live in src/kernels/kiln_binary_*.c and kiln_unary_*.c; this file checks types and
// shapes and turns a node into one kernel call with precomputed broadcast strides.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/elementwise_lowering.hpp"
#include "ops/op_registry.hpp"
#include "ops/quantized.hpp"

extern "C" {
#include "kiln_binary_nary.h"
#include "kiln_binary_ops.h"
#include "kiln_unary_ops.h"
}

namespace kiln {

BroadcastLayout broadcast_layout(const Node& node, const Shape& out,
                                 const std::vector<Shape>& operands) {
  const size_t rank = out.size();
  // Row-major strides of each operand, right-aligned to `out`, 0 where it is broadcast.
  std::vector<std::vector<int64_t>> full(operands.size(), std::vector<int64_t>(rank, 0));
  for (size_t k = 0; k < operands.size(); ++k) {
    const Shape& s = operands[k];
    int64_t stride = 1;
    for (size_t j = 0; j < s.size(); ++j) {
      const size_t d_in = s.size() - 1 - j;
      const size_t d_out = rank - 1 - j;
      full[k][d_out] = s[d_in] == 1 && out[d_out] != 1 ? 0 : stride;
      stride *= s[d_in];
    }
  }
  // Dims of extent 1 do not affect addressing; adjacent dims merge when every operand walks
  // them as one (contiguous, or broadcast along both). Equal shapes become one dim with
  // stride 1, a scalar operand one dim with stride 0: the kernels' fast paths.
  BroadcastLayout layout;
  layout.strides.resize(operands.size());
  for (size_t d = 0; d < rank; ++d) {
    if (out[d] == 1) continue;
    bool merge = !layout.shape.empty();
    for (size_t k = 0; merge && k < operands.size(); ++k)
      merge = layout.strides[k].back() == full[k][d] * out[d];
    if (merge) {
      layout.shape.back() *= out[d];
      for (size_t k = 0; k < operands.size(); ++k) layout.strides[k].back() = full[k][d];
    } else {
      layout.shape.push_back(out[d]);
      for (size_t k = 0; k < operands.size(); ++k) layout.strides[k].push_back(full[k][d]);
    }
  }
  if (layout.shape.empty()) {
    layout.shape.push_back(1);
    for (auto& s : layout.strides) s.push_back(0);
  }
  if (layout.shape.size() > kMaxKernelRank)
    throw Error(node.describe() + ": broadcasting needs " + std::to_string(layout.shape.size()) +
                " dims after merging, kernels support " + std::to_string(kMaxKernelRank));
  return layout;
}

namespace {

int32_t dtype_code(DType type) {
  return static_cast<int32_t>(type);
}

bool is_integer(DType type) {
  return type == DType::Int8 || type == DType::UInt8 || type == DType::Int16 ||
         type == DType::Int32 || type == DType::Int64;
}

bool is_numeric(DType type) {
  return type == DType::Float32 || is_integer(type);
}

// Error unless the tensor is float32 or (when allowed) an integer type.
void require_numeric(const Node& node, const Tensor& t, bool integers_allowed) {
  if (t.dtype == DType::Float32 || (integers_allowed && is_integer(t.dtype))) return;
  throw Error(node.describe() + ": input " + quote_name(t.name) + " has type " +
              std::string(dtype_name(t.dtype)) + ", expected " +
              (integers_allowed ? "float32 or an integer type" : "float32"));
}

std::vector<const Tensor*> present_inputs(const Node& node, const Graph& graph) {
  std::vector<const Tensor*> result;
  for (const std::string& name : node.inputs)
    if (!name.empty()) result.push_back(&graph.tensor(name));
  return result;
}

int64_t output_elements(const Node& node, const Graph& graph) {
  return graph.tensor(node.outputs.at(0)).elements();
}

// ---- broadcasting binary ops --------------------------------------------------------------

struct BinarySpec {
  const char* op_type;
  int32_t code;
  bool integers_allowed;
};

void infer_binary(const Node& node, Graph& graph, bool integers_allowed, bool mixed_types) {
  if (node.inputs.size() != 2)
    throw Error(node.describe() + ": expects 2 inputs, got " + std::to_string(node.inputs.size()));
  const Tensor& a = input_tensor(node, graph, 0);
  const Tensor& b = input_tensor(node, graph, 1);
  require_numeric(node, a, integers_allowed);
  if (mixed_types) {
    if (!is_numeric(b.dtype))
      throw Error(node.describe() + ": exponent " + quote_name(b.name) + " has non-numeric type " +
                  std::string(dtype_name(b.dtype)));
  } else if (a.dtype != b.dtype) {
    throw Error(node.describe() + ": inputs " + quote_name(a.name) + " (" +
                std::string(dtype_name(a.dtype)) + ") and " + quote_name(b.name) + " (" +
                std::string(dtype_name(b.dtype)) + ") must have the same type");
  }
  if (is_quantized(a) && is_quantized(b))
    set_quantized_output(node, graph, 0, broadcast_shapes(node, a.shape, b.shape));
  else
    set_output(node, graph, 0, a.dtype, broadcast_shapes(node, a.shape, b.shape));
}

// int8 Add / Sub / Mul under "single" requantization: ONNX Runtime's float32 arithmetic
// (QLinearAdd, dequantize-subtract-quantize, QLinearMul) emulated with integers
// (kiln_binary_s8_single.h); the float32 constants are computed here as ONNX Runtime does.
KernelCall lower_quantized_binary_single(const Node& node, const Graph& graph, int32_t code,
                                         const BroadcastLayout& layout) {
  const Tensor& a = graph.tensor(node.inputs[0]);
  const Tensor& b = graph.tensor(node.inputs[1]);
  const Tensor& y = graph.tensor(node.outputs[0]);
  const float sa = per_tensor_scale(node, a, "A");
  const float sb = per_tensor_scale(node, b, "B");
  const float sy = per_tensor_scale(node, y, "output");
  const int32_t za = per_tensor_zero_point(node, a, "A");
  const int32_t zb = per_tensor_zero_point(node, b, "B");
  const int32_t zy = per_tensor_zero_point(node, y, "output");
  float p0 = 0.0f, p1 = 0.0f, p2 = 0.0f;
  if (code == KILN_BINARY_ADD) {
    p0 = sa / sy;
    p1 = sb / sy;
    const float shifted = static_cast<float>(zy) - p0 * static_cast<float>(za);
    p2 = shifted - p1 * static_cast<float>(zb);
  } else if (code == KILN_BINARY_SUB) {
    p0 = sa;
    p1 = sb;
    p2 = sy;
  } else {
    const float product = sa * sb;
    p0 = product / sy;
  }
  KernelCall call("kiln_binary_s8_single");
  call.i(code)
      .input(a.name)
      .input(b.name)
      .output(y.name)
      .i(static_cast<int64_t>(layout.shape.size()))
      .ints(layout.shape)
      .ints(layout.strides[0])
      .ints(layout.strides[1])
      .i(za)
      .i(zb)
      .i(zy)
      .i(std::bit_cast<int32_t>(p0))
      .i(std::bit_cast<int32_t>(p1))
      .i(std::bit_cast<int32_t>(p2));
  add_activation_clamp(call, node, y);
  return call;
}

// Add / Sub / Mul of quantized tensors with TFLite's arithmetic (kiln_binary_s8.h): Add and Sub
// rescale both inputs to a common scale of 2 * max(sa, sb) with `left_shift` bits of headroom.
KernelCall lower_quantized_binary(const Node& node, const Graph& graph, int32_t code,
                                  const BroadcastLayout& layout) {
  const Tensor& a = graph.tensor(node.inputs[0]);
  const Tensor& b = graph.tensor(node.inputs[1]);
  const Tensor& y = graph.tensor(node.outputs[0]);
  if (code != KILN_BINARY_ADD && code != KILN_BINARY_SUB && code != KILN_BINARY_MUL)
    throw UnsupportedError(node.describe() + ": no quantized kernel for " + node.op_type);
  if ((a.dtype != DType::Int8 && a.dtype != DType::Int16) || b.dtype != a.dtype ||
      y.dtype != a.dtype)
    throw UnsupportedError(node.describe() + ": quantized " + node.op_type + " needs int8 or " +
                           "int16 inputs and output of one type");
  if (a.dtype == DType::Int8 && node.attr_string(kRequantAttr, "") == "single")
    return lower_quantized_binary_single(node, graph, code, layout);
  const double sa = per_tensor_scale(node, a, "A");
  const double sb = per_tensor_scale(node, b, "B");
  const double sy = per_tensor_scale(node, y, "output");
  const bool is16 = a.dtype == DType::Int16;
  const int32_t left_shift = code == KILN_BINARY_MUL ? 0 : (is16 ? 15 : 20);
  std::vector<double> real;  // a, b, y
  if (code == KILN_BINARY_MUL) {
    real = {1.0, 1.0, sa * sb / sy};
  } else {
    const double twice_max = 2.0 * std::max(sa, sb);
    real = {sa / twice_max, sb / twice_max,
            twice_max / (static_cast<double>(int64_t{1} << left_shift) * sy)};
  }
  // The binary kernels rescale both inputs to a common fixed-point domain first (TFLite's
  // arithmetic); that has no single-rounding form, so "single" runs as fixed point here.
  std::vector<ScaleRatio> ratios;
  for (double v : real) ratios.push_back({v, static_cast<float>(v)});
  Requantization r = requantization(node, ratios, /*allow_single=*/false);
  if (r.mode == 1) {
    // The binary kernels always multiply; a power-of-two scale 2^s is the exact fixed-point
    // multiplier 2^30 / 2^31 with shift s + 1, so the arithmetic stays power-of-two.
    for (size_t i = 0; i < r.multipliers.size(); ++i) {
      r.multipliers[i] = int64_t{1} << 30;
      r.shifts[i] += 1;
    }
  }
  KernelCall call(is16 ? "kiln_binary_s16" : "kiln_binary_s8");
  call.i(code)
      .input(a.name)
      .input(b.name)
      .output(y.name)
      .i(static_cast<int64_t>(layout.shape.size()))
      .ints(layout.shape)
      .ints(layout.strides[0])
      .ints(layout.strides[1])
      .i(per_tensor_zero_point(node, a, "A"))
      .i(per_tensor_zero_point(node, b, "B"))
      .i(per_tensor_zero_point(node, y, "output"))
      .i(left_shift)
      .i(r.multipliers[0])
      .i(r.shifts[0])
      .i(r.multipliers[1])
      .i(r.shifts[1])
      .i(r.multipliers[2])
      .i(r.shifts[2]);
  add_activation_clamp(call, node, y);
  return call;
}

KernelCall lower_binary(const Node& node, const Graph& graph, int32_t code) {
  const Tensor& a = graph.tensor(node.inputs[0]);
  const Tensor& b = graph.tensor(node.inputs[1]);
  const Tensor& y = graph.tensor(node.outputs[0]);
  const BroadcastLayout layout = broadcast_layout(node, y.shape, {a.shape, b.shape});
  const auto rank = static_cast<int64_t>(layout.shape.size());
  if (is_quantized(a) && is_quantized(b)) return lower_quantized_binary(node, graph, code, layout);
  if (a.dtype != b.dtype) {  // Pow with a base and exponent of different types
    return KernelCall("kiln_binary_pow_mixed")
        .i(dtype_code(a.dtype))
        .i(dtype_code(b.dtype))
        .input(a.name)
        .input(b.name)
        .output(y.name)
        .i(rank)
        .ints(layout.shape)
        .ints(layout.strides[0])
        .ints(layout.strides[1]);
  }
  if (a.dtype == DType::Float32) {
    return KernelCall("kiln_binary_f32")
        .i(code)
        .input(a.name)
        .input(b.name)
        .output(y.name)
        .i(rank)
        .ints(layout.shape)
        .ints(layout.strides[0])
        .ints(layout.strides[1])
        .i(static_cast<int32_t>(node.activation.kind))
        .f(node.activation.alpha)
        .f(node.activation.beta);
  }
  if (node.activation.kind != Activation::None)
    throw Error(node.describe() + ": a fused activation needs float32 data, got " +
                std::string(dtype_name(a.dtype)));
  return KernelCall("kiln_binary_int")
      .i(code)
      .i(dtype_code(a.dtype))
      .input(a.name)
      .input(b.name)
      .output(y.name)
      .i(rank)
      .ints(layout.shape)
      .ints(layout.strides[0])
      .ints(layout.strides[1]);
}

void register_binary(const BinarySpec& spec, bool accepts_activation) {
  OpDef def;
  def.op_type = spec.op_type;
  const bool mixed = spec.code == KILN_BINARY_POW;
  const bool integers = spec.integers_allowed;
  def.infer = [integers, mixed](const Node& node, Graph& graph) {
    infer_binary(node, graph, integers, mixed);
  };
  const int32_t code = spec.code;
  def.lower = [code](const Node& node, const Graph& graph) {
    return lower_binary(node, graph, code);
  };
  def.macs = output_elements;
  def.in_place = InPlace::Elementwise;
  def.accepts_activation = accepts_activation;
  register_op(std::move(def));
}

// PRelu broadcasts the slope to X's shape only (unidirectional).
void infer_prelu(const Node& node, Graph& graph) {
  infer_binary(node, graph, true, false);
  const Tensor& x = input_tensor(node, graph, 0);
  if (output_tensor(node, graph, 0).shape != x.shape)
    throw Error(node.describe() + ": slope shape " +
                shape_to_string(input_tensor(node, graph, 1).shape) +
                " does not broadcast to X's shape " + shape_to_string(x.shape));
}

// ---- variadic ops: Max, Min, Sum, Mean ----------------------------------------------------

void infer_variadic(const Node& node, Graph& graph) {
  const std::vector<const Tensor*> inputs = present_inputs(node, graph);
  if (inputs.empty() || inputs.size() != node.inputs.size())
    throw Error(node.describe() + ": expects one or more inputs, none omitted");
  Shape shape = inputs[0]->shape;
  for (const Tensor* t : inputs) {
    require_numeric(node, *t, true);
    if (t->dtype != inputs[0]->dtype)
      throw Error(node.describe() + ": input " + quote_name(t->name) + " has type " +
                  std::string(dtype_name(t->dtype)) + ", input " + quote_name(inputs[0]->name) +
                  " has " + std::string(dtype_name(inputs[0]->dtype)) + "; all must match");
    shape = broadcast_shapes(node, shape, t->shape);
  }
  set_output(node, graph, 0, inputs[0]->dtype, shape);
}

KernelCall lower_variadic(const Node& node, const Graph& graph, int32_t code) {
  const size_t count = node.inputs.size();
  const Tensor& y = graph.tensor(node.outputs[0]);
  const Tensor& first = graph.tensor(node.inputs[0]);
  if (count == 1 && first.shape == y.shape)
    return KernelCall("kiln_copy").input(first.name).output(y.name).i(y.bytes());
  if (count == 2 && code != KILN_BINARY_MEAN) return lower_binary(node, graph, code);
  if (count > KILN_NARY_MAX_INPUTS)
    throw UnsupportedError(node.describe() + ": " + std::to_string(count) +
                           " inputs, kiln supports up to " + std::to_string(KILN_NARY_MAX_INPUTS));
  std::vector<Shape> shapes;
  for (const std::string& name : node.inputs) shapes.push_back(graph.tensor(name).shape);
  const BroadcastLayout layout = broadcast_layout(node, y.shape, shapes);
  KernelCall call("kiln_binary_nary");
  call.i(code).i(dtype_code(y.dtype)).i(static_cast<int64_t>(count));
  for (size_t k = 0; k < KILN_NARY_MAX_INPUTS; ++k)
    call.input(k < count ? node.inputs[k] : std::string());
  std::vector<int64_t> strides;
  for (const auto& s : layout.strides) strides.insert(strides.end(), s.begin(), s.end());
  call.output(y.name).i(static_cast<int64_t>(layout.shape.size())).ints(layout.shape).ints(strides);
  return call;
}

void register_variadic(const char* op_type, int32_t code) {
  OpDef def;
  def.op_type = op_type;
  def.min_opset = 6;
  def.infer = infer_variadic;
  def.lower = [code](const Node& node, const Graph& graph) {
    return lower_variadic(node, graph, code);
  };
  def.macs = [](const Node& node, const Graph& graph) {
    return output_elements(node, graph) * static_cast<int64_t>(node.inputs.size() - 1);
  };
  def.in_place = InPlace::Elementwise;
  register_op(std::move(def));
}

// ---- comparisons, logic and Where --------------------------------------------------------

void infer_compare(const Node& node, Graph& graph, bool logic) {
  if (node.inputs.size() != 2)
    throw Error(node.describe() + ": expects 2 inputs, got " + std::to_string(node.inputs.size()));
  const Tensor& a = input_tensor(node, graph, 0);
  const Tensor& b = input_tensor(node, graph, 1);
  if (a.dtype != b.dtype)
    throw Error(node.describe() + ": inputs " + quote_name(a.name) + " (" +
                std::string(dtype_name(a.dtype)) + ") and " + quote_name(b.name) + " (" +
                std::string(dtype_name(b.dtype)) + ") must have the same type");
  if (logic && a.dtype != DType::Bool)
    throw Error(node.describe() + ": input " + quote_name(a.name) + " has type " +
                std::string(dtype_name(a.dtype)) + ", expected bool");
  set_output(node, graph, 0, DType::Bool, broadcast_shapes(node, a.shape, b.shape));
}

KernelCall lower_compare(const Node& node, const Graph& graph, int32_t code) {
  const Tensor& a = graph.tensor(node.inputs[0]);
  const Tensor& b = graph.tensor(node.inputs[1]);
  const Tensor& y = graph.tensor(node.outputs[0]);
  const BroadcastLayout layout = broadcast_layout(node, y.shape, {a.shape, b.shape});
  return KernelCall("kiln_binary_compare")
      .i(code)
      .i(dtype_code(a.dtype))
      .input(a.name)
      .input(b.name)
      .output(y.name)
      .i(static_cast<int64_t>(layout.shape.size()))
      .ints(layout.shape)
      .ints(layout.strides[0])
      .ints(layout.strides[1]);
}

void register_compare(const char* op_type, int32_t code) {
  OpDef def;
  def.op_type = op_type;
  const bool logic = code >= KILN_BINARY_AND;
  def.infer = [logic](const Node& node, Graph& graph) { infer_compare(node, graph, logic); };
  def.lower = [code](const Node& node, const Graph& graph) {
    return lower_compare(node, graph, code);
  };
  def.macs = [](const Node&, const Graph&) { return int64_t{0}; };
  register_op(std::move(def));
}

void infer_where(const Node& node, Graph& graph) {
  const Tensor& cond = input_tensor(node, graph, 0);
  const Tensor& a = input_tensor(node, graph, 1);
  const Tensor& b = input_tensor(node, graph, 2);
  if (cond.dtype != DType::Bool)
    throw Error(node.describe() + ": condition " + quote_name(cond.name) + " has type " +
                std::string(dtype_name(cond.dtype)) + ", expected bool");
  if (a.dtype != b.dtype)
    throw Error(node.describe() + ": inputs " + quote_name(a.name) + " (" +
                std::string(dtype_name(a.dtype)) + ") and " + quote_name(b.name) + " (" +
                std::string(dtype_name(b.dtype)) + ") must have the same type");
  set_output(node, graph, 0, a.dtype,
             broadcast_shapes(node, cond.shape, broadcast_shapes(node, a.shape, b.shape)));
}

KernelCall lower_where(const Node& node, const Graph& graph) {
  const Tensor& cond = graph.tensor(node.inputs[0]);
  const Tensor& a = graph.tensor(node.inputs[1]);
  const Tensor& b = graph.tensor(node.inputs[2]);
  const Tensor& y = graph.tensor(node.outputs[0]);
  const BroadcastLayout layout = broadcast_layout(node, y.shape, {cond.shape, a.shape, b.shape});
  return KernelCall("kiln_broadcast_where")
      .input(cond.name)
      .input(a.name)
      .input(b.name)
      .output(y.name)
      .i(static_cast<int64_t>(dtype_size(y.dtype)))
      .i(static_cast<int64_t>(layout.shape.size()))
      .ints(layout.shape)
      .ints(layout.strides[0])
      .ints(layout.strides[1])
      .ints(layout.strides[2]);
}

// ---- unary math ---------------------------------------------------------------------------

enum class UnaryTypes { FloatOnly, FloatOrSignedInt, BoolOnly };

struct UnarySpec {
  const char* op_type;
  int32_t code;
  UnaryTypes types;
  // Attribute names and defaults of the kernel's alpha / beta parameters ("" = unused).
  const char* alpha_attr = "";
  float alpha_default = 0.0f;
  const char* beta_attr = "";
  float beta_default = 0.0f;
};

void infer_unary(const Node& node, Graph& graph, UnaryTypes types) {
  const Tensor& x = input_tensor(node, graph, 0);
  const bool ok =
      types == UnaryTypes::BoolOnly ? x.dtype == DType::Bool
      : types == UnaryTypes::FloatOnly
          ? x.dtype == DType::Float32
          : x.dtype == DType::Float32 || (is_integer(x.dtype) && x.dtype != DType::UInt8);
  if (!ok)
    throw Error(node.describe() + ": input " + quote_name(x.name) + " has type " +
                std::string(dtype_name(x.dtype)) + ", expected " +
                (types == UnaryTypes::BoolOnly    ? "bool"
                 : types == UnaryTypes::FloatOnly ? "float32"
                                                  : "float32 or a signed integer type"));
  set_output(node, graph, 0, x.dtype, x.shape);
}

void register_unary(const UnarySpec& spec) {
  OpDef def;
  def.op_type = spec.op_type;
  def.min_opset = 6;
  const UnaryTypes types = spec.types;
  def.infer = [types](const Node& node, Graph& graph) { infer_unary(node, graph, types); };
  def.lower = [spec](const Node& node, const Graph& graph) {
    const Tensor& x = graph.tensor(node.inputs[0]);
    const Tensor& y = graph.tensor(node.outputs[0]);
    if (x.dtype != DType::Float32)
      return KernelCall("kiln_unary_int")
          .i(spec.code)
          .i(dtype_code(x.dtype))
          .input(x.name)
          .output(y.name)
          .i(y.elements());
    const float alpha =
        *spec.alpha_attr ? node.attr_float(spec.alpha_attr, spec.alpha_default) : 0.0f;
    const float beta = *spec.beta_attr ? node.attr_float(spec.beta_attr, spec.beta_default) : 0.0f;
    return KernelCall("kiln_unary_f32")
        .i(spec.code)
        .input(x.name)
        .output(y.name)
        .i(y.elements())
        .f(alpha)
        .f(beta);
  };
  def.macs = [](const Node&, const Graph&) { return int64_t{0}; };
  def.in_place = InPlace::Elementwise;
  register_op(std::move(def));
}

void register_elementwise_ops() {
  register_binary({"Add", KILN_BINARY_ADD, true}, true);
  register_binary({"Sub", KILN_BINARY_SUB, true}, true);
  register_binary({"Mul", KILN_BINARY_MUL, true}, true);
  register_binary({"Div", KILN_BINARY_DIV, true}, true);
  register_binary({"Pow", KILN_BINARY_POW, true}, false);
  {
    OpDef def;
    def.op_type = "PRelu";
    def.infer = infer_prelu;
    def.lower = [](const Node& node, const Graph& graph) {
      return lower_binary(node, graph, KILN_BINARY_PRELU);
    };
    def.macs = output_elements;
    def.in_place = InPlace::Elementwise;
    register_op(std::move(def));
  }
  register_compare("Equal", KILN_BINARY_EQUAL);
  register_compare("Less", KILN_BINARY_LESS);
  register_compare("LessOrEqual", KILN_BINARY_LESS_EQUAL);
  register_compare("Greater", KILN_BINARY_GREATER);
  register_compare("GreaterOrEqual", KILN_BINARY_GREATER_EQUAL);
  register_compare("And", KILN_BINARY_AND);
  register_compare("Or", KILN_BINARY_OR);
  register_compare("Xor", KILN_BINARY_XOR);
  {
    OpDef def;
    def.op_type = "Where";
    def.min_opset = 9;
    def.infer = infer_where;
    def.lower = lower_where;
    def.macs = [](const Node&, const Graph&) { return int64_t{0}; };
    register_op(std::move(def));
  }
  register_variadic("Max", KILN_BINARY_MAX);
  register_variadic("Min", KILN_BINARY_MIN);
  register_variadic("Sum", KILN_BINARY_ADD);
  register_variadic("Mean", KILN_BINARY_MEAN);

  const UnarySpec unary[] = {
      {"Exp", KILN_UNARY_EXP, UnaryTypes::FloatOnly},
      {"Log", KILN_UNARY_LOG, UnaryTypes::FloatOnly},
      {"Sqrt", KILN_UNARY_SQRT, UnaryTypes::FloatOnly},
      {"Abs", KILN_UNARY_ABS, UnaryTypes::FloatOrSignedInt},
      {"Neg", KILN_UNARY_NEG, UnaryTypes::FloatOrSignedInt},
      {"Sign", KILN_UNARY_SIGN, UnaryTypes::FloatOrSignedInt},
      {"Reciprocal", KILN_UNARY_RECIPROCAL, UnaryTypes::FloatOnly},
      {"Erf", KILN_UNARY_ERF, UnaryTypes::FloatOnly},
      {"Floor", KILN_UNARY_FLOOR, UnaryTypes::FloatOnly},
      {"Ceil", KILN_UNARY_CEIL, UnaryTypes::FloatOnly},
      {"Round", KILN_UNARY_ROUND, UnaryTypes::FloatOnly},
      {"Sin", KILN_UNARY_SIN, UnaryTypes::FloatOnly},
      {"Cos", KILN_UNARY_COS, UnaryTypes::FloatOnly},
      {"Softplus", KILN_UNARY_SOFTPLUS, UnaryTypes::FloatOnly},
      {"Elu", KILN_UNARY_ELU, UnaryTypes::FloatOnly, "alpha", 1.0f},
      {"Selu", KILN_UNARY_SELU, UnaryTypes::FloatOnly, "alpha", 1.67326319217681884765625f, "gamma",
       1.05070102214813232421875f},
      {"Not", KILN_UNARY_NOT, UnaryTypes::BoolOnly},
  };
  for (const UnarySpec& spec : unary) register_unary(spec);
}

}  // namespace

KILN_REGISTER_OPS(register_elementwise_ops);

}  // namespace kiln
