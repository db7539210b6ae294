// QOperator ops (QLinearConv, QLinearMatMul, com.microsoft QLinear*) and ConvInteger /
// MatMulInteger: shape rules, the QDQ expansion of passes/expand_qoperators, lowering through
// lower_qdq to the integer kernels, and the compile-time-constant errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>

#include "interpreter/interpreter.hpp"
#include "ir/error.hpp"
#include "ir/tensor_impl.hpp"
#include "ops/op_registry.hpp"
#include "ops/quantized.hpp"
#include "pass_test_util.hpp"
#include "passes/expand_qoperators.hpp"
#include "passes/infer_shapes.hpp"
#include "passes/pipeline.hpp"

namespace kiln {
namespace {

using pass_test::Builder;
using pass_test::count_ops;

template <typename T>
void add_constant(Graph& g, const std::string& name, DType type, Shape shape,
                  const std::vector<T>& values) {
  g.add_tensor(make_constant<T>(name, type, std::move(shape), std::span<const T>(values)));
}

void add_scale(Graph& g, const std::string& name, std::vector<float> values, Shape shape = {}) {
  add_constant<float>(g, name, DType::Float32, std::move(shape), values);
}

template <typename T>
std::vector<T> random_values(size_t count, int lo, int hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<T> v(count);
  for (T& x : v) x = static_cast<T>(dist(rng));
  return v;
}

template <typename T>
Tensor runtime_tensor(const Graph& g, const std::string& name, const std::vector<T>& values) {
  Tensor t = g.tensor(name);
  t.constant = false;
  t.data.resize(values.size() * sizeof(T));
  std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

Node make_node(const std::string& name, const std::string& op, const std::string& domain,
               std::vector<std::string> inputs, std::vector<std::string> outputs) {
  Node n;
  n.name = name;
  n.op_type = op;
  n.domain = domain;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  return n;
}

void add_output(Graph& g, const std::string& name) {
  Tensor t;
  t.name = name;
  g.add_tensor(std::move(t));
  g.outputs.push_back(name);
}

// int8 QLinearConv 1x2x5x5 * 3x2x3x3 (per-channel weight scales) + int32 bias -> 1x3x3x3.
Graph qlinear_conv_graph(bool runtime_scale = false) {
  Graph g = Builder("qconv").input("x", {1, 2, 5, 5}, DType::Int8).build();
  if (runtime_scale) {
    Tensor s;
    s.name = "x_scale";
    s.shape_known = true;
    g.add_tensor(std::move(s));
    g.inputs.push_back("x_scale");
  } else {
    add_scale(g, "x_scale", {0.05f});
  }
  add_constant<int8_t>(g, "x_zp", DType::Int8, {}, {3});
  add_constant<int8_t>(g, "w", DType::Int8, {3, 2, 3, 3}, random_values<int8_t>(54, -127, 127, 1));
  add_scale(g, "w_scale", {0.01f, 0.02f, 0.005f}, {3});
  add_constant<int8_t>(g, "w_zp", DType::Int8, {3}, {0, 0, 0});
  add_scale(g, "y_scale", {0.1f});
  add_constant<int8_t>(g, "y_zp", DType::Int8, {}, {-5});
  add_constant<int32_t>(g, "bias", DType::Int32, {3}, {100, -200, 300});
  g.nodes.push_back(make_node(
      "conv", "QLinearConv", "",
      {"x", "x_scale", "x_zp", "w", "w_scale", "w_zp", "y_scale", "y_zp", "bias"}, {"y"}));
  add_output(g, "y");
  return g;
}

const Node& only(const Graph& g, const std::string& op) {
  for (const Node& n : g.nodes)
    if (n.op_type == op) return n;
  throw std::runtime_error("no " + op + " node");
}

TEST(QOperator, QLinearConvShapeRule) {
  Graph g = qlinear_conv_graph();
  infer_shapes(g);
  EXPECT_EQ(g.tensor("y").dtype, DType::Int8);
  EXPECT_EQ(g.tensor("y").shape, (Shape{1, 3, 3, 3}));
}

TEST(QOperator, QLinearConvExpandsToQdq) {
  Graph g = qlinear_conv_graph();
  infer_shapes(g);
  ASSERT_TRUE(expand_qoperators(g));
  EXPECT_EQ(count_ops(g, "QLinearConv"), 0);
  EXPECT_EQ(count_ops(g, "DequantizeLinear"), 3);  // x, w, bias
  EXPECT_EQ(count_ops(g, "QuantizeLinear"), 1);
  const Node& conv = only(g, "Conv");
  ASSERT_EQ(conv.inputs.size(), 3u);
  // Each Conv input is the DequantizeLinear of the matching QLinearConv operand.
  const char* sources[] = {"x", "w", "bias"};
  for (size_t i = 0; i < 3; ++i) {
    const Node& dq = g.nodes[g.producer(conv.inputs[i])];
    EXPECT_EQ(dq.op_type, "DequantizeLinear");
    EXPECT_EQ(dq.inputs[0], sources[i]);
  }
  const Node& w_dq = g.nodes[g.producer(conv.inputs[1])];
  EXPECT_EQ(w_dq.inputs[1], "w_scale");
  EXPECT_EQ(w_dq.attr_int("axis", -1), 0);
  // Bias scale = x_scale * w_scale[c], zero point 0.
  const Node& b_dq = g.nodes[g.producer(conv.inputs[2])];
  EXPECT_FALSE(b_dq.has_input(2));
  const std::vector<float> bias_scales = g.tensor(b_dq.inputs[1]).as_float();
  ASSERT_EQ(bias_scales.size(), 3u);
  EXPECT_FLOAT_EQ(bias_scales[1], 0.05f * 0.02f);
  const Node& q = only(g, "QuantizeLinear");
  EXPECT_EQ(q.inputs[0], conv.outputs[0]);
  EXPECT_EQ(q.inputs[1], "y_scale");
  EXPECT_EQ(q.inputs[2], "y_zp");
  EXPECT_EQ(q.outputs[0], "y");
  EXPECT_EQ(g.tensor("y").dtype, DType::Int8);
}

TEST(QOperator, QLinearConvLowersToIntegerConvWithinOneLsbOfQdq) {
  Graph g = qlinear_conv_graph();
  infer_shapes(g);
  Graph reference = g;
  expand_qoperators(reference);  // float DequantizeLinear -> Conv -> QuantizeLinear
  optimize(g);
  EXPECT_EQ(count_ops(g, "DequantizeLinear"), 0);
  EXPECT_EQ(count_ops(g, "QuantizeLinear"), 0);
  const Node& conv = only(g, "Conv");
  EXPECT_EQ(op_for(conv).lower(conv, g).function, "kiln_conv_s8");
  TensorMap inputs;
  inputs["x"] = runtime_tensor(g, "x", random_values<int8_t>(50, -128, 127, 9));
  const Tensor expected = run_graph(reference, inputs).at("y");
  const Tensor actual = run_graph(g, inputs).at("y");
  ASSERT_EQ(actual.dtype, DType::Int8);
  const auto e = expected.values<int8_t>();
  const auto a = actual.values<int8_t>();
  ASSERT_EQ(e.size(), a.size());
  int exact = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    EXPECT_LE(std::abs(int(e[i]) - int(a[i])), 1) << i;
    exact += e[i] == a[i];
  }
  EXPECT_GE(exact, static_cast<int>(e.size()) - 2);
}

// Asymmetric per-channel weights (uint8 here, zero points differ per output channel) reach
// kiln_conv_s8 as one zero point per output channel, shifted to int8 with the weights; the result
// stays within 1 LSB of the float QDQ expansion.
TEST(QOperator, QLinearConvPerChannelWeightZeroPointsLowerPerChannel) {
  Graph g = Builder("qconv").input("x", {1, 2, 5, 5}, DType::UInt8).build();
  add_scale(g, "x_scale", {0.02f});
  add_constant<uint8_t>(g, "x_zp", DType::UInt8, {}, {120});
  add_constant<uint8_t>(g, "w", DType::UInt8, {3, 2, 3, 3}, random_values<uint8_t>(54, 60, 200, 7));
  add_scale(g, "w_scale", {0.01f, 0.02f, 0.015f}, {3});
  add_constant<uint8_t>(g, "w_zp", DType::UInt8, {3}, {100, 140, 128});
  add_scale(g, "y_scale", {0.05f});
  add_constant<uint8_t>(g, "y_zp", DType::UInt8, {}, {110});
  add_constant<int32_t>(g, "bias", DType::Int32, {3}, {100, -200, 300});
  g.nodes.push_back(make_node(
      "conv", "QLinearConv", "",
      {"x", "x_scale", "x_zp", "w", "w_scale", "w_zp", "y_scale", "y_zp", "bias"}, {"y"}));
  add_output(g, "y");
  infer_shapes(g);
  Graph reference = g;
  expand_qoperators(reference);
  optimize(g);
  const Node& conv = only(g, "Conv");
  const KernelCall call = op_for(conv).lower(conv, g);
  EXPECT_EQ(call.function, "kiln_conv_s8");
  ASSERT_GT(call.args.size(), 16u);
  ASSERT_EQ(call.args[16].kind, KernelArg::Kind::Ints);  // w_zero_points
  EXPECT_EQ(call.args[16].ints, (std::vector<int32_t>{-28, 12, 0}));
  TensorMap inputs;
  inputs["x"] = runtime_tensor(g, "x", random_values<uint8_t>(50, 0, 255, 8));
  const Tensor expected = run_graph(reference, inputs).at("y");
  const Tensor actual = run_graph(g, inputs).at("y");
  ASSERT_EQ(actual.dtype, DType::UInt8);
  const auto e = expected.values<uint8_t>();
  const auto a = actual.values<uint8_t>();
  ASSERT_EQ(e.size(), a.size());
  int exact = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    EXPECT_LE(std::abs(int(e[i]) - int(a[i])), 1) << i;
    exact += e[i] == a[i];
  }
  EXPECT_GE(exact, static_cast<int>(e.size()) - 2);
}

// Weight zero points that differ along another axis than the output channels have no kernel
// form: one line naming the node and the weight.
TEST(QOperator, WeightZeroPointsAlongAnotherAxisAreUnsupported) {
  Graph g = qlinear_conv_graph();
  infer_shapes(g);
  optimize(g);
  const Node& conv = only(g, "Conv");
  Tensor& w = g.tensor(conv.inputs[1]);
  w.quant->scales = {0.01f};
  w.quant->zero_points = {1, -1};
  w.quant->axis = 1;
  try {
    op_for(conv).lower(conv, g);
    FAIL() << "expected UnsupportedError";
  } catch (const UnsupportedError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(conv.name), std::string::npos) << what;
    EXPECT_NE(what.find("weight '" + w.name + "'"), std::string::npos) << what;
    EXPECT_NE(what.find("along axis 1"), std::string::npos) << what;
  }
}

