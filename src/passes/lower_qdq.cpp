// QDQ lowering: turns DequantizeLinear -> float op -> QuantizeLinear patterns into integer ops on
// quantized tensors (Tensor::quant), the form every quantized kernel consumes.
//
// The rewrite works one node at a time, in schedule order, until nothing changes:
//  - compute ops (Conv, Gemm, MatMul, Add, Sub, Mul, AveragePool, GlobalAveragePool, ReduceMean,
//    Softmax and element-wise functions of one input) whose data inputs are all dequantized and
//    whose output feeds only QuantizeLinear nodes with one set of parameters run on the integers
//    directly and write the QuantizeLinear's output; element-wise functions become a kiln.Lut
//    table;
//  - data-movement ops (Reshape, Transpose, MaxPool, Concat, Pad, ...) on a dequantized input run
//    on the integers and are followed by a DequantizeLinear, so their float readers still work;
//  - DequantizeLinear -> QuantizeLinear pairs collapse (same parameters) or become one
//    kiln.Requantize (different parameters).
// What no integer op absorbs stays float: DequantizeLinear of constants folds into float weights
// (hybrid models such as int8 weights with float activations), the rest runs as boundary ops.
// Finally uint8 tensors become int8 (value - 128, zero point - 128): kiln's integer kernels are
// signed; a kiln.Requantize converts uint8 graph inputs and outputs at the boundary.
#include "passes/lower_qdq.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "interpreter/interpreter.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/op_registry.hpp"
#include "ops/quantized.hpp"
#include "passes/eliminate_dead_code.hpp"
#include "passes/graph_rewrite.hpp"
#include "passes/infer_shapes.hpp"
#include "quant/quant_math.hpp"
#include "quant/tflite_lut.hpp"

extern "C" {
#include "kiln_lut_s16.h"
}

