#include "quant/quantize.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/quantized.hpp"
#include "passes/lower_qdq.hpp"
#include "quant/calibrate.hpp"
#include "quant/layer_config.hpp"
#include "quant/observers.hpp"
#include "quant/quant_math.hpp"

namespace kiln {

namespace {

using nlohmann::json;

// How an op's output quantization relates to its inputs.
enum class OpKind {
  Weighted,       // Conv, Gemm, MatMul: weights (and bias) are quantized constants
  Rescaling,      // output has its own observed range (Add, Mul, Concat, pools, HardSwish, ...)
  ScalePreserve,  // output reuses input 0's parameters (MaxPool, data movement)
  FixedOutput,    // Softmax, Sigmoid, Tanh: the output range is known, parameters fixed
};

// Ops with integer forms (lower_qdq turns DQ -> op -> Q into them). Everything else stays float
// between DequantizeLinear and QuantizeLinear.
const std::map<std::string, OpKind>& integer_ops() {
  static const std::map<std::string, OpKind> ops = {
      {"Conv", OpKind::Weighted},
      {"Gemm", OpKind::Weighted},
      {"MatMul", OpKind::Weighted},
      {"Add", OpKind::Rescaling},
      {"Sub", OpKind::Rescaling},
      {"Mul", OpKind::Rescaling},
      {"AveragePool", OpKind::Rescaling},
      {"GlobalAveragePool", OpKind::Rescaling},
      {"ReduceMean", OpKind::Rescaling},
      {"Concat", OpKind::Rescaling},
      {"HardSwish", OpKind::Rescaling},
      // Element-wise functions of one input: lower_qdq turns them into kiln.Lut tables (int8).
      {"Relu", OpKind::Rescaling},
      {"Clip", OpKind::Rescaling},
      {"LeakyRelu", OpKind::Rescaling},
      {"HardSigmoid", OpKind::Rescaling},
      {"Elu", OpKind::Rescaling},
      {"Selu", OpKind::Rescaling},
      {"Celu", OpKind::Rescaling},
      {"Softplus", OpKind::Rescaling},
      {"Softsign", OpKind::Rescaling},
      {"Gelu", OpKind::Rescaling},
      {"Mish", OpKind::Rescaling},
      {"Exp", OpKind::Rescaling},
      {"Erf", OpKind::Rescaling},
      {"Neg", OpKind::Rescaling},
      {"Abs", OpKind::Rescaling},
      {"GlobalMaxPool", OpKind::ScalePreserve},
      {"Slice", OpKind::ScalePreserve},
      {"Identity", OpKind::ScalePreserve},
      {"SpaceToDepth", OpKind::ScalePreserve},
      {"DepthToSpace", OpKind::ScalePreserve},
      {"MaxPool", OpKind::ScalePreserve},
      {"Reshape", OpKind::ScalePreserve},
      {"Flatten", OpKind::ScalePreserve},
      {"Squeeze", OpKind::ScalePreserve},
      {"Unsqueeze", OpKind::ScalePreserve},
      {"Transpose", OpKind::ScalePreserve},
      {"Pad", OpKind::ScalePreserve},
      {"Softmax", OpKind::FixedOutput},
      {"Sigmoid", OpKind::FixedOutput},
      {"Tanh", OpKind::FixedOutput},
  };
  return ops;
}

// Ops with int16-activation kernels (TFLite 16x8 style) or byte-moving kernels that work for any
// element type. Other ops in an int16 layer run in int8 (conversions are inserted around them).
bool has_int16_form(const std::string& op) {
  static const std::set<std::string> ops = {
      "Conv", "Gemm", "Add", "Sub", "Mul", "Reshape", "Flatten", "Squeeze", "Unsqueeze",
      "Transpose",
      // kiln_max_pool_s16, kiln_average_pool_s16, kiln_global_average_pool_s16
      "MaxPool", "GlobalMaxPool", "AveragePool", "GlobalAveragePool",
      // kiln_softmax_s16
      "Softmax",
      // byte-moving kernels (Concat inputs at other parameters: an int16 kiln.Requantize)
      "Concat", "Pad", "Slice", "Identity",
      // element-wise functions: kiln.Lut with an int16 interpolation table (kiln_lut_s16)
      "Sigmoid", "Tanh", "HardSwish", "HardSigmoid", "LeakyRelu", "Elu", "Selu", "Celu", "Relu",
      "Clip", "Softplus", "Softsign", "Gelu", "Mish", "Exp", "Erf", "Neg", "Abs"};
  return ops.count(op) != 0;
}

// How an op's output parameters are chosen in a layer with `activations`. An int16 AveragePool
// keeps its input's parameters (TFLite's 16x8 AVERAGE_POOL_2D requires it): an average never
// leaves its input's range, and a separate observed scale would cost a kiln.Requantize.
OpKind op_kind(const std::string& op, DType activations) {
  if (op == "AveragePool" && activations == DType::Int16) return OpKind::ScalePreserve;
  return integer_ops().at(op);
}

// Inputs of an op that carry quantizable float values (the rest: shapes, pads, axes).
bool is_value_input(const Node& node, size_t index) {
  const std::string& op = node.op_type;
  if (op == "Conv" || op == "Gemm") return index <= 2;
  if (op == "MatMul" || op == "Add" || op == "Sub" || op == "Mul") return index <= 1;
  if (op == "Concat") return true;
  return index == 0;
}

bool is_weight_input(const Node& node, size_t index) {
  return (node.op_type == "Conv" || node.op_type == "Gemm" || node.op_type == "MatMul") &&
         index == 1;
}
bool is_bias_input(const Node& node, size_t index) {
  return (node.op_type == "Conv" || node.op_type == "Gemm") && index == 2;
}

// Output-channel axis of a weight tensor (see docs/quantization.md).
int weight_axis(const Node& node, const Tensor& weight) {
  if (node.op_type == "Conv") return 0;
  if (node.op_type == "Gemm") return node.attr_int("transB", 0) != 0 ? 0 : 1;
  return static_cast<int>(weight.shape.size()) - 1;  // MatMul B [..., K, N]
}

// Why a node that the scheme wants quantized cannot be; empty when it can.
std::string unquantizable_reason(const Node& node, const Graph& graph) {
  if (!node.domain.empty())
    return "op of domain " + quote_name(node.domain) + " has no integer form";
  auto it = integer_ops().find(node.op_type);
  if (it == integer_ops().end()) return "op has no integer form";
  for (const std::string& out : node.outputs)
    if (!out.empty() && graph.tensor(out).dtype != DType::Float32) return "non-float output";
  if (node.outputs.size() != 1) return "op with several outputs";
  const Tensor& out = graph.tensor(node.outputs[0]);
  if (out.constant) return "folded at compile time";
  if (node.op_type == "Conv" || node.op_type == "Gemm") {
    if (!node.has_input(1) || !graph.tensor(node.inputs[1]).constant)
      return "weights are not constant";
    if (node.op_type == "Gemm" && node.attr_int("transA", 0) != 0) return "Gemm with transA";
    if (node.has_input(2)) {
      const Tensor& bias = graph.tensor(node.inputs[2]);
      const Tensor& w = graph.tensor(node.inputs[1]);
      const int64_t channels = w.shape[static_cast<size_t>(weight_axis(node, w))];
      if (!bias.constant || bias.elements() != channels || bias.dtype != DType::Float32)
        return "bias is not a constant vector of one value per output channel";
    }
  }
  if (node.op_type == "MatMul" && node.has_input(1) && graph.tensor(node.inputs[1]).constant &&
      graph.tensor(node.inputs[1]).shape.size() < 2)
    return "MatMul with a 1-D constant operand";
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    if (!node.has_input(i) || !is_value_input(node, i)) continue;
    if (graph.tensor(node.inputs[i]).dtype != DType::Float32) return "non-float input";
  }
  return "";
}

// --- parameter choice ------------------------------------------------------------------------

struct ActParams {
  DType dtype = DType::Int8;
  float scale = 1.0f;
  int32_t zero_point = 0;
  bool symmetric = false;
  bool pot = false;
  Range range;  // the clipping range the parameters cover
  bool fixed = false;
};

bool same_params(const ActParams& a, const ActParams& b) {
  return a.dtype == b.dtype && a.scale == b.scale && a.zero_point == b.zero_point;
}

// 2^ceil(log2(scale)): the smallest power of two >= scale, so the representable range only
// grows (no value that fit before is clipped).
float round_up_pot(float scale) {
  int exponent = 0;
  const double mantissa = std::frexp(static_cast<double>(scale), &exponent);  // [0.5, 1)
  return static_cast<float>(mantissa == 0.5 ? scale : std::ldexp(1.0, exponent));
}

int32_t clamp_i32(double v, int32_t lo, int32_t hi) {
  return static_cast<int32_t>(std::clamp(v, static_cast<double>(lo), static_cast<double>(hi)));
}

ActParams activation_params(Range range, DType dtype, bool symmetric, bool pot) {
  ActParams p;
  p.dtype = dtype;
  p.symmetric = symmetric || dtype == DType::Int16;  // int16 is symmetric (TFLite 16x8)
  p.pot = pot;
  const int32_t lo_q = dtype == DType::Int16 ? -32768 : -128;
  const int32_t hi_q = dtype == DType::Int16 ? 32767 : 127;
  double lo = std::min<double>(range.lo, 0.0);
  double hi = std::max<double>(range.hi, 0.0);
  if (p.symmetric) {
    double amax = std::max(-lo, hi);
    if (!(amax > 0.0) || !std::isfinite(amax)) amax = 1.0;  // constant zero: any scale works
    p.scale = static_cast<float>(amax / hi_q);
    if (pot) p.scale = round_up_pot(p.scale);
    p.zero_point = 0;
    p.range = {static_cast<float>(-amax), static_cast<float>(amax)};
    return p;
  }
  if (!(hi - lo > 0.0) || !std::isfinite(hi - lo)) {
    lo = 0.0;
    hi = 1.0;
  }
  p.scale = static_cast<float>((hi - lo) / (hi_q - lo_q));
  if (pot) p.scale = round_up_pot(p.scale);
  // Real 0 maps to the integer zero point exactly.
  p.zero_point = clamp_i32(std::nearbyint(lo_q - lo / p.scale), lo_q, hi_q);
  p.range = {static_cast<float>(lo), static_cast<float>(hi)};
  return p;
}

// Fixed output parameters of ops whose output range is known (TFLite's choices).
ActParams fixed_output_params(const std::string& op, DType dtype, bool symmetric) {
  ActParams p;
  p.dtype = dtype;
  p.fixed = true;
  p.symmetric = symmetric || dtype == DType::Int16;
  if (dtype == DType::Int16) {
    p.scale = 1.0f / 32768.0f;
    p.zero_point = 0;
    p.range = {op == "Tanh" ? -1.0f : 0.0f, 1.0f};
    return p;
  }
  if (op == "Tanh") {
    p.scale = 1.0f / 128.0f;
    p.zero_point = 0;
    p.range = {-1.0f, 1.0f};
  } else if (p.symmetric) {
    p.scale = 1.0f / 128.0f;
    p.zero_point = 0;
    p.range = {0.0f, 1.0f};
  } else {
    p.scale = 1.0f / 256.0f;
    p.zero_point = -128;
    p.range = {0.0f, 1.0f};
  }
  p.pot = true;
  return p;
}

struct WeightQuant {
  std::vector<int8_t> values;  // unpacked, in [-8, 7] for int4
  std::vector<float> scales;   // one per channel, or one
  std::vector<int32_t> zero_points;
  int axis = -1;  // -1: per tensor
  float min = 0.0f, max = 0.0f;
};

WeightQuant quantize_weight(const Tensor& w, int axis, const LayerScheme& scheme) {
  const std::vector<float> data = w.as_float();
  WeightQuant q;
  q.values.resize(data.size());
  if (!data.empty()) {
    q.min = *std::min_element(data.begin(), data.end());
    q.max = *std::max_element(data.begin(), data.end());
  }
  const int bits = scheme.weight_bits;
  const bool pot = scheme.requant == Requant::Shift;
  // Per channel along the output-channel axis (the integer kernels take one scale and one zero
  // point per output channel), or one set of parameters for the whole tensor.
  const bool per_channel = scheme.per_channel_weights;
  int64_t channels = 1, inner = static_cast<int64_t>(data.size());
  int64_t outer = 1;
  if (per_channel) {
    channels = w.shape[static_cast<size_t>(axis)];
    inner = 1;
    for (size_t d = static_cast<size_t>(axis) + 1; d < w.shape.size(); ++d) inner *= w.shape[d];
    outer = channels > 0 && inner > 0 ? static_cast<int64_t>(data.size()) / (channels * inner) : 0;
    q.axis = axis;
  }
  auto index = [&](int64_t o, int64_t c, int64_t i) { return (o * channels + c) * inner + i; };
  // Each channel's range, widened to include 0 so that 0 is exactly representable.
  std::vector<double> lo(static_cast<size_t>(channels), 0.0), hi(lo);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        const auto v = static_cast<double>(data[index(o, c, i)]);
        lo[c] = std::min(lo[c], v);
        hi[c] = std::max(hi[c], v);
      }
  // Symmetric: [-(2^(b-1) - 1), 2^(b-1) - 1], i.e. [-127, 127] or [-7, 7], zero point 0.
  // Asymmetric: [-2^(b-1), 2^(b-1) - 1], scale (hi - lo) / (2^b - 1), zero point -2^(b-1) - lo /
  // scale rounded (real 0 maps to it exactly).
  const bool symmetric = scheme.symmetric_weights;
  const int32_t lo_q = symmetric ? -((1 << (bits - 1)) - 1) : -(1 << (bits - 1));
  const int32_t hi_q = (1 << (bits - 1)) - 1;
  auto span = [&](int64_t c) { return symmetric ? std::max(-lo[c], hi[c]) : hi[c] - lo[c]; };
  double fallback = 0.0;  // all-zero channels take the largest other span (any would do)
  for (int64_t c = 0; c < channels; ++c) fallback = std::max(fallback, span(c));
  if (!(fallback > 0.0) || !std::isfinite(fallback)) fallback = symmetric ? hi_q : 1.0;
  for (int64_t c = 0; c < channels; ++c) {
    const double range = span(c) > 0.0 ? span(c) : fallback;
    float s = static_cast<float>(range / (symmetric ? hi_q : hi_q - lo_q));
    if (pot) s = round_up_pot(s);
    q.scales.push_back(s);
    q.zero_points.push_back(
        symmetric ? 0
                  : clamp_i32(std::nearbyint(lo_q - lo[c] / static_cast<double>(s)), lo_q, hi_q));
  }
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t k = index(o, c, i);
        q.values[k] = static_cast<int8_t>(
            clamp_i32(std::nearbyint(data[k] / static_cast<double>(q.scales[c])) + q.zero_points[c],
                      lo_q, hi_q));
      }
  return q;
}

