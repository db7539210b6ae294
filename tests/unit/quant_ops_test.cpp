// PTQ on a hand-built graph with the ops MNIST lacks: MatMul with a constant B (per-column
// weights, axis 1), Add with a constant operand, a float-only op in the middle (Exp is not
// quantized by config), Concat of two branches and a Softmax with fixed output parameters. The
// QDQ graph and the lowered integer graph both stay close to the float graph.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>
#include <random>
#include <set>

#include "interpreter/interpreter.hpp"
#include "ops/op_registry.hpp"
#include "pass_test_util.hpp"
#include "quant/quant_math.hpp"
#include "quant/quantize.hpp"
#include "quant_int16_chain.hpp"

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

QuantizeOptions int16_options(DType activations, bool float_io) {
  QuantizeOptions o;
  o.enabled = true;
  o.progress = false;
  o.float_io = float_io;
  o.defaults.activations = activations;
  return o;
}

// The issue: an int16 layer's activation precision is honoured. The pools, Concat, Pad and the
// Sigmoid table now run on int16 tensors with no int8 island and no kiln.Requantize in between,
// the report carries no "runs in int8" note, and the result tracks the float graph more
// closely than the int8 build.
TEST(QuantOps, Int16PoolsConcatPadAndLutsRunInInt16) {
  KILN_REQUIRE_OPS("Conv", "MaxPool", "AveragePool", "Concat", "Pad", "Sigmoid",
                   "GlobalAveragePool", "GlobalMaxPool", "Add");
  const Graph reference = pass_test::int16_op_chain();
  const auto calib = samples(reference, 8);
  Graph g = reference;
  const QuantizeReport report = quantize_graph(g, int16_options(DType::Int16, false), calib);
  g.verify();
  for (const auto& [name, entry] : report.nodes.items())
    EXPECT_FALSE(entry.contains("note")) << name << ": " << entry.dump();
  std::set<std::string> kernels;
  for (const Node& n : g.nodes) {
    EXPECT_NE(n.op_type, "Requantize") << n.name;
    EXPECT_NE(n.op_type, "QuantizeLinear") << n.name;
    EXPECT_NE(n.op_type, "DequantizeLinear") << n.name;
    for (const std::string& t : n.inputs)
      if (!t.empty() && !g.tensor(t).constant)
        EXPECT_EQ(g.tensor(t).dtype, DType::Int16) << n.name << " reads " << t;
    EXPECT_EQ(g.tensor(n.outputs[0]).dtype, DType::Int16) << n.name;
    kernels.insert(op_for(n).lower(n, g).function);
  }
  for (const char* k : {"kiln_conv_s16", "kiln_max_pool_s16", "kiln_average_pool_s16",
                        "kiln_lut_s16", "kiln_global_average_pool_s16", "kiln_binary_s16"})
    EXPECT_TRUE(kernels.count(k)) << k;
  // Accuracy against the float graph (float I/O builds, so both read the same float input).
  Graph g16 = reference, g8 = reference;
  quantize_graph(g16, int16_options(DType::Int16, true), calib);
  quantize_graph(g8, int16_options(DType::Int8, true), calib);
  double worst16 = 0.0, worst8 = 0.0;
  for (unsigned seed = 500; seed < 510; ++seed) {
    const TensorMap input = pass_test::random_inputs(reference, seed);
    worst16 = std::max(worst16, max_abs_diff(reference, g16, input));
    worst8 = std::max(worst8, max_abs_diff(reference, g8, input));
  }
  RecordProperty("max_abs_error_int16", std::to_string(worst16));
  RecordProperty("max_abs_error_int8", std::to_string(worst8));
  std::cout << "int16 chain: max |error| vs float " << worst16 << " (int8 build " << worst8
            << ")\n";
  // The weights stay int8 in both builds (16x8), so their rounding bounds the gain.
  EXPECT_LT(worst16, 2e-3);
  EXPECT_LT(worst16 * 4, worst8);
}