// A pre-quantized model requantizes like ONNX Runtime ("single") unless the pipeline asks for
// TFLite's fixed point; the strategy travels from the QuantizeLinear to the integer op.
TEST(QOperator, RequantStrategyOfPreQuantizedModelsFollowsThePipelineOption) {
  for (const std::string strategy : {"single", "fixed", "shift"}) {
    SCOPED_TRACE(strategy);
    Graph g = qlinear_conv_graph();
    infer_shapes(g);
    PipelineOptions options;
    if (strategy != "single") options.qdq_requant = strategy;
    optimize(g, options);
    const Node& conv = only(g, "Conv");
    EXPECT_EQ(conv.attr_string(kRequantAttr, "none"), strategy);
    const KernelCall call = op_for(conv).lower(conv, g);
    // The mode is the third integer argument from the end (before act_min, act_max).
    ASSERT_GE(call.args.size(), 3u);
    const KernelArg& mode = call.args[call.args.size() - 3];
    ASSERT_EQ(mode.kind, KernelArg::Kind::Int);
    EXPECT_EQ(mode.int_value, strategy == "single" ? 2 : (strategy == "shift" ? 1 : 0));
  }
}

TEST(QOperator, QLinearMatMulUint8LowersToInt8MatMul) {
  Graph g = Builder("qmm").input("a", {2, 4}, DType::UInt8).build();
  add_scale(g, "a_scale", {0.02f});
  add_constant<uint8_t>(g, "a_zp", DType::UInt8, {}, {128});
  add_constant<uint8_t>(g, "b", DType::UInt8, {4, 3}, random_values<uint8_t>(12, 0, 255, 3));
  add_scale(g, "b_scale", {0.01f});
  add_constant<uint8_t>(g, "b_zp", DType::UInt8, {}, {120});
  add_scale(g, "y_scale", {0.05f});
  add_constant<uint8_t>(g, "y_zp", DType::UInt8, {}, {100});
  g.nodes.push_back(make_node("mm", "QLinearMatMul", "",
                              {"a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "y_scale", "y_zp"},
                              {"y"}));
  add_output(g, "y");
  infer_shapes(g);
  EXPECT_EQ(g.tensor("y").dtype, DType::UInt8);
  EXPECT_EQ(g.tensor("y").shape, (Shape{2, 3}));
  Graph reference = g;
  expand_qoperators(reference);
  optimize(g);
  const Node& mm = only(g, "MatMul");
  EXPECT_EQ(g.tensor(mm.inputs[0]).dtype, DType::Int8);
  EXPECT_EQ(op_for(mm).lower(mm, g).function, "kiln_matmul_s8");
  TensorMap inputs;
  inputs["a"] = runtime_tensor(g, "a", random_values<uint8_t>(8, 0, 255, 4));
  const auto e = run_graph(reference, inputs).at("y");
  const auto a = run_graph(g, inputs).at("y");
  ASSERT_EQ(a.dtype, DType::UInt8);
  for (size_t i = 0; i < 6; ++i)
    EXPECT_LE(std::abs(int(e.values<uint8_t>()[i]) - int(a.values<uint8_t>()[i])), 1) << i;
}

TEST(QOperator, ContribQLinearAddExpandsAndLowersToIntegerAdd) {
  Graph g = Builder("qadd").input("a", {1, 4}, DType::Int8).input("b", {1, 4}, DType::Int8).build();
  add_scale(g, "a_scale", {0.02f});
  add_constant<int8_t>(g, "a_zp", DType::Int8, {}, {1});
  add_scale(g, "b_scale", {0.03f});
  add_constant<int8_t>(g, "b_zp", DType::Int8, {}, {-2});
  add_scale(g, "y_scale", {0.05f});
  add_constant<int8_t>(g, "y_zp", DType::Int8, {}, {0});
  g.nodes.push_back(make_node("add", "QLinearAdd", "com.microsoft",
                              {"a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "y_scale", "y_zp"},
                              {"y"}));
  add_output(g, "y");
  infer_shapes(g);
  Graph expanded = g;
  ASSERT_TRUE(expand_qoperators(expanded));
  const Node& add = only(expanded, "Add");
  EXPECT_TRUE(add.domain.empty());
  EXPECT_EQ(count_ops(expanded, "DequantizeLinear"), 2);
  optimize(g);
  const Node& lowered = only(g, "Add");
  EXPECT_EQ(g.tensor(lowered.inputs[0]).dtype, DType::Int8);
  EXPECT_EQ(count_ops(g, "QuantizeLinear"), 0);
}

TEST(QOperator, ContribQLinearConcatReadsTriples) {
  Graph g = Builder("qcat").input("a", {1, 2}, DType::Int8).input("b", {1, 3}, DType::Int8).build();
  add_scale(g, "y_scale", {0.1f});
  add_constant<int8_t>(g, "y_zp", DType::Int8, {}, {0});
  add_scale(g, "a_scale", {0.1f});
  add_constant<int8_t>(g, "a_zp", DType::Int8, {}, {0});
  add_scale(g, "b_scale", {0.2f});
  add_constant<int8_t>(g, "b_zp", DType::Int8, {}, {4});
  Node cat = make_node("cat", "QLinearConcat", "com.microsoft",
                       {"y_scale", "y_zp", "a", "a_scale", "a_zp", "b", "b_scale", "b_zp"}, {"y"});
  cat.attrs["axis"] = AttributeValue(int64_t{1});
  g.nodes.push_back(cat);
  add_output(g, "y");
  infer_shapes(g);
  EXPECT_EQ(g.tensor("y").shape, (Shape{1, 5}));
  expand_qoperators(g);
  EXPECT_EQ(count_ops(g, "Concat"), 1);
  EXPECT_EQ(count_ops(g, "DequantizeLinear"), 2);
}

// Single-input contrib ops: X, X_scale, X_zero_point, Y_scale, Y_zero_point.
Graph unary_contrib_graph(const std::string& op, Attributes attrs) {
  Graph g = Builder("qunary").input("x", {1, 2, 4, 4}, DType::Int8).build();
  add_scale(g, "x_scale", {0.05f});
  add_constant<int8_t>(g, "x_zp", DType::Int8, {}, {2});
  add_scale(g, "y_scale", {1.0f / 256.0f});
  add_constant<int8_t>(g, "y_zp", DType::Int8, {}, {-128});
  Node n = make_node("u", op, "com.microsoft", {"x", "x_scale", "x_zp", "y_scale", "y_zp"}, {"y"});
  n.attrs = std::move(attrs);
  g.nodes.push_back(n);
  add_output(g, "y");
  infer_shapes(g);
  return g;
}

TEST(QOperator, ContribQLinearSigmoidBecomesLookupTable) {
  Graph g = unary_contrib_graph("QLinearSigmoid", {});
  EXPECT_EQ(g.tensor("y").shape, (Shape{1, 2, 4, 4}));
  optimize(g);
  EXPECT_EQ(count_ops(g, "Lut"), 1);
  EXPECT_EQ(count_ops(g, "Sigmoid"), 0);
}

TEST(QOperator, ContribQLinearPoolsTakeTheFloatOpsGeometry) {
  Attributes pool;
  pool["kernel_shape"] = AttributeValue(std::vector<int64_t>{2, 2});
  pool["strides"] = AttributeValue(std::vector<int64_t>{2, 2});
  pool["channels_last"] = AttributeValue(int64_t{0});
  Graph avg = unary_contrib_graph("QLinearAveragePool", pool);
  EXPECT_EQ(avg.tensor("y").shape, (Shape{1, 2, 2, 2}));
  expand_qoperators(avg);
  const Node& p = only(avg, "AveragePool");
  EXPECT_FALSE(p.has_attr("channels_last"));
  Graph global = unary_contrib_graph("QLinearGlobalAveragePool", {});
  EXPECT_EQ(global.tensor("y").shape, (Shape{1, 2, 1, 1}));
  optimize(global);
  const Node& gp = only(global, "GlobalAveragePool");
  EXPECT_EQ(global.tensor(gp.inputs[0]).dtype, DType::Int8);
  Attributes last;
  last["channels_last"] = AttributeValue(int64_t{1});
  EXPECT_THROW(unary_contrib_graph("QLinearGlobalAveragePool", last), UnsupportedError);
}

TEST(QOperator, NonConstantScaleIsOneLineNamingNodeAndInput) {
  Graph g = qlinear_conv_graph(/*runtime_scale=*/true);
  try {
    infer_shapes(g);
    FAIL() << "expected UnsupportedError";
  } catch (const UnsupportedError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("node 'conv' (QLinearConv)"), std::string::npos) << what;
    EXPECT_NE(what.find("'x_scale' must be a compile-time constant"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos);
  }
}

// ConvInteger with a runtime uint8 input and a uint8 constant weight with per-channel zero
// points: uint8 becomes int8 (kiln.Requantize for the input), the op lowers to kiln_conv_acc_s8
// and the int32 results equal the definition sum (x - x_zp) * (w - w_zp[oc]).
TEST(QOperator, ConvIntegerUint8RuntimeInputMatchesDefinition) {
  Graph g = Builder("convint").input("x", {1, 1, 3, 3}, DType::UInt8).build();
  const std::vector<uint8_t> w = {1, 2, 3, 4, 200, 0, 255, 7};
  add_constant<uint8_t>(g, "w", DType::UInt8, {2, 1, 2, 2}, w);
  add_constant<uint8_t>(g, "x_zp", DType::UInt8, {}, {10});
  add_constant<uint8_t>(g, "w_zp", DType::UInt8, {2}, {1, 100});
  g.nodes.push_back(make_node("ci", "ConvInteger", "", {"x", "w", "x_zp", "w_zp"}, {"y"}));
  add_output(g, "y");
  infer_shapes(g);
  EXPECT_EQ(g.tensor("y").dtype, DType::Int32);
  EXPECT_EQ(g.tensor("y").shape, (Shape{1, 2, 2, 2}));
  optimize(g);
  EXPECT_EQ(count_ops(g, "Requantize"), 1);
  const Node& ci = only(g, "ConvInteger");
  EXPECT_EQ(op_for(ci).lower(ci, g).function, "kiln_conv_acc_s8");
  const std::vector<uint8_t> x = {0, 255, 10, 3, 128, 77, 250, 1, 9};
  TensorMap inputs;
  inputs["x"] = runtime_tensor(g, "x", x);
  const Tensor y = run_graph(g, inputs).at("y");
  ASSERT_EQ(y.dtype, DType::Int32);
  const int w_zp[2] = {1, 100};
  for (int oc = 0; oc < 2; ++oc)
    for (int oy = 0; oy < 2; ++oy)
      for (int ox = 0; ox < 2; ++ox) {
        int32_t sum = 0;
        for (int ky = 0; ky < 2; ++ky)
          for (int kx = 0; kx < 2; ++kx)
            sum +=
                (int(x[(oy + ky) * 3 + ox + kx]) - 10) * (int(w[oc * 4 + ky * 2 + kx]) - w_zp[oc]);
        EXPECT_EQ(y.values<int32_t>()[oc * 4 + oy * 2 + ox], sum) << oc << oy << ox;
      }
}

TEST(QOperator, MatMulIntegerInt8MatchesDefinition) {
  Graph g =
      Builder("mmint").input("a", {2, 3}, DType::Int8).input("b", {3, 2}, DType::Int8).build();
  add_constant<int8_t>(g, "a_zp", DType::Int8, {}, {-3});
  add_constant<int8_t>(g, "b_zp", DType::Int8, {2}, {5, -7});
  g.nodes.push_back(make_node("mi", "MatMulInteger", "", {"a", "b", "a_zp", "b_zp"}, {"y"}));
  add_output(g, "y");
  infer_shapes(g);
  optimize(g);
  const Node& mi = only(g, "MatMulInteger");
  EXPECT_EQ(op_for(mi).lower(mi, g).function, "kiln_matmul_acc_s8");
  const std::vector<int8_t> a = {-128, 127, 0, 5, -6, 7};
  const std::vector<int8_t> b = {1, -2, 3, -4, 100, -100};
  TensorMap inputs;
  inputs["a"] = runtime_tensor(g, "a", a);
  inputs["b"] = runtime_tensor(g, "b", b);
  const Tensor y = run_graph(g, inputs).at("y");
  const int b_zp[2] = {5, -7};
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      int32_t sum = 0;
      for (int k = 0; k < 3; ++k) sum += (a[i * 3 + k] + 3) * (b[k * 2 + j] - b_zp[j]);
      EXPECT_EQ(y.values<int32_t>()[i * 2 + j], sum);
    }
}

TEST(QOperator, ConvIntegerRuntimeZeroPointIsRejected) {
  Graph g = Builder("convint")
                .input("x", {1, 1, 3, 3}, DType::Int8)
                .input("x_zp", {}, DType::Int8)
                .build();
  add_constant<int8_t>(g, "w", DType::Int8, {1, 1, 2, 2}, {1, 2, 3, 4});
  g.nodes.push_back(make_node("ci", "ConvInteger", "", {"x", "w", "x_zp"}, {"y"}));
  add_output(g, "y");
  EXPECT_THROW(infer_shapes(g), UnsupportedError);
}

}  // namespace
}  // namespace kiln