json scheme_json(const LayerScheme& s) {
  return {{"activations", s.activations == DType::Int16 ? "int16" : "int8"},
          {"weights", s.weight_bits == 4 ? "int4" : "int8"},
          {"per_channel", s.per_channel_weights},
          {"symmetric_weights", s.symmetric_weights},
          {"symmetric_activations", s.symmetric_activations || s.activations == DType::Int16},
          {"requant", requant_name(s.requant)},
          {"quantize", s.quantize}};
}

std::string dtype_label(DType t) {
  return std::string(dtype_name(t));
}

// --- graph construction ----------------------------------------------------------------------

class QdqBuilder {
 public:
  explicit QdqBuilder(Graph& graph) : graph_(graph) {
    for (const Node& n : graph.nodes) node_names_.insert(n.name);
  }

  std::vector<Node>& nodes() { return nodes_; }

  std::string node_name(const std::string& base) {
    std::string name = base;
    for (int k = 1; node_names_.count(name) || graph_.find_tensor(name); ++k)
      name = base + "_" + std::to_string(k);
    node_names_.insert(name);
    return name;
  }

  std::string float_scalars(const std::string& base, const std::vector<float>& values,
                            bool scalar) {
    const std::string name = graph_.unique_name(base);
    const Shape shape = scalar ? Shape{} : Shape{static_cast<int64_t>(values.size())};
    graph_.add_tensor(
        make_constant<float>(name, DType::Float32, shape, std::span<const float>(values)));
    return name;
  }