namespace kiln {

namespace {

bool is_op(const Node& node, std::string_view type) {
  return node.domain.empty() && node.op_type == type;
}
bool is_dq(const Node& node) {
  return is_op(node, "DequantizeLinear");
}
bool is_q(const Node& node) {
  return is_op(node, "QuantizeLinear");
}

bool is_integer_type(DType type) {
  return type == DType::Int8 || type == DType::UInt8 || type == DType::Int16 ||
         type == DType::Int32;
}

// Quantization parameters of a Q or DQ node whose scale and zero point are constants (their
// shape rules guarantee that once the graph is shape-inferred).
QuantParams qdq_params(const Graph& graph, const Node& node) {
  const Tensor& data = graph.tensor(node.inputs[0]);
  QuantParams q;
  q.scales = graph.tensor(node.inputs[1]).as_float();
  if (node.has_input(2))
    for (int64_t v : graph.tensor(node.inputs[2]).as_int64())
      q.zero_points.push_back(static_cast<int32_t>(v));
  else
    q.zero_points.assign(q.scales.size(), 0);
  if (q.scales.size() > 1) {
    const auto rank = static_cast<int64_t>(data.shape.size());
    int64_t axis = node.attr_int("axis", 1);
    if (axis < 0) axis += rank;
    q.axis = static_cast<int>(axis);
  }
  q.bits = static_cast<int>(node.attr_int("kiln_bits", 8));
  return q;
}

bool same_params(const QuantParams& a, const QuantParams& b) {
  return a.scales == b.scales && a.zero_points == b.zero_points &&
         (a.scales.size() == 1 || a.axis == b.axis);
}

// The integer tensor behind a float tensor produced by a DequantizeLinear.
struct Dequantized {
  std::string name;  // the integer tensor
  QuantParams params;
  DType dtype = DType::Int8;
  bool constant = false;
};

std::optional<Dequantized> dequantized(const Graph& graph, const std::string& tensor_name) {
  if (tensor_name.empty()) return std::nullopt;
  const int p = graph.producer(tensor_name);
  if (p < 0 || !is_dq(graph.nodes[p])) return std::nullopt;
  const Node& dq = graph.nodes[p];
  const Tensor& x = graph.tensor(dq.inputs[0]);
  if (!is_integer_type(x.dtype)) return std::nullopt;
  Dequantized d{x.name, qdq_params(graph, dq), x.dtype, x.constant};
  // A runtime integer tensor read with two different parameter sets cannot carry one
  // Tensor::quant. Constants can: their users take a copy (weight_tensor, bias_tensor).
  if (!x.constant && x.quant && !(same_params(*x.quant, d.params) && x.quant->bits == 8))
    return std::nullopt;
  return d;
}

bool per_tensor(const QuantParams& q) {
  return q.scales.size() == 1;
}

// The parameters of the QuantizeLinear nodes that read `f`: all of f's readers must be
// QuantizeLinear nodes with identical per-tensor parameters and output type.
struct Requantized {
  std::vector<int> q_nodes;
  QuantParams params;
  DType dtype = DType::Int8;
};

std::optional<Requantized> only_quantized_readers(const Graph& graph, const std::string& f) {
  if (graph.is_graph_output(f)) return std::nullopt;
  const std::vector<int> readers = graph.consumers(f);
  if (readers.empty()) return std::nullopt;
  Requantized r;
  for (int c : readers) {
    const Node& q = graph.nodes[c];
    if (!is_q(q) || q.inputs[0] != f) return std::nullopt;
    const QuantParams params = qdq_params(graph, q);
    const DType type = graph.tensor(q.outputs[0]).dtype;
    if (!per_tensor(params)) return std::nullopt;
    if (r.q_nodes.empty()) {
      r.params = params;
      r.dtype = type;
    } else if (!same_params(r.params, params) || r.dtype != type) {
      return std::nullopt;
    }
    r.q_nodes.push_back(c);
  }
  return r;
}

std::string add_scale_constant(Graph& graph, const std::string& base, const QuantParams& q) {
  return add_float_constant(graph, base + "_scale", {}, {q.scales[0]});
}

std::string add_integer_constant(Graph& graph, const std::string& base, DType type,
                                 const Shape& shape, const std::vector<int64_t>& values) {
  Tensor t;
  t.name = graph.unique_name(base);
  t.dtype = type;
  t.shape = shape;
  t.shape_known = true;
  t.constant = true;
  t.data.resize(values.size() * dtype_size(type));
  for (size_t i = 0; i < values.size(); ++i) {
    const int64_t v = values[i];
    switch (type) {
      case DType::Int8: t.mutable_values<int8_t>()[i] = static_cast<int8_t>(v); break;
      case DType::UInt8: t.mutable_values<uint8_t>()[i] = static_cast<uint8_t>(v); break;
      case DType::Int16: t.mutable_values<int16_t>()[i] = static_cast<int16_t>(v); break;
      case DType::Int32: t.mutable_values<int32_t>()[i] = static_cast<int32_t>(v); break;
      case DType::Int64: t.mutable_values<int64_t>()[i] = v; break;
      default: throw InternalError("add_integer_constant: not an integer type");
    }
  }
  return graph.add_tensor(std::move(t)).name;
}

// A new integer tensor of `type` with `params`, shaped like `like`.
std::string add_quantized_tensor(Graph& graph, const std::string& base, DType type,
                                 const QuantParams& params, const Shape& shape) {
  Tensor t;
  t.name = graph.unique_name(base);
  t.dtype = type;
  t.shape = shape;
  t.shape_known = true;
  t.quant = params;
  t.quant->bits = 8;
  return graph.add_tensor(std::move(t)).name;
}

// Appends `x_q (params) -> DequantizeLinear -> f` (f keeps its name and float readers).
void add_dequantize(Graph& graph, const std::string& x_q, const std::string& f) {
  const Tensor& x = graph.tensor(x_q);
  const QuantParams q = *x.quant;
  Node dq;
  dq.name = unique_node_name(graph, f + "_dequantize");
  dq.op_type = "DequantizeLinear";
  dq.inputs = {x_q, add_scale_constant(graph, f, q),
               add_integer_constant(graph, f + "_zero_point", x.dtype, {},
                                    {q.zero_points.empty() ? 0 : q.zero_points[0]})};
  dq.outputs = {f};
  graph.nodes.push_back(std::move(dq));
}

// `strategy_of` is the QuantizeLinear (or op) whose requantization strategy the new node keeps.
Node make_requantize(Graph& graph, const std::string& in, const std::string& out,
                     const Node& strategy_of) {
  Node n;
  n.name = unique_node_name(graph, out + "_requantize");
  n.op_type = "Requantize";
  n.domain = "kiln";
  if (auto it = strategy_of.attrs.find(kRequantAttr); it != strategy_of.attrs.end())
    n.attrs[kRequantAttr] = it->second;
  n.inputs = {in};
  n.outputs = {out};
  return n;
}

// Gives the integer tensor its parameters. An int4 weight is still stored one value per byte
// here (pack_int4 makes the packed copy), so the annotation always describes 8-bit storage.
void annotate(Graph& graph, const Dequantized& d) {
  Tensor& t = graph.tensor(d.name);
  if (!t.quant) {
    t.quant = d.params;
    t.quant->bits = 8;
  }
}

// Packs a constant int8 weight (values in [-8, 7]) two per byte for kiln_weight_at.
std::string pack_int4(Graph& graph, const Node& node, const Dequantized& w) {
  const Tensor& src = graph.tensor(w.name);
  if (src.dtype != DType::Int8)
    throw Error(node.describe() + ": int4 weight " + quote_name(src.name) +
                " must be stored as int8");
  Tensor t;
  t.name = graph.unique_name(src.name + "_int4");
  t.dtype = DType::Int8;
  t.shape = src.shape;
  t.shape_known = true;
  t.constant = true;
  t.quant = w.params;
  t.quant->bits = 4;
  t.data.assign(static_cast<size_t>((src.elements() + 1) / 2), 0);
  const auto values = src.values<int8_t>();
  for (size_t i = 0; i < values.size(); ++i) {
    const int v = values[i];
    if (v < -8 || v > 7)
      throw Error(node.describe() + ": int4 weight " + quote_name(src.name) + " holds " +
                  std::to_string(v) + ", outside [-8, 7]");
    const auto nibble = static_cast<uint8_t>(v & 0x0F);
    t.data[i / 2] = static_cast<uint8_t>(t.data[i / 2] | (i % 2 ? nibble << 4 : nibble));
  }
  return graph.add_tensor(std::move(t)).name;
}

// The integer weight tensor to use for a dequantized constant weight.
std::optional<std::string> weight_tensor(Graph& graph, const Node& node, const Dequantized& w) {
  if (!w.constant || (w.dtype != DType::Int8 && w.dtype != DType::UInt8)) return std::nullopt;
  if (w.params.bits == 4) return pack_int4(graph, node, w);
  const Tensor& t = graph.tensor(w.name);
  if (t.quant && !same_params(*t.quant, w.params)) {
    Tensor copy = t;
    copy.name = graph.unique_name(w.name + "_requantized");
    copy.quant = w.params;
    return graph.add_tensor(std::move(copy)).name;
  }
  annotate(graph, w);
  return w.name;
}

// The integer bias of a Conv/Gemm with `channels` outputs: scale x_scale * w_scale[c], zero
// point 0, Int32 (Int64 for int16 activations). Accepts a dequantized integer constant (rescaled
// when its scale differs) or a float constant; nullopt for anything else.
std::optional<std::string> bias_tensor(Graph& graph, const Node& node, size_t index, double x_scale,
                                       const std::vector<float>& w_scales, DType bias_type) {
  const std::string& name = node.inputs[index];
  const auto channels = static_cast<int64_t>(w_scales.size());
  std::vector<double> real(static_cast<size_t>(channels));
  if (auto d = dequantized(graph, name)) {
    const Tensor& b = graph.tensor(d->name);
    if (!b.constant || b.elements() != channels) return std::nullopt;
    const std::vector<int64_t> q = b.as_int64();
    for (int64_t c = 0; c < channels; ++c) {
      const size_t pc = d->params.scales.size() == 1 ? 0 : static_cast<size_t>(c);
      const int32_t zp = d->params.zero_points.empty() ? 0 : d->params.zero_points[pc];
      real[c] = static_cast<double>(q[c] - zp) * static_cast<double>(d->params.scales[pc]);
      // Keep the exporter's integers when its scale is already x_scale * w_scale.
      const double expected = x_scale * static_cast<double>(w_scales[c]);
      if (zp == 0 && std::abs(d->params.scales[pc] - expected) <= 1e-6 * expected)
        real[c] = static_cast<double>(q[c]) * expected;
    }
  } else {
    const Tensor* b = graph.find_tensor(name);
    if (b == nullptr || !b->constant || b->dtype != DType::Float32 || b->elements() != channels)
      return std::nullopt;
    const std::vector<float> v = b->as_float();
    for (int64_t c = 0; c < channels; ++c) real[c] = v[c];
  }
  std::vector<int64_t> values(static_cast<size_t>(channels));
  QuantParams q;
  for (int64_t c = 0; c < channels; ++c) {
    const double scale = x_scale * static_cast<double>(w_scales[c]);
    const double v = std::nearbyint(real[c] / scale);
    const double limit = bias_type == DType::Int32 ? 2147483647.0 : 9.2e18;
    if (!std::isfinite(v) || std::abs(v) > limit)
      throw Error(node.describe() + ": bias " + quote_name(name) + " does not fit " +
                  std::string(dtype_name(bias_type)) + " at scale " + number_text(scale));
    values[c] = static_cast<int64_t>(v);
    q.scales.push_back(static_cast<float>(scale));
    q.zero_points.push_back(0);
  }
  q.axis = channels > 1 ? 0 : -1;
  const std::string out =
      add_integer_constant(graph, name + "_quantized", bias_type, {channels}, values);
  graph.tensor(out).quant = q;
  return out;
}

bool activation_is_clamp(const Node& node) {
  const Activation k = node.activation.kind;
  return k == Activation::None || k == Activation::Relu || k == Activation::Clip;
}

// Removes the QuantizeLinear readers of a rewritten op: the first one's output becomes the op's
// output; the others' readers are redirected to it (or, when graph outputs, fed by an identity
// kiln.Requantize so output names stay stable).
std::string absorb_quantize_nodes(Graph& graph, const Requantized& r) {
  const Node first = graph.nodes[r.q_nodes[0]];
  const std::string out = first.outputs[0];
  // The op keeps its own strategy (kiln's quantizer sets one) or takes the QuantizeLinear's.
  if (const int p = graph.producer(first.inputs[0]); p >= 0)
    if (auto it = first.attrs.find(kRequantAttr); it != first.attrs.end())
      graph.nodes[p].attrs.emplace(kRequantAttr, it->second);
  std::set<int> erase = {r.q_nodes[0]};
  for (size_t i = 1; i < r.q_nodes.size(); ++i) {
    Node& q = graph.nodes[r.q_nodes[i]];
    const std::string other = q.outputs[0];
    if (graph.is_graph_output(other)) {
      q = make_requantize(graph, out, other, first);
    } else {
      replace_uses(graph, other, out);
      erase.insert(r.q_nodes[i]);
    }
  }
  erase_nodes(graph, erase);
  return out;
}

// Op families the rewrite knows.
bool is_lut_op(const Node& node) {
  static const std::set<std::string> ops = {
      "Sigmoid", "Tanh",     "HardSwish",      "HardSigmoid", "LeakyRelu", "Elu",  "Selu", "Relu",
      "Clip",    "Softplus", "Softsign",       "Exp",         "Erf",       "Gelu", "Neg",  "Abs",
      "Celu",    "Mish",     "ThresholdedRelu"};
  return node.domain.empty() && ops.count(node.op_type) != 0;
}
bool is_movement_op(const Node& node) {
  static const std::set<std::string> ops = {
      "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose",    "MaxPool",     "GlobalMaxPool",
      "Slice",   "Pad",     "Concat",  "Identity",  "SpaceToDepth", "DepthToSpace"};
  return node.domain.empty() && ops.count(node.op_type) != 0;
}

// ---- compute ops -------------------------------------------------------------------------

bool rewrite_conv_or_gemm(Graph& graph, int index, const Requantized& r) {
  const Node node = graph.nodes[index];
  const bool is_conv = is_op(node, "Conv");
  (void)index;
  if (!activation_is_clamp(node)) return false;
  const auto x = dequantized(graph, node.inputs[0]);
  const auto w = dequantized(graph, node.inputs.size() > 1 ? node.inputs[1] : "");
  if (!x || !w || !per_tensor(x->params)) return false;
  const bool act16 = x->dtype == DType::Int16;
  if (act16 != (r.dtype == DType::Int16)) return false;
  if (!act16 && x->dtype != DType::Int8 && x->dtype != DType::UInt8) return false;
  if (!is_conv && (node.attr_float("alpha", 1.0f) != 1.0f || node.attr_float("beta", 1.0f) != 1.0f))
    return false;
  const Tensor& wt = graph.tensor(w->name);
  int64_t channels = 0;
  int64_t channel_axis = 0;
  if (is_conv) {
    channels = wt.shape.at(0);
  } else {
    const bool trans_b = node.attr_int("transB", 0) != 0;
    channel_axis = trans_b ? 0 : 1;
    channels = wt.shape.at(static_cast<size_t>(channel_axis));
  }
  if (!per_tensor(w->params) &&
      (w->params.axis != channel_axis || static_cast<int64_t>(w->params.scales.size()) != channels))
    return false;
  std::optional<std::string> weight;
  if (w->constant) {
    weight = weight_tensor(graph, node, *w);
  } else if (!is_conv && per_tensor(w->params) && w->params.bits == 8) {
    annotate(graph, *w);  // Gemm with a runtime B
    weight = w->name;
  }
  if (!weight) return false;
  std::vector<float> w_scales(static_cast<size_t>(channels), w->params.scales[0]);
  if (!per_tensor(w->params)) w_scales = w->params.scales;
  std::optional<std::string> bias;
  if (node.has_input(2)) {
    bias = bias_tensor(graph, node, 2, x->params.scales[0], w_scales,
                       act16 ? DType::Int64 : DType::Int32);
    if (!bias) return false;
  }
  annotate(graph, *x);
  const std::string out = absorb_quantize_nodes(graph, r);
  Node& n = graph.nodes[graph.producer(node.outputs[0])];
  n.inputs[0] = x->name;
  n.inputs[1] = *weight;
  if (bias) n.inputs[2] = *bias;
  n.outputs[0] = out;
  return true;
}

bool rewrite_matmul(Graph& graph, int index, const Requantized& r) {
  const Node node = graph.nodes[index];
  if (!activation_is_clamp(node) || r.dtype == DType::Int16) return false;
  const auto a = dequantized(graph, node.inputs[0]);
  const auto b = dequantized(graph, node.inputs[1]);
  if (!a || !b || !per_tensor(a->params) || a->dtype == DType::Int16 || b->dtype == DType::Int16 ||
      b->params.bits != 8)
    return false;
  const Tensor& bt = graph.tensor(b->name);
  if (!per_tensor(b->params) && b->params.axis != static_cast<int>(bt.shape.size()) - 1)
    return false;
  annotate(graph, *a);
  annotate(graph, *b);
  const std::string out = absorb_quantize_nodes(graph, r);
  Node& n = graph.nodes[graph.producer(node.outputs[0])];
  n.inputs = {a->name, b->name};
  n.outputs[0] = out;
  return true;
}

bool rewrite_binary(Graph& graph, int index, const Requantized& r) {
  const Node node = graph.nodes[index];
  if (!activation_is_clamp(node)) return false;
  const auto a = dequantized(graph, node.inputs[0]);
  const auto b = dequantized(graph, node.inputs[1]);
  if (!a || !b || !per_tensor(a->params) || !per_tensor(b->params)) return false;
  const bool act16 = r.dtype == DType::Int16;
  for (const auto* d : {&*a, &*b})
    if ((d->dtype == DType::Int16) != act16 || d->dtype == DType::Int32) return false;
  annotate(graph, *a);
  annotate(graph, *b);
  const std::string out = absorb_quantize_nodes(graph, r);
  Node& n = graph.nodes[graph.producer(node.outputs[0])];
  n.inputs = {a->name, b->name};
  n.outputs[0] = out;
  return true;
}

// AveragePool keeps its input's parameters, a kiln.Requantize following when the model wants
// other output parameters, except under "single" requantization, where it rounds once into the
// output's. GlobalAveragePool, ReduceMean and Softmax requantize inside their kernels.
bool rewrite_pool_or_softmax(Graph& graph, int index, const Requantized& r) {
  const Node node = graph.nodes[index];
  const auto x = dequantized(graph, node.inputs[0]);
  if (!x || !per_tensor(x->params)) return false;
  // int16 (TFLite's 16x8 scheme) in and out: the pools and Softmax have int16 kernels,
  // ReduceMean does not.
  const bool act16 = x->dtype == DType::Int16;
  if (act16 != (r.dtype == DType::Int16)) return false;
  if (act16 && is_op(node, "ReduceMean")) return false;
  if (!act16 && x->dtype != DType::Int8 && x->dtype != DType::UInt8) return false;
  if (is_op(node, "AveragePool") && !activation_is_clamp(node)) return false;
  annotate(graph, *x);
  // Under "single" requantization an int8 AveragePool rounds once into the output's parameters
  // (ONNX Runtime's QLinearAveragePool); otherwise, and always for int16, it keeps its input's
  // (TFLite).
  const std::string strategy =
      node.attr_string(kRequantAttr, graph.nodes[r.q_nodes[0]].attr_string(kRequantAttr, ""));
  const bool keep_params = is_op(node, "AveragePool") && (strategy != "single" || act16);
  const QuantParams x_params = *graph.tensor(x->name).quant;
  const DType x_type = x->dtype;
  const std::string out = absorb_quantize_nodes(graph, r);
  const int p = graph.producer(node.outputs[0]);
  if (keep_params && !(same_params(x_params, r.params) && x_type == r.dtype)) {
    const std::string pooled = add_quantized_tensor(graph, node.outputs[0] + "_pooled", x_type,
                                                    x_params, graph.tensor(out).shape);
    graph.nodes[p].inputs[0] = x->name;
    graph.nodes[p].outputs[0] = pooled;
    graph.nodes.push_back(make_requantize(graph, pooled, out, graph.nodes[p]));
  } else {
    graph.nodes[p].inputs[0] = x->name;
    graph.nodes[p].outputs[0] = out;
  }
  return true;
}

bool install_lut(Graph& graph, const Node& node, const Dequantized& x, const Requantized& r,
                 const std::vector<int64_t>& table, DType table_type);

// The float op of `node` evaluated (through the interpreter's constant folding) on `inputs`;
// nullopt when it does not fold to finite-or-infinite float values.
std::optional<std::vector<float>> evaluate_float_op(const Graph& graph, const Node& node,
                                                    const std::vector<float>& inputs) {
  Graph table_graph;
  table_graph.add_tensor(
      make_constant<float>("x", DType::Float32, {static_cast<int64_t>(inputs.size())}, inputs));
  Node eval = node;
  eval.name = "lut";
  eval.inputs[0] = "x";
  for (size_t i = 1; i < node.inputs.size(); ++i)
    if (node.has_input(i)) table_graph.add_tensor(graph.tensor(node.inputs[i]));
  eval.outputs = {"y"};
  Tensor y;
  y.name = "y";
  table_graph.add_tensor(std::move(y));
  table_graph.nodes.push_back(eval);
  infer_shapes(table_graph);
  const Tensor& values = table_graph.tensor("y");
  if (!values.constant || values.dtype != DType::Float32) return std::nullopt;
  std::vector<float> out = values.as_float();
  for (float v : out)
    if (std::isnan(v)) return std::nullopt;
  return out;
}

// The int16 form (kiln_lut_s16): KILN_LUT_S16_ENTRIES = 513 breakpoints every 128 input steps
// (the last at 32767), linearly interpolated by the kernel. Each entry is the function in output
// units at its breakpoint, lifted toward the curve by half the curvature error of its segments (the
// gap at the segment midpoint between function and chord): a chord of a convex segment lies wholly
// above the curve, and moving both of its ends by half the gap halves the largest error. Kinks
// that fall on a breakpoint (ReLU-like functions at 0 with zero point 0) stay exact.
std::optional<std::vector<int64_t>> lut_s16_table(const Graph& graph, const Node& node,
                                                  const Dequantized& x, const Requantized& r) {
  constexpr int kSegments = KILN_LUT_S16_ENTRIES - 1;
  const double sx = x.params.scales[0];
  const int32_t zx = x.params.zero_points.empty() ? 0 : x.params.zero_points[0];
  const double sy = r.params.scales[0];
  const int32_t zy = r.params.zero_points.empty() ? 0 : r.params.zero_points[0];
  // Breakpoints at even positions, segment midpoints at odd ones; the last breakpoint is
  // 32767, the top of the input range (see kiln_lut_s16.h).
  std::vector<float> inputs(2 * kSegments + 1);
  for (int j = 0; j <= 2 * kSegments; ++j)
    inputs[j] = static_cast<float>(static_cast<double>(std::min(-32768 + 64 * j, 32767) - zx) * sx);
  const auto f = evaluate_float_op(graph, node, inputs);
  if (!f) return std::nullopt;
  // The function in output units, clamped to the int16 range so saturating stretches are flat.
  auto out_units = [&](int j) {
    const double v = static_cast<double>((*f)[j]) / sy + zy;
    return std::clamp(v, -32768.0, 32767.0);
  };
  std::vector<double> gap(kSegments);
  for (int k = 0; k < kSegments; ++k)
    gap[k] = out_units(2 * k + 1) - (out_units(2 * k) + out_units(2 * k + 2)) / 2.0;
  std::vector<int64_t> table(kSegments + 1);
  for (int k = 0; k <= kSegments; ++k) {
    const double left = k > 0 ? gap[k - 1] : gap[k];
    const double right = k < kSegments ? gap[k] : gap[k - 1];
    // Only where both segments bend the same way, by the smaller half-gap: a jump or kink
    // inside one segment must not spill into its neighbour.
    const double lift = left * right > 0.0
                            ? std::copysign(std::min(std::abs(left), std::abs(right)) / 2.0, left)
                            : 0.0;
    const double v = out_units(2 * k) + lift;
    table[k] = static_cast<int64_t>(std::clamp(std::nearbyint(v), -32768.0, 32767.0));
  }
  return table;
}

// An element-wise function of one int8 input becomes a 256-entry table, evaluated here with the
// float op itself (through the interpreter's constant folding) on every dequantized input value;
// of one int16 input, a 513-entry interpolation table (lut_s16_table).
bool rewrite_lut(Graph& graph, int index, const Requantized& r) {
  const Node node = graph.nodes[index];
  const auto x = dequantized(graph, node.inputs[0]);
  if (!x || !per_tensor(x->params)) return false;
  const bool act16 = x->dtype == DType::Int16;
  if (act16 != (r.dtype == DType::Int16) ||
      (!act16 && (x->dtype != DType::Int8 || r.dtype != DType::Int8)))
    return false;
  for (size_t i = 1; i < node.inputs.size(); ++i)
    if (node.has_input(i) && !graph.tensor(node.inputs[i]).constant) return false;
  if (act16) {
    const auto table = lut_s16_table(graph, node, *x, r);
    if (!table) return false;
    return install_lut(graph, node, *x, r, *table, DType::Int16);
  }
  const float sx = x->params.scales[0];
  const int32_t zx = x->params.zero_points.empty() ? 0 : x->params.zero_points[0];
  // Nodes from .tflite files use TFLite Micro's integer form where it has one.
  std::optional<std::vector<int64_t>> tflite_table;
  if (node.attr_string(kArithmeticAttr, "") == "tflite") {
    float clip_min = -INFINITY, clip_max = INFINITY;
    if (is_op(node, "Clip")) {
      if (node.has_input(1)) clip_min = graph.tensor(node.inputs[1]).as_float().at(0);
      if (node.has_input(2)) clip_max = graph.tensor(node.inputs[2]).as_float().at(0);
    }
    tflite_table = tflite_lut_s8(node.op_type, sx, zx, r.params.scales[0], r.params.zero_points[0],
                                 clip_min, clip_max);
  }
  if (tflite_table) return install_lut(graph, node, *x, r, *tflite_table, DType::Int8);
  std::vector<float> inputs(256);
  for (int q = -128; q < 128; ++q) inputs[q + 128] = static_cast<float>(q - zx) * sx;
  const auto values = evaluate_float_op(graph, node, inputs);
  if (!values) return false;
  std::vector<int64_t> table;
  for (float v : *values)
    table.push_back(quantize_value(v, r.params.scales[0], r.params.zero_points[0], DType::Int8));
  return install_lut(graph, node, *x, r, table, DType::Int8);
}

// Replaces `node` by a kiln.Lut reading x's integers through `table` (256 int8 entries, or 513
// int16 interpolation entries).
bool install_lut(Graph& graph, const Node& node, const Dequantized& x, const Requantized& r,
                 const std::vector<int64_t>& table, DType table_type) {
  annotate(graph, x);
  const std::string table_name = add_integer_constant(graph, node.name + "_table", table_type,
                                                      {static_cast<int64_t>(table.size())}, table);
  const std::string out = absorb_quantize_nodes(graph, r);
  Node& n = graph.nodes[graph.producer(node.outputs[0])];
  Node lut;
  lut.name = n.name;
  lut.op_type = "Lut";
  lut.domain = "kiln";
  lut.inputs = {x.name, table_name};
  lut.outputs = {out};
  n = std::move(lut);
  return true;
}

// ---- data movement -----------------------------------------------------------------------

bool rewrite_movement(Graph& graph, int index) {
  const Node node = graph.nodes[index];
  if (node.activation.kind != Activation::None) return false;
  for (size_t i = 1; i < node.outputs.size(); ++i)
    if (!node.outputs[i].empty() && !graph.consumers(node.outputs[i]).empty()) return false;
  const std::string f = node.outputs[0];
  std::vector<size_t> data_inputs = {0};
  if (is_op(node, "Concat")) {
    data_inputs.clear();
    for (size_t i = 0; i < node.inputs.size(); ++i) data_inputs.push_back(i);
  }
  std::vector<Dequantized> ins;
  for (size_t i : data_inputs) {
    auto d = dequantized(graph, node.inputs[i]);
    if (!d || !per_tensor(d->params) || d->dtype == DType::Int32 || d->params.bits != 8)
      return false;
    ins.push_back(*d);
  }
  if (is_op(node, "Pad") && node.attr_string("mode", "constant") == "constant" &&
      node.has_input(2) && !graph.tensor(node.inputs[2]).constant)
    return false;
  // Output parameters: the input's; for Concat the parameters its QuantizeLinear readers want
  // (or the first input's), with mismatching inputs requantized.
  QuantParams out_params = ins[0].params;
  DType out_type = ins[0].dtype;
  Node strategy_of;  // a rescaled Concat input requantizes as the QuantizeLinear reader says
  if (is_op(node, "Concat")) {
    if (auto r = only_quantized_readers(graph, f)) {
      out_params = r->params;
      out_type = r->dtype;
      strategy_of = graph.nodes[r->q_nodes[0]];
    }
  }
  for (const auto& d : ins) annotate(graph, d);
  Node n = node;
  std::vector<Node> before;
  for (size_t k = 0; k < data_inputs.size(); ++k) {
    const Dequantized& d = ins[k];
    std::string name = d.name;
    if (!same_params(d.params, out_params) || d.dtype != out_type) {
      name = add_quantized_tensor(graph, d.name + "_requantized", out_type, out_params,
                                  graph.tensor(d.name).shape);
      before.push_back(make_requantize(graph, d.name, name, strategy_of));
    }
    n.inputs[data_inputs[k]] = name;
  }
  if (is_op(node, "Pad") && node.attr_string("mode", "constant") == "constant") {
    float pad_value = 0.0f;
    if (node.has_input(2)) pad_value = graph.tensor(node.inputs[2]).as_float().at(0);
    const int32_t q =
        quantize_value(pad_value, out_params.scales[0],
                       out_params.zero_points.empty() ? 0 : out_params.zero_points[0], out_type);
    if (n.inputs.size() < 3) n.inputs.resize(3);
    n.inputs[2] = add_integer_constant(graph, node.name + "_pad_value", out_type, {}, {q});
  }
  const std::string y_q =
      add_quantized_tensor(graph, f + "_quantized", out_type, out_params, graph.tensor(f).shape);
  n.outputs[0] = y_q;
  graph.nodes[index] = n;
  for (Node& b : before) graph.nodes.push_back(std::move(b));
  add_dequantize(graph, y_q, f);
  return true;
}

// ---- DequantizeLinear -> QuantizeLinear ----------------------------------------------------

bool collapse_pair(Graph& graph, int index) {
  const Node q = graph.nodes[index];
  const auto d = dequantized(graph, q.inputs[0]);
  if (!d || d->dtype == DType::Int32) return false;
  const QuantParams qp = qdq_params(graph, q);
  const Tensor& out = graph.tensor(q.outputs[0]);
  if (same_params(d->params, qp) && d->dtype == out.dtype && !graph.is_graph_output(out.name) &&
      !graph.is_graph_output(d->name)) {
    annotate(graph, *d);
    replace_uses(graph, out.name, d->name);
    erase_nodes(graph, {index});
    return true;
  }
  if (!per_tensor(d->params) || !per_tensor(qp)) return false;
  annotate(graph, *d);
  graph.nodes[index] = make_requantize(graph, d->name, q.outputs[0], q);
  return true;
}

// MatMul(A, constant B [K, N]) -> Add(bias [N]) becomes one Gemm, so exporters' dense layers
// (tf2onnx writes MatMul + Add between DequantizeLinear and QuantizeLinear) quantize as a fully
// connected layer with an int32 bias.
void fuse_matmul_bias(Graph& graph) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& mm = graph.nodes[i];
    if (!is_op(mm, "MatMul") || mm.activation.kind != Activation::None) continue;
    const auto b = dequantized(graph, mm.inputs[1]);
    const Tensor& a = graph.tensor(mm.inputs[0]);
    if (!b || !b->constant || a.shape.size() != 2 || graph.tensor(b->name).shape.size() != 2)
      continue;
    const int64_t n = graph.tensor(b->name).shape[1];
    const std::vector<int> readers = graph.consumers(mm.outputs[0]);
    if (readers.size() != 1 || graph.is_graph_output(mm.outputs[0])) continue;
    const Node& add = graph.nodes[readers[0]];
    if (!is_op(add, "Add") || add.activation.kind != Activation::None) continue;
    const std::string bias = add.inputs[0] == mm.outputs[0] ? add.inputs[1] : add.inputs[0];
    const auto d = dequantized(graph, bias);
    const Tensor& bt = graph.tensor(bias);
    const bool constant_bias = (d && d->constant) || bt.constant;
    if (!constant_bias || bt.elements() != n || bt.shape.size() != 1) continue;
    Node gemm;
    gemm.name = mm.name;
    gemm.op_type = "Gemm";
    gemm.inputs = {mm.inputs[0], mm.inputs[1], bias};
    gemm.outputs = {add.outputs[0]};
    const int add_index = readers[0];
    graph.nodes[i] = std::move(gemm);
    erase_nodes(graph, {add_index});
  }
}

