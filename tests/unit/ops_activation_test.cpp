// Stand-alone activation ops and Clip in all its forms.
#include <cmath>
#include <limits>

#include "ir/error.hpp"
#include "ops_elementwise_harness.hpp"

namespace kiln {
namespace {

using namespace kiln::testing;

const Tensor kX = floats("x", {2, 3}, {-4, -1, 0, 0.5f, 2, 8});

Tensor run_activation(const char* op, Attributes attrs = {}) {
  return run_op(make_node(op, {"x"}, {"y"}, std::move(attrs)), {kX}).at("y");
}

float sigmoid(float v) {
  return 1.0f / (1.0f + std::exp(-v));
}

TEST(OpsActivation, ReluLeakyReluSigmoidTanh) {
  expect_floats_near(run_activation("Relu"), {0, 0, 0, 0.5f, 2, 8});
  expect_floats_near(run_activation("LeakyRelu"), {-0.04f, -0.01f, 0, 0.5f, 2, 8});
  expect_floats_near(run_activation("LeakyRelu", {{"alpha", 0.5f}}), {-2, -0.5f, 0, 0.5f, 2, 8});
  expect_floats_near(run_activation("Sigmoid"),
                     {sigmoid(-4), sigmoid(-1), 0.5f, sigmoid(0.5f), sigmoid(2), sigmoid(8)});
  expect_floats_near(run_activation("Tanh"), {std::tanh(-4.0f), std::tanh(-1.0f), 0,
                                              std::tanh(0.5f), std::tanh(2.0f), std::tanh(8.0f)});
}

TEST(OpsActivation, HardSigmoidAndHardSwish) {
  // Defaults alpha 0.2, beta 0.5.
  expect_floats_near(run_activation("HardSigmoid"), {0, 0.3f, 0.5f, 0.6f, 0.9f, 1});
  expect_floats_near(run_activation("HardSigmoid", {{"alpha", 0.5f}, {"beta", 0.25f}}),
                     {0, 0, 0.25f, 0.5f, 1, 1});
  // x * clamp(x/6 + 0.5, 0, 1)
  expect_floats_near(run_activation("HardSwish"),
                     {0, -1 * (1.0f / 3), 0, 0.5f * (0.5f / 6 + 0.5f), 2 * (2.0f / 6 + 0.5f), 8});
}

TEST(OpsActivation, StandAloneActivationsUseTheActivationKernel) {
  Graph graph;
  run_op(make_node("HardSigmoid", {"x"}), {kX}, 18, &graph);
  KernelCall call = op_for(graph.nodes[0]).lower(graph.nodes[0], graph);
  EXPECT_EQ(call.function, "kiln_activation_f32");
}

TEST(OpsActivation, ClipOpset6Attributes) {
  Graph graph;
  TensorMap out =
      run_op(make_node("Clip", {"x"}, {"y"}, {{"min", -1.0f}, {"max", 1.0f}}), {kX}, 6, &graph);
  expect_floats_near(out.at("y"), {-1, -1, 0, 0.5f, 1, 1});
  EXPECT_FALSE(graph.nodes[0].has_attr("min"));
  EXPECT_EQ(graph.nodes[0].inputs.size(), 3u);
  // Only max given: min input stays absent.
  out = run_op(make_node("Clip", {"x"}, {"y"}, {{"max", 1.0f}}), {kX}, 6, &graph);
  expect_floats_near(out.at("y"), {-4, -1, 0, 0.5f, 1, 1});
  EXPECT_EQ(graph.nodes[0].inputs, (std::vector<std::string>{"x", "", graph.nodes[0].inputs[2]}));
}

TEST(OpsActivation, ClipInputsWithMissingMinOrMax) {
  Tensor lo = floats("lo", {}, {-2}, true);
  Tensor hi = floats("hi", {}, {1}, true);
  expect_floats_near(run_op(make_node("Clip", {"x", "lo", "hi"}), {kX, lo, hi}).at("y"),
                     {-2, -1, 0, 0.5f, 1, 1});
  expect_floats_near(run_op(make_node("Clip", {"x", "", "hi"}), {kX, hi}).at("y"),
                     {-4, -1, 0, 0.5f, 1, 1});
  expect_floats_near(run_op(make_node("Clip", {"x", "lo"}), {kX, lo}).at("y"),
                     {-2, -1, 0, 0.5f, 2, 8});
  expect_floats_near(run_op(make_node("Clip", {"x"}), {kX}).at("y"), {-4, -1, 0, 0.5f, 2, 8});
  // Infinity stays infinite when a side is unbounded.
  Tensor inf =
      floats("inf", {2},
             {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()});
  std::vector<float> got =
      values_of<float>(run_op(make_node("Clip", {"inf", "lo"}), {inf, lo}).at("y"));
  EXPECT_TRUE(std::isinf(got[0]));
  EXPECT_EQ(got[1], -2.0f);
}

TEST(OpsActivation, ClipRuntimeBoundsAndMinAboveMax) {
  Graph graph;
  Tensor lo = floats("lo", {}, {3});
  Tensor hi = floats("hi", {}, {1});
  // min > max: every element becomes max, as ONNX specifies.
  expect_floats_near(run_op(make_node("Clip", {"x", "lo", "hi"}), {kX, lo, hi}, 18, &graph).at("y"),
                     {1, 1, 1, 1, 1, 1});
  EXPECT_EQ(op_for(graph.nodes[0]).lower(graph.nodes[0], graph).function,
            "kiln_activation_clip_f32");
  hi = floats("hi", {}, {5});
  expect_floats_near(run_op(make_node("Clip", {"x", "", "hi"}), {kX, hi}).at("y"),
                     {-4, -1, 0, 0.5f, 2, 5});
}

TEST(OpsActivation, ClipIntegers) {
  Tensor x = make_input<int8_t>("x", DType::Int8, {4}, {-128, -3, 7, 127});
  Tensor lo = make_input<int8_t>("lo", DType::Int8, {}, {-5});
  Tensor hi = make_input<int8_t>("hi", DType::Int8, {}, {5}, true);
  EXPECT_EQ(values_of<int8_t>(run_op(make_node("Clip", {"x", "lo", "hi"}), {x, lo, hi}).at("y")),
            (std::vector<int8_t>{-5, -3, 5, 5}));
  EXPECT_EQ(values_of<int8_t>(run_op(make_node("Clip", {"x", "", "hi"}), {x, hi}).at("y")),
            (std::vector<int8_t>{-128, -3, 5, 5}));
  EXPECT_THROW(run_op(make_node("Clip", {"x", "lo"}), {x, floats("lo", {}, {0})}), Error);
}

TEST(OpsActivation, RejectsNonFloatInput) {
  EXPECT_THROW(run_op(make_node("Relu", {"x"}), {int64s("x", {1}, {1})}), Error);
  EXPECT_THROW(run_op(make_node("Sigmoid", {"x"}), {int64s("x", {1}, {1})}), Error);
}

}  // namespace
}  // namespace kiln