  std::string zero_points(const std::string& base, DType type, const std::vector<int32_t>& values,
                          bool scalar) {
    const std::string name = graph_.unique_name(base);
    const Shape shape = scalar ? Shape{} : Shape{static_cast<int64_t>(values.size())};
    if (type == DType::Int8) {
      std::vector<int8_t> v(values.begin(), values.end());
      graph_.add_tensor(make_constant<int8_t>(name, type, shape, std::span<const int8_t>(v)));
    } else if (type == DType::Int16) {
      std::vector<int16_t> v(values.begin(), values.end());
      graph_.add_tensor(make_constant<int16_t>(name, type, shape, std::span<const int16_t>(v)));
    } else {
      graph_.add_tensor(
          make_constant<int32_t>(name, type, shape, std::span<const int32_t>(values)));
    }
    return name;
  }

  Tensor& new_tensor(const std::string& name, DType dtype, const Shape& shape) {
    Tensor t;
    t.name = name;
    t.dtype = dtype;
    t.shape = shape;
    t.shape_known = true;
    return graph_.add_tensor(std::move(t));
  }

  // x (float) -> QuantizeLinear -> returned integer tensor (named `out` or derived from x).
  // `requant` is the strategy of the integer op that absorbs the QuantizeLinear (lower_qdq).
  std::string quantize(const std::string& x, const ActParams& p, const std::string& out = "",
                       Requant requant = Requant::FixedPoint) {
    const std::string scale = float_scalars(x + "_scale", {p.scale}, true);
    const std::string zp = zero_points(x + "_zero_point", p.dtype, {p.zero_point}, true);
    const std::string y = out.empty() ? graph_.unique_name(x + "_q") : out;
    Tensor* existing = graph_.find_tensor(y);
    Tensor& t = existing ? *existing : new_tensor(y, p.dtype, graph_.tensor(x).shape);
    t.dtype = p.dtype;
    // bits stays 8: it only marks packed int4 storage (QuantizeLinear's shape rule does the same).
    t.quant = QuantParams{{p.scale}, {p.zero_point}, -1, 8};
    Node n;
    n.name = node_name(x + "_QuantizeLinear");
    n.op_type = "QuantizeLinear";
    n.attrs[kRequantAttr] = std::string(requant_name(requant));
    n.inputs = {x, scale, zp};
    n.outputs = {y};
    nodes_.push_back(std::move(n));
    scale_of_[y] = {scale, zp};
    return y;
  }