// An int16 Concat of branches with their own parameters: the inputs are rescaled by int16 ->
// int16 kiln.Requantize nodes (kiln_requantize), the Concat itself runs on int16.
TEST(QuantOps, Int16ConcatRescalesItsInputsInInt16) {
  KILN_REQUIRE_OPS("Conv", "Concat");
  Builder b("quant_int16_concat");
  b.input("x", {1, 2, 5, 5})
      .random("w1", {3, 2, 1, 1}, -0.2f, 0.2f)
      .random("w2", {3, 2, 1, 1}, -2.0f, 2.0f)
      .node("Conv", {"x", "w1"}, {"c1"}, {{"kernel_shape", std::vector<int64_t>{1, 1}}})
      .node("Conv", {"x", "w2"}, {"c2"}, {{"kernel_shape", std::vector<int64_t>{1, 1}}})
      .node("Concat", {"c1", "c2"}, {"y"}, {{"axis", int64_t{1}}})
      .output("y");
  const Graph reference = b.inferred();
  const auto calib = samples(reference, 8);
  Graph g = reference;
  const QuantizeReport report = quantize_graph(g, int16_options(DType::Int16, true), calib);
  int requantizes = 0;
  bool concat16 = false;
  for (const Node& n : g.nodes) {
    if (n.op_type == "Requantize") {
      EXPECT_EQ(g.tensor(n.inputs[0]).dtype, DType::Int16) << n.name;
      EXPECT_EQ(g.tensor(n.outputs[0]).dtype, DType::Int16) << n.name;
      ++requantizes;
    }
    if (n.op_type == "Concat") {
      for (const std::string& in : n.inputs) EXPECT_EQ(g.tensor(in).dtype, DType::Int16);
      EXPECT_EQ(g.tensor(n.outputs[0]).dtype, DType::Int16);
      concat16 = true;
    }
  }
  EXPECT_TRUE(concat16);
  EXPECT_GE(requantizes, 1);
  for (const auto& [name, entry] : report.nodes.items()) EXPECT_FALSE(entry.contains("note"));
  // Against the QDQ graph (same int8 weights, float arithmetic between Q/DQ pairs): the integer
  // rescaling adds no more than rounding.
  QuantizeOptions qdq_options = int16_options(DType::Int16, true);
  qdq_options.lower = false;
  Graph qdq = reference;
  quantize_graph(qdq, qdq_options, calib);
  const float y_scale = report.tensors.at("y").at("scale").get<float>();
  for (const TensorMap& s : calib) EXPECT_LE(max_abs_diff(qdq, g, s), 2.01 * y_scale);
}

// Slice and Identity move int16 bytes like any other: they stay in the int16 layer.
TEST(QuantOps, Int16SliceAndIdentityStayInt16) {
  KILN_REQUIRE_OPS("Conv", "Slice", "Identity");
  Builder b("quant_int16_slice");
  b.input("x", {1, 2, 5, 5})
      .random("w", {4, 2, 1, 1}, -0.5f, 0.5f)
      .node("Conv", {"x", "w"}, {"c"}, {{"kernel_shape", std::vector<int64_t>{1, 1}}})
      .ints("starts", {1}, {1})
      .ints("ends", {1}, {3})
      .ints("axes", {1}, {1})
      .node("Slice", {"c", "starts", "ends", "axes"}, {"s"})
      .node("Identity", {"s"}, {"y"})
      .output("y");
  const Graph reference = b.inferred();
  const auto calib = samples(reference, 4);
  Graph g = reference;
  const QuantizeReport report = quantize_graph(g, int16_options(DType::Int16, false), calib);
  for (const auto& [name, entry] : report.nodes.items())
    EXPECT_FALSE(entry.contains("note")) << name << ": " << entry.dump();
  int moved = 0;
  for (const Node& n : g.nodes) {
    // At most the copy that gives the graph output its name: int16 to int16, same parameters.
    if (n.op_type == "Requantize") {
      const Tensor& in = g.tensor(n.inputs[0]);
      EXPECT_EQ(in.dtype, DType::Int16) << n.name;
      EXPECT_EQ(in.quant->scales, g.tensor(n.outputs[0]).quant->scales) << n.name;
    }
    EXPECT_EQ(g.tensor(n.outputs[0]).dtype, DType::Int16) << n.name;
    moved += n.op_type == "Slice" || n.op_type == "Identity";
  }
  EXPECT_GE(moved, 1);
}

