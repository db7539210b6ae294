#include "passes/expand_qoperators.hpp"

#include <string>
#include <vector>

#include "ir/error.hpp"
#include "ir/tensor_impl.hpp"
#include "ops/qoperator.hpp"
#include "passes/graph_rewrite.hpp"
#include "passes/infer_shapes.hpp"

namespace kiln {

namespace {

std::string add_float_tensor(Graph& graph, const std::string& base, const Shape& shape) {
  Tensor t;
  t.name = graph.unique_name(base);
  t.dtype = DType::Float32;
  t.shape = shape;
  t.shape_known = true;
  return graph.add_tensor(std::move(t)).name;
}

Node make_node(const Graph& graph, const std::string& base, std::string op_type,
               std::vector<std::string> inputs, std::vector<std::string> outputs) {
  Node n;
  n.name = unique_node_name(graph, base);
  n.op_type = std::move(op_type);
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  return n;
}

std::string input_or_empty(const Node& node, size_t index) {
  return node.has_input(index) ? node.inputs[index] : std::string();
}

// DequantizeLinear(data, scale, zero point) -> new float tensor; per-channel scales dequantize
// along `axis` (negative counts from the end).
std::string dequantize(Graph& graph, std::vector<Node>& out, const std::string& base,
                       const std::string& data, const std::string& scale,
                       const std::string& zero_point, int64_t axis) {
  const Shape shape = graph.tensor(data).shape;
  const std::string f = add_float_tensor(graph, base + "_dq", shape);
  Node dq =
      make_node(graph, base + "_dequantize", "DequantizeLinear", {data, scale, zero_point}, {f});
  if (zero_point.empty()) dq.inputs.pop_back();
  if (graph.tensor(scale).elements() > 1) {
    const auto rank = static_cast<int64_t>(shape.size());
    dq.attrs["axis"] = AttributeValue(axis < 0 ? axis + rank : axis);
  }
  out.push_back(std::move(dq));
  return f;
}

// QLinearConv's int32 bias as DequantizeLinear with scale x_scale * w_scale[c] and zero point 0.
std::string dequantize_bias(Graph& graph, std::vector<Node>& out, const Node& node,
                            const std::string& bias) {
  const float x_scale = graph.tensor(node.inputs[1]).as_float().at(0);
  const std::vector<float> w_scales = graph.tensor(node.inputs[4]).as_float();
  const int64_t channels = graph.tensor(bias).shape.empty() ? 1 : graph.tensor(bias).shape[0];
  std::vector<float> scales;
  for (int64_t c = 0; c < channels; ++c)
    scales.push_back(x_scale * w_scales[w_scales.size() == 1 ? 0 : static_cast<size_t>(c)]);
  const std::string scale = scales.size() == 1
                                ? add_float_constant(graph, bias + "_scale", {}, scales)
                                : add_float_constant(graph, bias + "_scale", {channels}, scales);
  return dequantize(graph, out, bias, bias, scale, "", 0);
}

// The QDQ nodes replacing QOperator `node`.
std::vector<Node> expand(Graph& graph, const Node& node, const QOperatorForm& form) {
  std::vector<Node> nodes;
  const std::string base = node.name.empty() ? node.outputs[0] : node.name;
  Node op = make_node(graph, base, form.float_op, {}, {});
  op.attrs = node.attrs;
  for (const std::string& key : form.attrs_dropped) op.attrs.erase(key);
  for (const QOperand& q : form.operands)
    op.inputs.push_back(dequantize(graph, nodes, node.inputs[q.data], node.inputs[q.data],
                                   node.inputs[q.scale], input_or_empty(node, q.zero_point),
                                   q.channel_axis));
  if (form.bias && node.has_input(*form.bias))
    op.inputs.push_back(dequantize_bias(graph, nodes, node, node.inputs[*form.bias]));
  const Tensor& y = graph.tensor(node.outputs[0]);
  const std::string f = add_float_tensor(graph, y.name + "_float", y.shape);
  op.outputs = {f};
  nodes.push_back(std::move(op));
  Node q =
      make_node(graph, base + "_quantize", "QuantizeLinear",
                {f, node.inputs[form.y_scale], input_or_empty(node, form.y_zero_point)}, {y.name});
  if (q.inputs[2].empty()) {
    // A QOperator output without a zero point is uint8 (QuantizeLinear without one would be
    // uint8 too, but saying so keeps the output type explicit).
    std::vector<uint8_t> zero{0};
    const std::string zp = graph.unique_name(y.name + "_zero_point");
    graph.add_tensor(make_constant<uint8_t>(zp, DType::UInt8, {}, std::span<const uint8_t>(zero)));
    q.inputs[2] = zp;
  }
  nodes.push_back(std::move(q));
  return nodes;
}

// An int8 constant holding `values`.
std::string add_int8_constant(Graph& graph, const std::string& base, const Shape& shape,
                              const std::vector<int64_t>& values) {
  std::vector<int8_t> bytes;
  for (int64_t v : values) bytes.push_back(static_cast<int8_t>(v));
  const std::string name = graph.unique_name(base);
  graph.add_tensor(make_constant<int8_t>(name, DType::Int8, shape, std::span<const int8_t>(bytes)));
  return name;
}

// ConvInteger / MatMulInteger: makes operand `index` (and its zero point at index + 2) int8.
void signed_operand(Graph& graph, std::vector<Node>& before, Node& node, size_t index) {
  const Tensor& data = graph.tensor(node.inputs[index]);
  if (data.dtype != DType::UInt8) return;
  const size_t zp_index = index + 2;
  if (data.constant) {
    std::vector<int64_t> values = data.as_int64();
    for (int64_t& v : values) v -= 128;
    node.inputs[index] = add_int8_constant(graph, data.name + "_int8", data.shape, values);
  } else {
    // kiln.Requantize from uint8 (scale 1, zero point 0) to int8 (scale 1, zero point -128):
    // the real multiplier is exactly 1, so each value is x - 128 with no rounding.
    Tensor& source = graph.tensor(node.inputs[index]);
    QuantParams unsigned_params;
    unsigned_params.scales = {1.0f};
    unsigned_params.zero_points = {0};
    if (!source.quant) source.quant = unsigned_params;
    QuantParams signed_params;
    signed_params.scales = {1.0f};
    signed_params.zero_points = {-128};
    Tensor s;
    s.name = graph.unique_name(source.name + "_int8");
    s.dtype = DType::Int8;
    s.shape = source.shape;
    s.shape_known = true;
    s.quant = signed_params;
    const std::string converted = graph.add_tensor(std::move(s)).name;
    Node rq = make_node(graph, converted + "_requantize", "Requantize", {source.name}, {converted});
    rq.domain = "kiln";
    before.push_back(std::move(rq));
    node.inputs[index] = converted;
  }
  std::vector<int64_t> zp_values = {0};
  Shape zp_shape;
  if (node.has_input(zp_index)) {
    const Tensor& zp = graph.tensor(node.inputs[zp_index]);
    zp_values = zp.as_int64();
    zp_shape = zp.shape;
  }
  for (int64_t& v : zp_values) v -= 128;
  if (node.inputs.size() <= zp_index) node.inputs.resize(zp_index + 1);
  node.inputs[zp_index] =
      add_int8_constant(graph, node.inputs[index] + "_zero_point", zp_shape, zp_values);
}

bool is_integer_accumulator(const Node& node) {
  return node.domain.empty() && (node.op_type == "ConvInteger" || node.op_type == "MatMulInteger");
}

}  // namespace

bool expand_qoperators(Graph& graph) {
  std::vector<Node> rewritten;
  bool changed = false;
  for (const Node& node : graph.nodes) {
    if (const std::optional<QOperatorForm> form = qoperator_form(node)) {
      for (Node& n : expand(graph, node, *form)) rewritten.push_back(std::move(n));
      changed = true;
    } else if (is_integer_accumulator(node)) {
      Node converted = node;
      std::vector<Node> before;
      signed_operand(graph, before, converted, 0);
      signed_operand(graph, before, converted, 1);
      changed = changed || !before.empty() || converted.inputs != node.inputs;
      for (Node& n : before) rewritten.push_back(std::move(n));
      rewritten.push_back(std::move(converted));
    } else {
      rewritten.push_back(node);
    }
  }
  if (!changed) return false;
  graph.nodes = std::move(rewritten);
  graph.remove_unused_tensors();
  infer_shapes(graph);
  return true;
}

}  // namespace kiln