  // Integer tensor -> DequantizeLinear -> float tensor (named `out` or derived).
  std::string dequantize(const std::string& xq, const ActParams& p, const std::string& base,
                         const std::string& out = "") {
    auto it = scale_of_.find(xq);
    std::string scale, zp;
    if (it != scale_of_.end()) {
      scale = it->second.first;
      zp = it->second.second;
    } else {
      scale = float_scalars(base + "_scale", {p.scale}, true);
      zp = zero_points(base + "_zero_point", p.dtype, {p.zero_point}, true);
    }
    const std::string y = out.empty() ? graph_.unique_name(base + "_dq") : out;
    Tensor* existing = graph_.find_tensor(y);
    Tensor& t = existing ? *existing : new_tensor(y, DType::Float32, graph_.tensor(xq).shape);
    t.dtype = DType::Float32;
    t.quant.reset();
    Node n;
    n.name = node_name(base + "_DequantizeLinear");
    n.op_type = "DequantizeLinear";
    n.inputs = {xq, scale, zp};
    n.outputs = {y};
    nodes_.push_back(std::move(n));
    return y;
  }

  // Constant integer data -> DequantizeLinear with per-tensor or per-axis parameters.
  std::string dequantize_constant(const std::string& constant, const std::vector<float>& scales,
                                  const std::vector<int32_t>& zps, int axis,
                                  const std::string& base, int bits = 8) {
    const Tensor& c = graph_.tensor(constant);
    const bool per_axis = axis >= 0;
    const std::string scale = float_scalars(base + "_scale", scales, !per_axis);
    const std::string zp = zero_points(base + "_zero_point", c.dtype, zps, !per_axis);
    const std::string y = graph_.unique_name(base + "_dq");
    new_tensor(y, DType::Float32, c.shape);
    Node n;
    n.name = node_name(base + "_DequantizeLinear");
    n.op_type = "DequantizeLinear";
    n.inputs = {constant, scale, zp};
    n.outputs = {y};
    if (per_axis) n.attrs["axis"] = static_cast<int64_t>(axis);
    if (bits == 4) n.attrs["kiln_bits"] = int64_t{4};
    nodes_.push_back(std::move(n));
    return y;
  }

  template <typename T>
  std::string integer_constant(const std::string& base, DType type, const Shape& shape,
                               const std::vector<T>& values) {
    const std::string name = graph_.unique_name(base);
    graph_.add_tensor(make_constant<T>(name, type, shape, std::span<const T>(values)));
    return name;
  }

 private:
  Graph& graph_;
  std::vector<Node> nodes_;
  std::set<std::string> node_names_;
  std::map<std::string, std::pair<std::string, std::string>> scale_of_;  // Q output -> scale, zp
};

json float_or_list(const std::vector<float>& v) {
  if (v.size() == 1) return v[0];
  return v;
}
json int_or_list(const std::vector<int32_t>& v) {
  if (v.size() == 1) return v[0];
  return v;
}

json act_json(const ActParams& p, const RangeObserver* observer,
              const std::string& observer_label) {
  json j = {{"dtype", dtype_label(p.dtype)}, {"scale", p.scale},
            {"zero_point", p.zero_point},    {"symmetric", p.symmetric},
            {"power_of_two", p.pot},         {"range", {p.range.lo, p.range.hi}}};
  if (observer) {
    j["observed_min"] = observer->min();
    j["observed_max"] = observer->max();
  }
  j["observer"] = p.fixed ? std::string("fixed") : observer_label;
  return j;
}