// int16 Softmax (kiln_softmax_s16): the output (fixed 1/32768, 0) against the float softmax of
// the dequantized input, rounded to the output's step, on random int16 inputs.
TEST(QuantOps, Int16SoftmaxTracksTheFloatSoftmax) {
  KILN_REQUIRE_OPS("Softmax");
  Builder b("quant_int16_softmax");
  b.input("x", {8, 40}).node("Softmax", {"x"}, {"y"}, {{"axis", int64_t{1}}}).output("y");
  const Graph reference = b.inferred();
  std::vector<TensorMap> calib;
  for (unsigned i = 0; i < 4; ++i) {
    TensorMap s = pass_test::random_inputs(reference, 70 + i);
    for (float& v : s.at("x").mutable_values<float>()) v *= 6.0f;  // logits in [-6, 6]
    calib.push_back(std::move(s));
  }
  Graph g = reference;
  const QuantizeReport report = quantize_graph(g, int16_options(DType::Int16, false), calib);
  ASSERT_EQ(g.nodes.size(), 1u);
  ASSERT_EQ(op_for(g.nodes[0]).lower(g.nodes[0], g).function, "kiln_softmax_s16");
  for (const auto& [name, entry] : report.nodes.items()) EXPECT_FALSE(entry.contains("note"));
  const QuantParams& xq = *g.tensor("x").quant;
  const QuantParams& yq = *g.tensor("y").quant;
  EXPECT_FLOAT_EQ(yq.scales[0], 1.0f / 32768.0f);
  std::mt19937 rng(71);
  std::uniform_int_distribution<int> value(-32768, 32767);
  int worst = 0;
  int64_t exact = 0, total = 0;
  for (int trial = 0; trial < 50; ++trial) {
    Tensor x = g.tensor("x");
    x.data.resize(static_cast<size_t>(x.bytes()));
    auto xs = x.mutable_values<int16_t>();
    // Half the rows spread over the whole range, half close together (no saturated outputs).
    for (size_t i = 0; i < xs.size(); ++i)
      xs[i] = static_cast<int16_t>(trial % 2 ? value(rng) : value(rng) / 16);
    const Tensor y_tensor = run_graph(g, {{"x", x}}).at("y");
    const auto y = y_tensor.values<int16_t>();
    for (int row = 0; row < 8; ++row) {
      double max = -1e30, sum = 0.0;
      std::vector<double> real(40);
      for (int i = 0; i < 40; ++i) {
        real[i] = static_cast<double>(xs[row * 40 + i] - xq.zero_points[0]) * xq.scales[0];
        max = std::max(max, real[i]);
      }
      for (double& r : real) sum += r = std::exp(r - max);
      for (int i = 0; i < 40; ++i) {
        const double want = std::min(std::nearbyint(real[i] / sum * 32768.0), 32767.0);
        const int err = std::abs(y[row * 40 + i] - static_cast<int>(want));
        worst = std::max(worst, err);
        exact += err == 0;
        ++total;
      }
    }
  }
  std::cout << "int16 Softmax: max error " << worst << " LSB (1/32768), exact " << exact << " / "
            << total << "\n";
  RecordProperty("max_error_lsb", worst);
  EXPECT_LE(worst, 2);
}