bool rewrite_one(Graph& graph) {
  for (int i = 0; i < static_cast<int>(graph.nodes.size()); ++i) {
    const Node& node = graph.nodes[i];
    if (is_q(node)) {
      if (collapse_pair(graph, i)) return true;
      continue;
    }
    if (is_dq(node) || node.outputs.empty()) continue;
    if (is_movement_op(node)) {
      if (rewrite_movement(graph, i)) return true;
      continue;
    }
    const auto r = only_quantized_readers(graph, node.outputs[0]);
    if (!r) continue;
    bool changed = false;
    if (is_op(node, "Conv") || is_op(node, "Gemm"))
      changed = rewrite_conv_or_gemm(graph, i, *r);
    else if (is_op(node, "MatMul"))
      changed = rewrite_matmul(graph, i, *r);
    else if (is_op(node, "Add") || is_op(node, "Sub") || is_op(node, "Mul"))
      changed = rewrite_binary(graph, i, *r);
    else if (is_op(node, "AveragePool") || is_op(node, "GlobalAveragePool") ||
             is_op(node, "ReduceMean") || is_op(node, "Softmax"))
      changed = rewrite_pool_or_softmax(graph, i, *r);
    else if (is_lut_op(node))
      changed = rewrite_lut(graph, i, *r);
    if (changed) return true;
  }
  return false;
}