// Per-channel means of a float tensor along axis 1 (axis 0 for 1-D), accumulated over runs.
struct ChannelMeans {
  std::vector<double> sums;
  double count = 0.0;  // values per channel seen
  void add(const Tensor& t) {
    const int64_t channels = t.shape.size() >= 2 ? t.shape[1] : (t.shape.empty() ? 1 : t.shape[0]);
    if (sums.empty()) sums.assign(static_cast<size_t>(channels), 0.0);
    const int64_t outer = t.shape.size() >= 2 ? t.shape[0] : 1;
    int64_t inner = 1;
    for (size_t d = 2; d < t.shape.size(); ++d) inner *= t.shape[d];
    const auto* v = reinterpret_cast<const float*>(t.data.data());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t i = 0; i < inner; ++i) sums[c] += v[(o * channels + c) * inner + i];
    count += static_cast<double>(outer * inner);
  }
  double mean(size_t c) const { return count > 0.0 ? sums[c] / count : 0.0; }
};

struct BiasSite {
  std::string node;                // the Conv/Gemm node
  std::string bias_q;              // Int32 bias constant
  std::vector<float> bias_scales;  // per channel
};

}  // namespace

json QuantizeReport::to_json() const {
  json j = {{"calibration_samples", calibration_samples},
            {"observer", observer},
            {"tensors", tensors},
            {"nodes", nodes}};
  if (!bias_correction.empty()) j["bias_correction"] = bias_correction;
  return j;
}

QuantizeReport quantize_graph(Graph& graph, const QuantizeOptions& options) {
  const std::vector<TensorMap> samples = load_calibration_samples(graph, options.calibration);
  return quantize_graph(graph, options, samples);
}