// The int16 element-wise functions: a 513-entry interpolation table per function, checked on
// all 65536 int16 inputs against the float function rounded to the output's quantization
// (computed here in double).
TEST(QuantOps, Int16LutTablesStayWithinOneLsbOfTheFloatFunction) {
  struct Case {
    const char* op;
    std::function<double(double)> f;
    float lo, hi;  // calibration range of the input
    float alpha = 0.0f;
  };
  const std::vector<Case> cases = {
      {"Sigmoid", [](double x) { return 1.0 / (1.0 + std::exp(-x)); }, -8.0f, 8.0f},
      {"Sigmoid", [](double x) { return 1.0 / (1.0 + std::exp(-x)); }, -1.0f, 1.0f},
      {"Tanh", [](double x) { return std::tanh(x); }, -4.0f, 4.0f},
      {"HardSwish", [](double x) { return x * std::clamp(x + 3.0, 0.0, 6.0) / 6.0; }, -6.0f, 6.0f},
      {"LeakyRelu", [](double x) { return x > 0 ? x : 0.1 * x; }, -5.0f, 5.0f, 0.1f},
      {"Elu", [](double x) { return x > 0 ? x : std::exp(x) - 1.0; }, -4.0f, 4.0f, 1.0f},
      {"Softplus", [](double x) { return std::log1p(std::exp(x)); }, -6.0f, 6.0f},
      {"Exp", [](double x) { return std::exp(x); }, -4.0f, 4.0f},
      {"Erf", [](double x) { return std::erf(x); }, -3.0f, 3.0f},
  };
  for (const Case& c : cases) {
    if (!find_op("", c.op)) continue;
    SCOPED_TRACE(std::string(c.op) + " over [" + std::to_string(c.lo) + ", " +
                 std::to_string(c.hi) + "]");
    Builder b("lut16");
    b.input("x", {1, 65536});
    if (c.alpha != 0.0f)
      b.node(c.op, {"x"}, {"y"}, {{"alpha", c.alpha}});
    else
      b.node(c.op, {"x"}, {"y"});
    b.output("y");
    const Graph reference = b.inferred();
    Tensor sample = pass_test::random_inputs(reference, 1).at("x");
    auto values = sample.mutable_values<float>();
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = c.lo + (c.hi - c.lo) * static_cast<float>(i) / (values.size() - 1);
    Graph g = reference;
    quantize_graph(g, int16_options(DType::Int16, false),
                   std::vector<TensorMap>{TensorMap{{"x", sample}}});
    ASSERT_EQ(g.nodes.size(), 1u);
    ASSERT_EQ(g.nodes[0].op_type, "Lut");
    ASSERT_EQ(op_for(g.nodes[0]).lower(g.nodes[0], g).function, "kiln_lut_s16");
    const QuantParams& xq = *g.tensor("x").quant;
    const QuantParams& yq = *g.tensor("y").quant;
    Tensor all = g.tensor("x");
    all.data.resize(2 * 65536);
    for (int32_t q = -32768; q <= 32767; ++q) all.mutable_values<int16_t>()[q + 32768] = q;
    const Tensor out = run_graph(g, {{"x", all}}).at("y");
    int worst = 0;
    int32_t worst_at = 0;
    int64_t exact = 0;
    for (int32_t q = -32768; q <= 32767; ++q) {
      const double real = static_cast<double>(q - xq.zero_points[0]) * xq.scales[0];
      const double want = std::clamp(std::nearbyint(c.f(real) / yq.scales[0]) + yq.zero_points[0],
                                     -32768.0, 32767.0);
      const int err = std::abs(out.values<int16_t>()[q + 32768] - static_cast<int>(want));
      if (err > worst) {
        worst = err;
        worst_at = q;
      }
      exact += err == 0;
    }
    std::cout << c.op << " [" << c.lo << ", " << c.hi << "]: max error " << worst << " LSB (input "
              << worst_at << "), exact " << exact << " / 65536\n";
    EXPECT_LE(worst, 1);
  }
}

}  // namespace
}  // namespace kiln
