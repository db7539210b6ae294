#include "passes/fold_batch_norm.hpp"

#include <cmath>

#include "ir/error.hpp"
#include "ops/op_registry.hpp"
#include "passes/graph_rewrite.hpp"

namespace kiln {

namespace {

// Per-channel y = x * scale + shift equivalent of one BatchNormalization.
struct ChannelAffine {
  std::vector<double> scale;
  std::vector<double> shift;
};

const Tensor* float_constant(const Graph& graph, const Node& node, size_t index) {
  const Tensor* t = constant_input(graph, node, index);
  return t && t->dtype == DType::Float32 ? t : nullptr;
}

std::optional<ChannelAffine> batch_norm_affine(const Node& bn, const Graph& graph) {
  if (bn.inputs.size() < 5 || bn.attr_int("training_mode", 0) != 0) return std::nullopt;
  for (size_t i = 1; i < bn.outputs.size(); ++i)
    if (!bn.outputs[i].empty()) return std::nullopt;  // training outputs (running stats)
  const Tensor* scale = float_constant(graph, bn, 1);
  const Tensor* bias = float_constant(graph, bn, 2);
  const Tensor* mean = float_constant(graph, bn, 3);
  const Tensor* var = float_constant(graph, bn, 4);
  if (!scale || !bias || !mean || !var) return std::nullopt;
  const int64_t channels = scale->elements();
  if (bias->elements() != channels || mean->elements() != channels || var->elements() != channels)
    return std::nullopt;
  const double epsilon = bn.attr_float("epsilon", 1e-5f);
  ChannelAffine affine;
  affine.scale.resize(channels);
  affine.shift.resize(channels);
  for (int64_t c = 0; c < channels; ++c) {
    const double a =
        scale->values<float>()[c] / std::sqrt(double(var->values<float>()[c]) + epsilon);
    affine.scale[c] = a;
    affine.shift[c] = double(bias->values<float>()[c]) - double(mean->values<float>()[c]) * a;
  }
  return affine;
}

// Writes the folded bias b' = bias * a + shift (bias = 0 when absent) as a new constant.
std::string folded_bias(Graph& graph, const Node& producer, const Tensor* bias,
                        const ChannelAffine& affine) {
  const size_t channels = affine.scale.size();
  std::vector<float> values(channels);
  for (size_t c = 0; c < channels; ++c) {
    const double old = bias ? double(bias->values<float>()[c]) : 0.0;
    values[c] = static_cast<float>(old * affine.scale[c] + affine.shift[c]);
  }
  return add_float_constant(graph, producer.name + "_bias_bn", {int64_t(channels)}, values);
}

// Conv: W [Cout, Cin/g, k...]; output channel = W axis 0. ConvTranspose: W [Cin, Cout/g, k...];
// output channel of W[ci, j] is group(ci) * Cout/g + j.
bool fold_into_conv(Graph& graph, Node& conv, const ChannelAffine& affine, bool transposed) {
  const Tensor* weight = float_constant(graph, conv, 1);
  if (!weight || weight->shape.size() < 3) return false;
  const int64_t channels = static_cast<int64_t>(affine.scale.size());
  const Tensor* bias = nullptr;
  if (conv.has_input(2)) {
    bias = float_constant(graph, conv, 2);
    if (!bias || bias->elements() != channels) return false;
  }
  const int64_t group = conv.attr_int("group", 1);
  const Shape& ws = weight->shape;
  const int64_t spatial = shape_elements(Shape(ws.begin() + 2, ws.end()));
  std::vector<float> w(weight->values<float>().begin(), weight->values<float>().end());
  if (!transposed) {
    if (ws[0] != channels) return false;
    for (int64_t co = 0; co < ws[0]; ++co)
      for (int64_t k = 0; k < ws[1] * spatial; ++k) {
        float& v = w[co * ws[1] * spatial + k];
        v = static_cast<float>(double(v) * affine.scale[co]);
      }
  } else {
    if (group <= 0 || ws[0] % group != 0 || ws[1] * group != channels) return false;
    const int64_t in_per_group = ws[0] / group;
    for (int64_t ci = 0; ci < ws[0]; ++ci)
      for (int64_t j = 0; j < ws[1]; ++j) {
        const double a = affine.scale[(ci / in_per_group) * ws[1] + j];
        for (int64_t k = 0; k < spatial; ++k) {
          float& v = w[(ci * ws[1] + j) * spatial + k];
          v = static_cast<float>(double(v) * a);
        }
      }
  }
  const std::string new_weight = add_float_constant(graph, conv.name + "_weight_bn", ws, w);
  const std::string new_bias = folded_bias(graph, conv, bias, affine);
  conv.inputs.resize(std::max<size_t>(conv.inputs.size(), 3));
  conv.inputs[1] = new_weight;
  conv.inputs[2] = new_bias;
  return true;
}

// Gemm: Y = alpha * A' B' + beta * C with output features along B's axis 0 if transB else 1.
bool fold_into_gemm(Graph& graph, Node& gemm, const ChannelAffine& affine) {
  const Tensor* weight = float_constant(graph, gemm, 1);
  if (!weight || weight->shape.size() != 2) return false;
  const int64_t n = static_cast<int64_t>(affine.scale.size());
  const bool trans_b = gemm.attr_int("transB", 0) != 0;
  const Shape& ws = weight->shape;
  if ((trans_b ? ws[0] : ws[1]) != n) return false;
  const Tensor& out = graph.tensor(gemm.outputs[0]);
  if (!out.shape_known || out.shape.size() != 2 || out.shape[1] != n) return false;
  const int64_t m = out.shape[0];

  std::vector<float> w(weight->values<float>().begin(), weight->values<float>().end());
  for (int64_t r = 0; r < ws[0]; ++r)
    for (int64_t c = 0; c < ws[1]; ++c) {
      float& v = w[r * ws[1] + c];
      v = static_cast<float>(double(v) * affine.scale[trans_b ? r : c]);
    }

  // New C' = beta * C * a + b, broadcast to [N] or, if C varies along M, to [M, N].
  const double beta = gemm.attr_float("beta", 1.0f);
  const Tensor* c_in = nullptr;
  if (gemm.has_input(2)) {
    c_in = float_constant(graph, gemm, 2);
    if (!c_in) return false;
  }
  const Shape c_shape = c_in ? c_in->shape : Shape{};
  if (c_shape.size() > 2) return false;
  const int64_t c_rows = c_shape.size() == 2 ? c_shape[0] : 1;
  const int64_t c_cols = c_shape.empty() ? 1 : c_shape.back();
  if ((c_rows != 1 && c_rows != m) || (c_cols != 1 && c_cols != n)) return false;
  const int64_t rows = c_rows;  // 1 or M
  std::vector<float> c_new(rows * n);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < n; ++j) {
      double old = 0.0;
      if (c_in) old = beta * double(c_in->values<float>()[r * c_cols + (c_cols == 1 ? 0 : j)]);
      c_new[r * n + j] = static_cast<float>(old * affine.scale[j] + affine.shift[j]);
    }
  const std::string new_weight = add_float_constant(graph, gemm.name + "_weight_bn", ws, w);
  const Shape bias_shape = rows == 1 ? Shape{n} : Shape{m, n};
  const std::string new_bias = add_float_constant(graph, gemm.name + "_bias_bn", bias_shape, c_new);
  gemm.inputs.resize(3);
  gemm.inputs[1] = new_weight;
  gemm.inputs[2] = new_bias;
  gemm.attrs["beta"] = 1.0f;
  return true;
}

// MatMul A [M, K] x W [K, N] (constant): scale W's columns, then add the bias either by turning
// the node into Gemm or, if Gemm is not available, through a new Add node. Returns the index of
// the node that now produces the folded value (the Add, if one was inserted), or -1.
int fold_into_matmul(Graph& graph, int index, const ChannelAffine& affine) {
  Node& matmul = graph.nodes[index];
  const Tensor* weight = float_constant(graph, matmul, 1);
  if (!weight || weight->shape.size() != 2) return -1;
  const int64_t n = static_cast<int64_t>(affine.scale.size());
  const Shape ws = weight->shape;
  if (ws[1] != n) return -1;
  const Tensor& a = graph.tensor(matmul.inputs[0]);
  const Tensor& out = graph.tensor(matmul.outputs[0]);
  if (!a.shape_known || a.shape.size() != 2 || !out.shape_known || out.shape.size() != 2) return -1;
  std::vector<float> w(weight->values<float>().begin(), weight->values<float>().end());
  for (int64_t r = 0; r < ws[0]; ++r)
    for (int64_t c = 0; c < n; ++c) {
      float& v = w[r * n + c];
      v = static_cast<float>(double(v) * affine.scale[c]);
    }
  const std::string new_weight = add_float_constant(graph, matmul.name + "_weight_bn", ws, w);
  const std::string new_bias = folded_bias(graph, matmul, nullptr, affine);
  if (find_op("", "Gemm")) {
    matmul.op_type = "Gemm";
    matmul.attrs.clear();
    matmul.inputs = {matmul.inputs[0], new_weight, new_bias};
    return index;
  }
  // MatMul -> t, Add(t, bias) -> original output name.
  const std::string product = graph.unique_name(matmul.outputs[0] + "_matmul");
  Tensor t = graph.tensor(matmul.outputs[0]);
  t.name = product;
  graph.add_tensor(std::move(t));
  Node add;
  add.name = graph.unique_name(matmul.name + "_bias_add");
  add.op_type = "Add";
  add.inputs = {product, new_bias};
  add.outputs = {matmul.outputs[0]};
  graph.nodes[index].inputs[1] = new_weight;
  graph.nodes[index].outputs[0] = product;
  graph.nodes.insert(graph.nodes.begin() + index + 1, std::move(add));
  return index + 1;
}

}  // namespace