QuantizeReport quantize_graph(Graph& graph, const QuantizeOptions& options,
                              const std::vector<TensorMap>& samples) {
  if (!graph.shapes_inferred)
    throw InternalError("quantize_graph: graph " + quote_name(graph.name) +
                        " is not shape-inferred");
  QuantizeReport report;
  report.observer = observer_name(options.observer);
  const size_t node_count = graph.nodes.size();

  // 1. Schemes.
  std::vector<LayerScheme> schemes(node_count);
  std::vector<bool> quantized(node_count, false);
  for (size_t i = 0; i < node_count; ++i) {
    const Node& node = graph.nodes[i];
    schemes[i] = resolve_scheme(options.defaults, options.rules, node);
    LayerScheme& s = schemes[i];
    if (s.activations != DType::Int8 && s.activations != DType::Int16)
      throw Error(node.describe() + ": activations must be int8 or int16");
    if (s.weight_bits != 8 && s.weight_bits != 4)
      throw Error(node.describe() + ": weight bits must be 8 or 4");
    std::string note;
    if (s.activations == DType::Int16 && integer_ops().count(node.op_type) &&
        !has_int16_form(node.op_type)) {
      s.activations = DType::Int8;
      note = "no int16 kernel for " + node.op_type + ": runs in int8";
    }
    json entry = scheme_json(s);
    entry["op"] = node.op_type;
    if (!note.empty()) entry["note"] = note;
    std::string reason;
    bool runtime = false;
    for (const std::string& out : node.outputs)
      if (!out.empty() && !graph.tensor(out).constant) runtime = true;
    if (!runtime) {
      reason = "folded at compile time";
    } else if (!s.quantize) {
      reason = "quantize=false in the config";
    } else {
      reason = unquantizable_reason(node, graph);
    }
    quantized[i] = reason.empty();
    entry["quantized"] = quantized[i];
    if (!reason.empty()) entry["reason"] = reason;
    report.nodes[node.name] = entry;
  }
  if (std::none_of(quantized.begin(), quantized.end(), [](bool b) { return b; })) {
    report.calibration_samples = 0;
    return report;
  }
  const Graph float_graph = options.bias_correction ? graph : Graph{};

  // 2. Calibration.
  CalibrationResult calibration = calibrate(graph, samples, options);
  report.calibration_samples = calibration.samples;
  auto observer_of = [&](const std::string& t) -> const RangeObserver* {
    auto it = calibration.observers.find(t);
    return it == calibration.observers.end() ? nullptr : it->second.get();
  };
  auto observed_params = [&](const std::string& t, DType dtype, bool symmetric, bool pot) {
    const RangeObserver* obs = observer_of(t);
    if (!obs)
      throw InternalError("quantize_graph: no calibration data for tensor " + quote_name(t));
    const bool sym = symmetric || dtype == DType::Int16;
    const Range r = obs->range(RangeRequest{dtype == DType::Int16 ? 16 : 8, sym});
    return activation_params(r, dtype, sym, pot);
  };

  // 3. Activation parameters: `home` for values produced in the integer domain (outputs of
  // quantized nodes, quantized graph inputs); `input_params[i][k]` what quantized node i reads.
  std::map<std::string, ActParams> home;
  std::vector<std::map<size_t, ActParams>> input_params(node_count);
  auto is_activation = [&](const std::string& name) {
    const Tensor& t = graph.tensor(name);
    return t.dtype == DType::Float32 && !t.constant;
  };
  for (const std::string& x : graph.inputs) {
    if (!is_activation(x)) continue;
    for (int c : graph.consumers(x)) {
      if (!quantized[c]) continue;
      const LayerScheme& s = schemes[c];
      home[x] =
          observed_params(x, s.activations, s.symmetric_activations, s.requant == Requant::Shift);
      break;
    }
  }
  for (size_t i = 0; i < node_count; ++i) {
    if (!quantized[i]) continue;
    const Node& node = graph.nodes[i];
    const LayerScheme& s = schemes[i];
    const bool pot = s.requant == Requant::Shift;
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      if (!node.has_input(k) || !is_value_input(node, k) || !is_activation(node.inputs[k]))
        continue;
      const std::string& t = node.inputs[k];
      auto h = home.find(t);
      if (h != home.end() && h->second.dtype == s.activations && (!pot || h->second.pot))
        input_params[i][k] = h->second;
      else
        input_params[i][k] = observed_params(t, s.activations, s.symmetric_activations, pot);
    }
    const std::string& out = node.outputs[0];
    // An int16 Concat of activations that already share their parameters keeps them (as TFLite's
    // 16x8 CONCATENATION expects): the output range is theirs, and no input needs a
    // kiln.Requantize.
    if (node.op_type == "Concat" && s.activations == DType::Int16 &&
        input_params[i].size() == node.inputs.size() &&
        std::all_of(input_params[i].begin(), input_params[i].end(), [&](const auto& in) {
          return same_params(in.second, input_params[i].at(0));
        })) {
      home[out] = input_params[i].at(0);
      continue;
    }
    switch (op_kind(node.op_type, s.activations)) {
      case OpKind::ScalePreserve:
        if (input_params[i].count(0)) {
          home[out] = input_params[i][0];
          break;
        }
        [[fallthrough]];
      case OpKind::Weighted:
      case OpKind::Rescaling:
        home[out] = observed_params(out, s.activations, s.symmetric_activations, pot);
        break;
      case OpKind::FixedOutput:
        home[out] = fixed_output_params(node.op_type, s.activations, s.symmetric_activations);
        break;
    }
  }

  // 4. Rewrite into a QDQ graph, node by node in schedule order.
  QdqBuilder b(graph);
  std::map<std::string, std::string> dequantized;  // activation -> its DequantizeLinear output
  std::map<std::string, std::string> variants;     // "tensor|dtype|scale|zp" -> DQ output
  std::vector<BiasSite> bias_sites;
  auto record_act = [&](const std::string& t, const ActParams& p) {
    if (!report.tensors.contains(t))
      report.tensors[t] = act_json(p, observer_of(t), report.observer);
  };

  for (const std::string& x : graph.inputs) {
    auto h = home.find(x);
    if (h == home.end()) continue;
    const ActParams& p = h->second;
    record_act(x, p);
    if (!options.float_io) {
      Tensor& t = graph.tensor(x);
      t.dtype = p.dtype;
      // bits stays 8: it only marks packed int4 storage (QuantizeLinear's shape rule does the
      // same).
      t.quant = QuantParams{{p.scale}, {p.zero_point}, -1, 8};
      dequantized[x] = b.dequantize(x, p, x);
    } else {
      dequantized[x] = b.dequantize(b.quantize(x, p), p, x);
    }
  }

  const std::vector<Node> original = graph.nodes;
  for (size_t i = 0; i < node_count; ++i) {
    Node node = original[i];
    const LayerScheme& s = schemes[i];
    if (quantized[i]) {
      // Weights first: the bias needs their scales.
      WeightQuant wq;
      bool has_weights = false;
      std::set<size_t> handled;
      for (size_t k = 0; k < node.inputs.size(); ++k) {
        if (!node.has_input(k) || !is_weight_input(node, k)) continue;
        const Tensor& w = graph.tensor(node.inputs[k]);
        if (!w.constant) continue;
        Tensor scaled = w;
        if (node.op_type == "Gemm" && node.attr_float("alpha", 1.0f) != 1.0f) {
          // Fold alpha into the weights so the integer Gemm needs none.
          const float alpha = node.attr_float("alpha", 1.0f);
          for (float& v : scaled.mutable_values<float>()) v *= alpha;
          node.attrs["alpha"] = 1.0f;
        }
        const int axis = weight_axis(node, w);
        wq = quantize_weight(scaled, axis, s);
        has_weights = true;
        handled.insert(k);
        const std::string wq_name =
            b.integer_constant<int8_t>(w.name + "_quantized", DType::Int8, w.shape, wq.values);
        json entry = {{"dtype", s.weight_bits == 4 ? "int4" : "int8"},
                      {"scale", float_or_list(wq.scales)},
                      {"zero_point", int_or_list(wq.zero_points)},
                      {"observed_min", wq.min},
                      {"observed_max", wq.max},
                      {"observer", "weights"},
                      {"symmetric", s.symmetric_weights},
                      {"power_of_two", s.requant == Requant::Shift},
                      {"node", node.name}};
        if (wq.axis >= 0) entry["axis"] = wq.axis;
        report.tensors[w.name] = entry;
        node.inputs[k] = b.dequantize_constant(wq_name, wq.scales, wq.zero_points, wq.axis, w.name,
                                               s.weight_bits);
      }
      // Bias (Conv, Gemm): int32 at scale x_scale * w_scale[c]. Added as zeros when bias
      // correction will need somewhere to fold its shift.
      const bool wants_bias = has_weights && (node.op_type == "Conv" || node.op_type == "Gemm") &&
                              input_params[i].count(0) &&
                              (node.has_input(2) || options.bias_correction);
      if (wants_bias) {
        const Tensor& w = graph.tensor(original[i].inputs[1]);
        const int64_t channels = w.shape[static_cast<size_t>(weight_axis(node, w))];
        std::vector<float> bias(static_cast<size_t>(channels), 0.0f);
        std::string bias_name = node.name + "_bias";
        if (node.has_input(2)) {
          const Tensor& bt = graph.tensor(node.inputs[2]);
          bias = bt.as_float();
          bias_name = bt.name;
          if (node.op_type == "Gemm") {
            const float beta = node.attr_float("beta", 1.0f);
            for (float& v : bias) v *= beta;
            node.attrs["beta"] = 1.0f;
          }
        }
        const float x_scale = input_params[i].at(0).scale;
        std::vector<float> bias_scales(static_cast<size_t>(channels));
        std::vector<int32_t> bias_q(static_cast<size_t>(channels));
        for (int64_t c = 0; c < channels; ++c) {
          const float ws = wq.scales.size() == 1 ? wq.scales[0] : wq.scales[static_cast<size_t>(c)];
          bias_scales[c] = x_scale * ws;
          bias_q[c] =
              clamp_i32(std::nearbyint(bias[c] / static_cast<double>(bias_scales[c])),
                        std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
        }
        const std::string bq = b.integer_constant<int32_t>(bias_name + "_quantized", DType::Int32,
                                                           Shape{channels}, bias_q);
        const bool per_channel = wq.scales.size() > 1;
        const std::vector<float> dq_scales =
            per_channel ? bias_scales
                        : std::vector<float>{bias_scales.empty() ? 1.0f : bias_scales[0]};
        std::vector<int32_t> zeros(dq_scales.size(), 0);
        if (node.inputs.size() < 3) node.inputs.resize(3);
        node.inputs[2] =
            b.dequantize_constant(bq, dq_scales, zeros, per_channel ? 0 : -1, bias_name);
        report.tensors[bias_name] = {{"dtype", "int32"},
                                     {"scale", float_or_list(dq_scales)},
                                     {"zero_point", 0},
                                     {"node", node.name},
                                     {"observer", "bias"}};
        bias_sites.push_back({node.name, bq, bias_scales});
      }
      // Activation inputs and other float constants.
      for (size_t k = 0; k < node.inputs.size(); ++k) {
        if (!node.has_input(k) || !is_value_input(node, k) || handled.count(k) ||
            is_bias_input(node, k))
          continue;
        const std::string t = original[i].inputs[k];
        const Tensor& tensor = graph.tensor(t);
        const bool pot = s.requant == Requant::Shift;
        // (Graph inputs may already have become integer tensors: decide by step 3's choice.)
        if (!input_params[i].count(k)) {
          if (!tensor.constant || tensor.dtype != DType::Float32) continue;
          // A constant operand (Add/Mul/Concat/MatMul A): per tensor, its own exact range.
          const std::vector<float> values = tensor.as_float();
          Range r;
          if (!values.empty()) {
            r.lo = *std::min_element(values.begin(), values.end());
            r.hi = *std::max_element(values.begin(), values.end());
          }
          const ActParams p = activation_params(r, s.activations, s.symmetric_activations, pot);
          std::vector<int32_t> q(values.size());
          for (size_t e = 0; e < values.size(); ++e)
            q[e] =
                clamp_i32(std::nearbyint(values[e] / static_cast<double>(p.scale)) + p.zero_point,
                          qmin(p.dtype), qmax(p.dtype));
          std::string qc;
          if (p.dtype == DType::Int8)
            qc = b.integer_constant<int8_t>(t + "_quantized", DType::Int8, tensor.shape,
                                            std::vector<int8_t>(q.begin(), q.end()));
          else
            qc = b.integer_constant<int16_t>(t + "_quantized", DType::Int16, tensor.shape,
                                             std::vector<int16_t>(q.begin(), q.end()));
          json entry = act_json(p, nullptr, "constant");
          entry["observed_min"] = r.lo;
          entry["observed_max"] = r.hi;
          entry["node"] = node.name;
          report.tensors[t] = entry;
          node.inputs[k] = b.dequantize_constant(qc, {p.scale}, {p.zero_point}, -1, t);
          continue;
        }
        const ActParams& need = input_params[i].at(k);
        auto h = home.find(t);
        if (h != home.end() && same_params(h->second, need)) {
          node.inputs[k] = dequantized.at(t);
          continue;
        }
        // Conversion: a float value entering the integer domain, or an integer value needed at
        // other parameters (mixed precision; lower_qdq turns DQ -> Q into kiln.Requantize).
        const std::string key = t + "|" + dtype_label(need.dtype) + "|" +
                                std::to_string(need.scale) + "|" + std::to_string(need.zero_point);
        auto v = variants.find(key);
        if (v == variants.end()) {
          const std::string source = h != home.end() ? dequantized.at(t) : t;
          const std::string q = b.quantize(source, need, "", s.requant);
          v = variants.emplace(key, b.dequantize(q, need, t)).first;
          json entry = act_json(need, observer_of(t), report.observer);
          entry["for_node"] = node.name;
          report.tensors[graph.tensor(q).name] = entry;
          if (h == home.end()) record_act(t, need);
        }
        node.inputs[k] = v->second;
      }
      node.attrs[kRequantAttr] = std::string(requant_name(s.requant));
    } else {
      for (size_t k = 0; k < node.inputs.size(); ++k) {
        if (!node.has_input(k)) continue;
        auto d = dequantized.find(node.inputs[k]);
        if (d != dequantized.end()) node.inputs[k] = d->second;
      }
    }
    const std::vector<std::string> outputs = node.outputs;
    std::vector<std::string> renamed_outputs;
    for (std::string& out : node.outputs) {
      if (out.empty() || !home.count(out) || !graph.is_graph_output(out)) continue;
      // A graph output keeps its name on the boundary tensor: the node writes a new float
      // tensor that is quantized into (int I/O) or dequantized back into (float I/O) the output.
      const std::string renamed = graph.unique_name(out + "_float");
      Tensor t = graph.tensor(out);
      t.name = renamed;
      t.dtype = DType::Float32;
      t.quant.reset();
      graph.add_tensor(std::move(t));
      renamed_outputs.push_back(out);
      out = renamed;
    }
    b.nodes().push_back(node);
    for (size_t o = 0; o < outputs.size(); ++o) {
      const std::string& out = outputs[o];
      auto h = home.find(out);
      if (out.empty() || h == home.end()) continue;
      const ActParams& p = h->second;
      record_act(out, p);
      if (graph.is_graph_output(out)) {
        if (!options.float_io) {
          b.quantize(node.outputs[o], p, out, s.requant);
          // Float readers of a graph output besides the caller get a DequantizeLinear.
          if (!graph.consumers(out).empty()) dequantized[out] = b.dequantize(out, p, out);
        } else {
          dequantized[out] =
              b.dequantize(b.quantize(node.outputs[o], p, "", s.requant), p, out, out);
        }
      } else {
        dequantized[out] = b.dequantize(b.quantize(out, p, "", s.requant), p, out);
      }
    }
  }
  graph.nodes = std::move(b.nodes());
  graph.remove_unused_tensors();
  graph.verify();

  // 5. Bias correction on the QDQ graph (see docs/quantization.md).
  if (options.bias_correction && !bias_sites.empty()) {
    auto with_preactivations = [&](const Graph& source, std::map<std::string, std::string>& pre) {
      Graph copy = source;
      std::vector<Node> nodes;
      for (const Node& n : copy.nodes) {
        nodes.push_back(n);
        auto site = std::find_if(bias_sites.begin(), bias_sites.end(),
                                 [&](const BiasSite& s) { return s.node == n.name; });
        if (site == bias_sites.end()) continue;
        Node dup = n;
        dup.name = copy.unique_name(n.name + "_preactivation");
        dup.activation = FusedActivation{};
        const Tensor& out = copy.tensor(n.outputs[0]);
        Tensor t;
        t.name = copy.unique_name(n.outputs[0] + "_preactivation");
        t.dtype = DType::Float32;
        t.shape = out.shape;
        t.shape_known = true;
        dup.outputs = {t.name};
        pre[n.name] = t.name;
        copy.add_tensor(std::move(t));
        // Bias added by the quantizer: the float model has none, which the float node's
        // missing input already expresses.
        nodes.push_back(std::move(dup));
      }
      copy.nodes = std::move(nodes);
      return copy;
    };
    std::map<std::string, std::string> float_pre, quant_pre;
    const Graph float_probe = with_preactivations(float_graph, float_pre);
    const Graph quant_probe = with_preactivations(graph, quant_pre);
    std::map<std::string, ChannelMeans> float_means, quant_means;
    ProgressBar progress("bias correction", static_cast<int64_t>(samples.size()), options.progress);
    int64_t done = 0;
    for (const TensorMap& sample : samples) {
      auto run = [&](const Graph& g, const std::map<std::string, std::string>& pre,
                     std::map<std::string, ChannelMeans>& means, const TensorMap& inputs) {
        std::map<std::string, std::string> by_tensor;
        for (const auto& [node, tensor] : pre) by_tensor[tensor] = node;
        run_graph(g, inputs, [&](const Tensor& value) {
          auto it = by_tensor.find(value.name);
          if (it != by_tensor.end()) means[it->second].add(value);
        });
      };
      run(float_probe, float_pre, float_means, sample);
      TensorMap quant_inputs;
      for (const std::string& x : graph.inputs) {
        const Tensor& spec = graph.tensor(x);
        Tensor value = sample.at(x);
        if (spec.dtype != value.dtype && spec.quant) {
          // Integer graph input: quantize the float sample as the caller would.
          const auto floats = value.as_float();
          Tensor q;
          q.name = x;
          q.dtype = spec.dtype;
          q.shape = spec.shape;
          q.shape_known = true;
          q.data.resize(static_cast<size_t>(spec.bytes()));
          for (size_t e = 0; e < floats.size(); ++e) {
            const int32_t v = quantize_value(floats[e], spec.quant->scales[0],
                                             spec.quant->zero_points[0], spec.dtype);
            if (spec.dtype == DType::Int8) {
              q.data[e] = static_cast<uint8_t>(static_cast<int8_t>(v));
            } else {
              const auto v16 = static_cast<int16_t>(v);
              std::memcpy(q.data.data() + 2 * e, &v16, 2);
            }
          }
          value = std::move(q);
        }
        quant_inputs[x] = std::move(value);
      }
      run(quant_probe, quant_pre, quant_means, quant_inputs);
      progress.update(++done);
    }
    for (const BiasSite& site : bias_sites) {
      const ChannelMeans& f = float_means[site.node];
      const ChannelMeans& q = quant_means[site.node];
      Tensor& bias = graph.tensor(site.bias_q);
      std::span<int32_t> values = bias.mutable_values<int32_t>();
      std::vector<double> shift(values.size(), 0.0);
      std::vector<int32_t> steps(values.size(), 0);
      for (size_t c = 0; c < values.size() && c < f.sums.size() && c < q.sums.size(); ++c) {
        shift[c] = f.mean(c) - q.mean(c);
        steps[c] = clamp_i32(std::nearbyint(shift[c] / site.bias_scales[c]),
                             std::numeric_limits<int32_t>::min() / 2,
                             std::numeric_limits<int32_t>::max() / 2);
        values[c] =
            clamp_i32(static_cast<double>(values[c]) + steps[c],
                      std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
      }
      report.bias_correction[site.node] = {{"mean_shift", shift}, {"bias_steps", steps}};
    }
  }

  // 6. Integer lowering.
  if (options.lower) {
    lower_qdq(graph);
    graph.verify();
  }
  return report;
}

}  // namespace kiln