// Q/DQ of constants nobody absorbed fold to constants (float weights of hybrid models).
bool fold_constant_qdq(Graph& graph) {
  bool changed = false;
  for (int i = static_cast<int>(graph.nodes.size()) - 1; i >= 0; --i) {
    const Node& node = graph.nodes[i];
    if (!is_q(node) && !is_dq(node)) continue;
    bool all_constant = true;
    for (const std::string& in : node.inputs)
      if (!in.empty() && !graph.tensor(in).constant) all_constant = false;
    if (!all_constant || graph.is_graph_output(node.outputs[0])) continue;
    fold_node(node, graph);
    erase_nodes(graph, {i});
    changed = true;
  }
  return changed;
}

// ---- uint8 -> int8 -----------------------------------------------------------------------

bool canonicalize_uint8(Graph& graph) {
  std::vector<std::string> names;
  for (const auto& [name, t] : graph.tensors)
    if (t.dtype == DType::UInt8 && t.quant) names.push_back(name);
  if (names.empty()) return false;
  for (const std::string& name : names) {
    // Only tensors an integer op reads or writes need to change; pure Q/DQ boundaries keep
    // their uint8 (their kernels handle it).
    bool integer_use = false;
    const int p = graph.producer(name);
    if (p >= 0 && !is_q(graph.nodes[p])) integer_use = true;
    for (int c : graph.consumers(name))
      if (!is_dq(graph.nodes[c])) integer_use = true;
    if (!integer_use) continue;
    Tensor& t = graph.tensor(name);
    QuantParams signed_params = *t.quant;
    for (int32_t& zp : signed_params.zero_points) zp -= 128;
    if (t.constant) {
      for (uint8_t& b : t.data) b = static_cast<uint8_t>(b ^ 0x80);
      t.dtype = DType::Int8;
      t.quant = signed_params;
    } else if (graph.is_graph_input(name)) {
      const std::string s = add_quantized_tensor(graph, name + "_int8", DType::Int8, signed_params,
                                                 graph.tensor(name).shape);
      replace_uses(graph, name, s);
      // Same scale, zero point - 128: exact in every strategy.
      graph.nodes.insert(graph.nodes.begin(), make_requantize(graph, name, s, Node{}));
    } else if (graph.is_graph_output(name)) {
      const std::string s = add_quantized_tensor(graph, name + "_int8", DType::Int8, signed_params,
                                                 graph.tensor(name).shape);
      graph.nodes[p].outputs[0] = s;
      replace_uses(graph, name, s);
      graph.nodes.push_back(make_requantize(graph, s, name, Node{}));
    } else {
      t.dtype = DType::Int8;
      t.quant = signed_params;
    }
  }
  // Q/DQ nodes next to a converted tensor take an int8 zero point.
  for (Node& node : graph.nodes) {
    if (!(is_q(node) || is_dq(node)) || !node.has_input(2)) continue;
    const std::string& data = is_q(node) ? node.outputs[0] : node.inputs[0];
    const Tensor& zp = graph.tensor(node.inputs[2]);
    if (graph.tensor(data).dtype != DType::Int8 || zp.dtype != DType::UInt8) continue;
    std::vector<int64_t> values = zp.as_int64();
    for (int64_t& v : values) v -= 128;
    node.inputs[2] = add_integer_constant(graph, zp.name + "_int8", DType::Int8, zp.shape, values);
  }
  return true;
}

