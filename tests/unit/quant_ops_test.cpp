// PTQ on a hand-built graph with the ops MNIST lacks: MatMul with a constant B (per-column
// weights, axis 1), Add with a constant operand, a float-only op in the middle (Exp is not
// quantized by config), Concat of two branches and a Softmax with fixed output parameters. The
// QDQ graph and the lowered integer graph both stay close to the float graph.
#include <gtest/gtest.h>

#include <cmath>

#include "interpreter/interpreter.hpp"
#include "pass_test_util.hpp"
#include "quant/quantize.hpp"

namespace kiln {
namespace {

using pass_test::Builder;

Graph build() {
  Builder b("quant_ops");
  b.input("x", {2, 8})
      .random("w", {8, 6}, -0.5f, 0.5f)
      .random("c", {6}, -0.2f, 0.2f)
      .node("MatMul", {"x", "w"}, {"mm"})
      .node("Add", {"mm", "c"}, {"biased"})
      .node("Relu", {"biased"}, {"act"})
      .node("Abs", {"x"}, {"ax"})
      .ints("slice_starts", {1}, {0})
      .ints("slice_ends", {1}, {6})
      .ints("slice_axes", {1}, {1})
      .node("Slice", {"ax", "slice_starts", "slice_ends", "slice_axes"}, {"sliced"})
      .node("Concat", {"act", "sliced"}, {"joined"}, {{"axis", int64_t{1}}})
      .node("Softmax", {"joined"}, {"y"}, {{"axis", int64_t{1}}})
      .output("y");
  return b.inferred();
}

std::vector<TensorMap> samples(const Graph& g, int count) {
  std::vector<TensorMap> s;
  for (int i = 0; i < count; ++i) s.push_back(pass_test::random_inputs(g, 100 + i));
  return s;
}

double max_abs_diff(const Graph& reference, const Graph& quantized, const TensorMap& input) {
  const auto ref = run_graph(reference, input).at("y").as_float();
  const auto got = run_graph(quantized, input).at("y").as_float();
  double worst = 0.0;
  for (size_t i = 0; i < ref.size(); ++i)
    worst = std::max(worst, std::fabs(static_cast<double>(ref[i]) - got[i]));
  return worst;
}

TEST(QuantOps, QdqStructureForMatMulAddConcatSoftmax) {
  KILN_REQUIRE_OPS("MatMul", "Add", "Relu", "Abs", "Slice", "Concat", "Softmax");
  const Graph reference = build();
  Graph g = reference;
  QuantizeOptions o;
  o.enabled = true;
  o.progress = false;
  o.lower = false;
  o.float_io = true;
  LayerRule keep_float;
  keep_float.op_glob = "Abs";
  keep_float.quantize = false;
  o.rules.push_back(keep_float);
  const auto calib = samples(reference, 8);
  const QuantizeReport report = quantize_graph(g, o, calib);
  g.verify();
  // MatMul B: per column (axis 1).
  const Node* mm = nullptr;
  for (const Node& n : g.nodes)
    if (n.op_type == "MatMul") mm = &n;
  ASSERT_NE(mm, nullptr);
  const Node& w_dq = g.nodes[g.producer(mm->inputs[1])];
  EXPECT_EQ(w_dq.op_type, "DequantizeLinear");
  EXPECT_EQ(w_dq.attr_int("axis", -1), 1);
  EXPECT_EQ(g.tensor(w_dq.inputs[1]).elements(), 6);
  // Add's constant operand: an int8 constant at its own per-tensor parameters.
  EXPECT_EQ(report.tensors.at("c").at("observer"), "constant");
  // Softmax output: fixed 1/256, -128.
  EXPECT_FLOAT_EQ(report.tensors.at("y").at("scale").get<float>(), 1.0f / 256.0f);
  EXPECT_EQ(report.tensors.at("y").at("zero_point"), -128);
  // Abs stays float: it reads the dequantized input, its output is quantized for Slice.
  EXPECT_EQ(report.nodes.at(g.nodes[g.producer("ax")].name).at("quantized"), false);
  EXPECT_EQ(g.nodes[g.producer(g.nodes[g.producer("ax")].inputs[0])].op_type, "DequantizeLinear");
  EXPECT_EQ(g.nodes[g.consumers("ax")[0]].op_type, "QuantizeLinear");
  for (const TensorMap& s : calib) EXPECT_LT(max_abs_diff(reference, g, s), 0.02);
}

TEST(QuantOps, LoweredGraphRunsOnIntegers) {
  KILN_REQUIRE_OPS("MatMul", "Add", "Relu", "Abs", "Slice", "Concat", "Softmax");
  const Graph reference = build();
  Graph g = reference;
  QuantizeOptions o;
  o.enabled = true;
  o.progress = false;
  o.float_io = true;
  const auto calib = samples(reference, 8);
  quantize_graph(g, o, calib);
  g.verify();
  int integer_nodes = 0;
  for (const Node& n : g.nodes)
    if (!n.outputs.empty() && g.tensor(n.outputs[0]).dtype == DType::Int8) ++integer_nodes;
  EXPECT_GE(integer_nodes, 6);
  for (const TensorMap& s : calib) EXPECT_LT(max_abs_diff(reference, g, s), 0.03);
}

// ReduceMean over two non-adjacent axes quantizes like a pool: an int8 ReduceMean
// (kiln_reduce_mean_s8), no float island, close to the float mean.
TEST(QuantOps, ReduceMeanRunsOnIntegers) {
  KILN_REQUIRE_OPS("ReduceMean", "Relu");
  Builder b("quant_mean");
  b.input("x", {2, 4, 3, 5})
      .node("Relu", {"x"}, {"r"})
      .ints("axes", {2}, {1, 3})
      .node("ReduceMean", {"r", "axes"}, {"y"}, {{"keepdims", int64_t{0}}})
      .output("y");
  const Graph reference = b.inferred();
  for (const char* requant : {"fixed", "single"}) {
    Graph g = reference;
    QuantizeOptions o;
    o.enabled = true;
    o.progress = false;
    o.float_io = true;
    o.defaults.requant = requant == std::string("single") ? Requant::Single : Requant::FixedPoint;
    const auto calib = samples(reference, 8);
    quantize_graph(g, o, calib);
    g.verify();
    const Node* mean = nullptr;
    for (const Node& n : g.nodes)
      if (n.op_type == "ReduceMean") mean = &n;
    ASSERT_NE(mean, nullptr) << requant;
    EXPECT_EQ(g.tensor(mean->inputs[0]).dtype, DType::Int8) << requant;
    EXPECT_EQ(g.tensor(mean->outputs[0]).dtype, DType::Int8) << requant;
    for (const TensorMap& s : calib) EXPECT_LT(max_abs_diff(reference, g, s), 0.02) << requant;
  }
}

}  // namespace
}  // namespace kiln