bool fold_batch_norm(Graph& graph) {
  bool changed = false;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& bn = graph.nodes[i];
    if (!bn.domain.empty() || bn.op_type != "BatchNormalization" || bn.inputs.empty()) continue;
    const std::string x = bn.inputs[0];
    const int p = graph.producer(x);
    if (p < 0 || !only_consumer_is(graph, x, static_cast<int>(i))) continue;
    const Tensor& xt = graph.tensor(x);
    if (xt.dtype != DType::Float32 || !xt.shape_known || xt.shape.size() < 2) continue;
    const std::optional<ChannelAffine> affine = batch_norm_affine(bn, graph);
    if (!affine || static_cast<int64_t>(affine->scale.size()) != xt.shape[1]) continue;
    Node& prev = graph.nodes[p];
    if (!prev.domain.empty() || prev.activation.kind != Activation::None || prev.outputs.empty() ||
        prev.outputs[0] != x)
      continue;
    const std::string y = bn.outputs[0];
    int bn_index = static_cast<int>(i);
    bool folded = false;
    if (prev.op_type == "Conv" || prev.op_type == "ConvTranspose") {
      folded = fold_into_conv(graph, prev, *affine, prev.op_type == "ConvTranspose");
    } else if (prev.op_type == "Gemm") {
      folded = fold_into_gemm(graph, prev, *affine);
    } else if (prev.op_type == "MatMul") {
      const int producer_now = fold_into_matmul(graph, p, *affine);
      folded = producer_now >= 0;
      if (producer_now > p) ++bn_index;  // an Add was inserted before the BatchNormalization
    }
    if (!folded) continue;
    // The producer of x (Conv/Gemm, or the inserted Add) now computes y directly.
    const std::string folded_value = graph.nodes[bn_index].inputs[0];
    erase_nodes(graph, {bn_index});
    rename_produced_tensor(graph, folded_value, y);
    changed = true;
    i = static_cast<size_t>(bn_index) - 1;  // re-examine the node that moved into this slot
  }
  if (changed) graph.remove_unused_tensors();
  return changed;
}

}  // namespace kiln