// Under "single" requantization an int8 -> int8 kiln.Requantize is ONNX Runtime's
// DequantizeLinear -> QuantizeLinear (or QLinearConcat's input rescaling) in float32:
// round((x - zx) * sx / sy) + zy. With 256 possible inputs that is a table, exact by
// construction and cheaper than the integer emulation of the float steps.
void requantize_by_table(Graph& graph) {
  for (Node& node : graph.nodes) {
    if (node.domain != "kiln" || node.op_type != "Requantize" ||
        node.attr_string(kRequantAttr, "") != "single")
      continue;
    const Tensor& x = graph.tensor(node.inputs[0]);
    const Tensor& y = graph.tensor(node.outputs[0]);
    if (x.dtype != DType::Int8 || y.dtype != DType::Int8 || !x.quant || !y.quant ||
        !per_tensor(*x.quant) || !per_tensor(*y.quant))
      continue;
    const float sx = x.quant->scales[0], sy = y.quant->scales[0];
    const int32_t zx = x.quant->zero_points.empty() ? 0 : x.quant->zero_points[0];
    const int32_t zy = y.quant->zero_points.empty() ? 0 : y.quant->zero_points[0];
    std::vector<int64_t> table;
    for (int q = -128; q < 128; ++q)
      table.push_back(quantize_value(static_cast<float>(q - zx) * sx, sy, zy, DType::Int8));
    Node lut;
    lut.name = node.name;
    lut.op_type = "Lut";
    lut.domain = "kiln";
    lut.inputs = {node.inputs[0],
                  add_integer_constant(graph, node.name + "_table", DType::Int8, {256}, table)};
    lut.outputs = node.outputs;
    node = std::move(lut);
  }
}

}  // namespace

bool lower_qdq(Graph& graph, std::string_view requant_override) {
  bool any = false;
  for (const Node& node : graph.nodes)
    if (is_q(node) || is_dq(node)) any = true;
  if (!any) return false;
  // Every QuantizeLinear names the strategy of the integer op that will absorb it.
  for (Node& node : graph.nodes) {
    if (!is_q(node)) continue;
    if (!requant_override.empty())
      node.attrs[kRequantAttr] = std::string(requant_override);
    else
      node.attrs.emplace(kRequantAttr, std::string("single"));
  }
  // Integer tensors read through one DequantizeLinear carry its parameters from the start, so
  // ops that run on them unchanged (a leading Transpose of an int8 input) see them.
  for (const Node& node : graph.nodes)
    if (is_dq(node))
      if (auto d = dequantized(graph, node.outputs[0]); d && !d->constant) annotate(graph, *d);
  fuse_matmul_bias(graph);
  graph.topo_sort();
  while (rewrite_one(graph)) {
    graph.topo_sort();
    eliminate_dead_code(graph);
  }
  fold_constant_qdq(graph);
  eliminate_dead_code(graph);
  canonicalize_uint8(graph);
  graph.topo_sort();
  graph.remove_unused_tensors();
  infer_shapes(graph);
  requantize_by_table(graph);
  infer_shapes(graph);
  return true;
}

}  // namespace kiln
