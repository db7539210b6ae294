// Broadcasting binary, variadic and unary math ops: values computed by hand.
#include <cmath>
#include <limits>

#include "ir/error.hpp"
#include "ops/elementwise_lowering.hpp"
#include "ops_elementwise_harness.hpp"

namespace kiln {
namespace {

using namespace kiln::testing;

std::vector<float> iota(int n, float start = 0.0f) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = start + static_cast<float>(i);
  return v;
}

TEST(OpsElementwise, AddBroadcasts2x3x4With3x1) {
  TensorMap out = run_op(make_node("Add", {"a", "b"}),
                         {floats("a", {2, 3, 4}, iota(24)), floats("b", {3, 1}, {10, 20, 30})});
  std::vector<float> expected;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k)
        expected.push_back(static_cast<float>(i * 12 + j * 4 + k + 10 * (j + 1)));
  EXPECT_EQ(out.at("y").shape, (Shape{2, 3, 4}));
  expect_floats_near(out.at("y"), expected);
}

TEST(OpsElementwise, BroadcastOfBothSides) {
  // [3,1] - [1,2] -> [3,2]
  TensorMap out = run_op(make_node("Sub", {"a", "b"}),
                         {floats("a", {3, 1}, {1, 2, 3}), floats("b", {1, 2}, {10, 100})});
  EXPECT_EQ(out.at("y").shape, (Shape{3, 2}));
  expect_floats_near(out.at("y"), {-9, -99, -8, -98, -7, -97});
}

TEST(OpsElementwise, ScalarOperandOnEitherSide) {
  TensorMap out = run_op(make_node("Div", {"a", "b"}),
                         {floats("a", {}, {12}), floats("b", {2, 2}, {1, 2, 3, 4})});
  EXPECT_EQ(out.at("y").shape, (Shape{2, 2}));
  expect_floats_near(out.at("y"), {12, 6, 4, 3});
  out = run_op(make_node("Sub", {"a", "b"}),
               {floats("a", {2, 2}, {1, 2, 3, 4}), floats("b", {}, {1})});
  expect_floats_near(out.at("y"), {0, 1, 2, 3});
}

TEST(OpsElementwise, MulAppliesFusedActivation) {
  Node node = make_node("Mul", {"a", "b"});
  node.activation = {Activation::Relu, 0.0f, 0.0f};
  TensorMap out =
      run_op(node, {floats("a", {4}, {1, -2, 3, -4}), floats("b", {4}, {2, 2, -1, -1})});
  expect_floats_near(out.at("y"), {2, 0, 0, 4});
}

TEST(OpsElementwise, IntegerDivTruncatesTowardZeroAndZeroDivisorGivesZero) {
  TensorMap out = run_op(make_node("Div", {"a", "b"}), {int64s("a", {5}, {7, -7, 7, -7, 5}),
                                                        int64s("b", {5}, {2, 2, -2, -2, 0})});
  EXPECT_EQ(values_of<int64_t>(out.at("y")), (std::vector<int64_t>{3, -3, -3, 3, 0}));
}

TEST(OpsElementwise, Int32AndInt8ArithmeticWrapsLikeNumpy) {
  TensorMap out = run_op(make_node("Add", {"a", "b"}),
                         {make_input<int8_t>("a", DType::Int8, {3}, {100, -100, 5}),
                          make_input<int8_t>("b", DType::Int8, {1}, {100})});
  EXPECT_EQ(values_of<int8_t>(out.at("y")), (std::vector<int8_t>{-56, 0, 105}));
  out = run_op(make_node("Mul", {"a", "b"}),
               {make_input<int32_t>("a", DType::Int32, {2, 1}, {3, -4}),
                make_input<int32_t>("b", DType::Int32, {3}, {1, 2, 3})});
  EXPECT_EQ(values_of<int32_t>(out.at("y")), (std::vector<int32_t>{3, 6, 9, -4, -8, -12}));
}

TEST(OpsElementwise, ShapeArithmeticOnConstantsIsFolded) {
  Graph graph;
  TensorMap out = run_op(make_node("Mul", {"a", "b"}),
                         {int64s("a", {2}, {3, 5}, true), int64s("b", {}, {4}, true)}, 18, &graph);
  EXPECT_TRUE(graph.tensor("y").constant);
  EXPECT_EQ(values_of<int64_t>(out.at("y")), (std::vector<int64_t>{12, 20}));
}

TEST(OpsElementwise, MaxMinSumMeanAreVariadic) {
  const std::vector<Tensor> inputs = {floats("a", {2, 2}, {1, 5, -3, 0}), floats("b", {2}, {2, 2}),
                                      floats("c", {}, {0.5f})};
  expect_floats_near(run_op(make_node("Max", {"a", "b", "c"}), inputs).at("y"), {2, 5, 2, 2});
  expect_floats_near(run_op(make_node("Min", {"a", "b", "c"}), inputs).at("y"),
                     {0.5f, 0.5f, -3, 0});
  expect_floats_near(run_op(make_node("Sum", {"a", "b", "c"}), inputs).at("y"),
                     {3.5f, 7.5f, -0.5f, 2.5f});
  expect_floats_near(run_op(make_node("Mean", {"a", "b", "c"}), inputs).at("y"),
                     {3.5f / 3, 7.5f / 3, -0.5f / 3, 2.5f / 3});
  expect_floats_near(run_op(make_node("Mean", {"a", "b"}), inputs).at("y"), {1.5f, 3.5f, -0.5f, 1});
  expect_floats_near(run_op(make_node("Max", {"a", "b"}), inputs).at("y"), {2, 5, 2, 2});
  expect_floats_near(run_op(make_node("Sum", {"a"}), inputs).at("y"), {1, 5, -3, 0});
  TensorMap out =
      run_op(make_node("Max", {"a", "b", "c"}),
             {int64s("a", {3}, {1, 9, -4}), int64s("b", {3}, {2, 3, -5}), int64s("c", {1}, {0})});
  EXPECT_EQ(values_of<int64_t>(out.at("y")), (std::vector<int64_t>{2, 9, 0}));
}

TEST(OpsElementwise, PowOfEqualAndMixedTypes) {
  expect_floats_near(
      run_op(make_node("Pow", {"a", "b"}), {floats("a", {3}, {2, 3, 4}), floats("b", {1}, {0.5f})})
          .at("y"),
      {std::sqrt(2.0f), std::sqrt(3.0f), 2.0f});
  TensorMap out = run_op(make_node("Pow", {"a", "b"}),
                         {floats("a", {3}, {2, -3, 4}), int64s("b", {3}, {3, 2, -1})});
  expect_floats_near(out.at("y"), {8, 9, 0.25f});
  out = run_op(make_node("Pow", {"a", "b"}),
               {make_input<int32_t>("a", DType::Int32, {3}, {2, 3, 4}), floats("b", {1}, {1.5f})});
  EXPECT_EQ(values_of<int32_t>(out.at("y")), (std::vector<int32_t>{2, 5, 8}));
  out = run_op(make_node("Pow", {"a", "b"}),
               {int64s("a", {3}, {2, -3, 7}), int64s("b", {3}, {10, 3, 0})});
  EXPECT_EQ(values_of<int64_t>(out.at("y")), (std::vector<int64_t>{1024, -27, 1}));
}

TEST(OpsElementwise, PReluBroadcastsSlopePerChannel) {
  TensorMap out = run_op(
      make_node("PRelu", {"x", "slope"}),
      {floats("x", {1, 3, 2}, {-1, 2, -3, 4, -5, 6}), floats("slope", {3, 1}, {0.1f, 0.2f, 0.3f})});
  expect_floats_near(out.at("y"), {-0.1f, 2, -0.6f, 4, -1.5f, 6});
}

TEST(OpsElementwise, RejectsMismatchedTypesAndShapes) {
  EXPECT_THROW(
      run_op(make_node("Add", {"a", "b"}), {floats("a", {2}, {1, 2}), int64s("b", {2}, {1, 2})}),
      Error);
  EXPECT_THROW(run_op(make_node("Add", {"a", "b"}),
                      {floats("a", {2, 3}, iota(6)), floats("b", {2}, {1, 2})}),
               Error);
  EXPECT_THROW(run_op(make_node("PRelu", {"x", "s"}),
                      {floats("x", {2}, {1, 2}), floats("s", {2, 2}, iota(4))}),
               Error);
  EXPECT_THROW(run_op(make_node("Sqrt", {"x"}), {int64s("x", {2}, {1, 4})}), Error);
  EXPECT_THROW(
      run_op(make_node("Add", {"a", "b"}), {make_input<uint8_t>("a", DType::Bool, {1}, {1}),
                                            make_input<uint8_t>("b", DType::Bool, {1}, {1})}),
      Error);
  try {
    run_op(make_node("Mul", {"a", "b"}), {floats("a", {3}, {1, 2, 3}), floats("b", {2}, {1, 2})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'n_Mul' (Mul)"), std::string::npos) << e.what();
  }
}

TEST(OpsElementwise, UnaryMath) {
  const Tensor x = floats("x", {4}, {-1.5f, 0.25f, 1, 4});
  auto run = [&](const char* op, Attributes attrs = {}) {
    return run_op(make_node(op, {"x"}, {"y"}, std::move(attrs)), {x}).at("y");
  };
  expect_floats_near(run("Exp"),
                     {std::exp(-1.5f), std::exp(0.25f), std::exp(1.0f), std::exp(4.0f)});
  std::vector<float> logs = values_of<float>(run("Log"));
  EXPECT_TRUE(std::isnan(logs[0]));
  EXPECT_NEAR(logs[3], std::log(4.0f), 1e-6);
  expect_floats_near(run("Abs"), {1.5f, 0.25f, 1, 4});
  expect_floats_near(run("Neg"), {1.5f, -0.25f, -1, -4});
  expect_floats_near(run("Reciprocal"), {-1 / 1.5f, 4, 1, 0.25f});
  expect_floats_near(run("Erf"),
                     {std::erf(-1.5f), std::erf(0.25f), std::erf(1.0f), std::erf(4.0f)});
  expect_floats_near(run("Floor"), {-2, 0, 1, 4});
  expect_floats_near(run("Ceil"), {-1, 1, 1, 4});
  expect_floats_near(run("Elu", {{"alpha", 2.0f}}), {2 * std::expm1(-1.5f), 0.25f, 1, 4});
  expect_floats_near(run("Selu"), {1.0507010f * 1.6732632f * std::expm1(-1.5f), 1.0507010f * 0.25f,
                                   1.0507010f, 1.0507010f * 4});
  std::vector<float> roots = values_of<float>(run("Sqrt"));
  EXPECT_TRUE(std::isnan(roots[0]));
  EXPECT_FLOAT_EQ(roots[3], 2.0f);
}

TEST(OpsElementwise, IntegerAbsAndNeg) {
  TensorMap out = run_op(make_node("Abs", {"x"}), {int64s("x", {3}, {-3, 0, 7})});
  EXPECT_EQ(values_of<int64_t>(out.at("y")), (std::vector<int64_t>{3, 0, 7}));
  out = run_op(make_node("Neg", {"x"}), {make_input<int8_t>("x", DType::Int8, {3}, {-128, 5, 0})});
  EXPECT_EQ(values_of<int8_t>(out.at("y")), (std::vector<int8_t>{-128, -5, 0}));
}

TEST(OpsElementwise, ComparisonsLogicAndWhere) {
  const Tensor a = floats("a", {2, 2}, {1, 2, 3, 4});
  const Tensor b = floats("b", {2}, {2, 3});
  auto compare = [&](const char* op) {
    return values_of<uint8_t>(run_op(make_node(op, {"a", "b"}), {a, b}).at("y"));
  };
  EXPECT_EQ(compare("Less"), (std::vector<uint8_t>{1, 1, 0, 0}));
  EXPECT_EQ(compare("LessOrEqual"), (std::vector<uint8_t>{1, 1, 0, 0}));
  EXPECT_EQ(compare("Greater"), (std::vector<uint8_t>{0, 0, 1, 1}));
  EXPECT_EQ(compare("GreaterOrEqual"), (std::vector<uint8_t>{0, 0, 1, 1}));
  TensorMap out =
      run_op(make_node("Equal", {"a", "b"}), {int64s("a", {3}, {1, 2, 3}), int64s("b", {1}, {2})});
  EXPECT_EQ(out.at("y").dtype, DType::Bool);
  EXPECT_EQ(values_of<uint8_t>(out.at("y")), (std::vector<uint8_t>{0, 1, 0}));
  const Tensor p = make_input<uint8_t>("p", DType::Bool, {4}, {0, 0, 1, 1});
  const Tensor q = make_input<uint8_t>("q", DType::Bool, {4}, {0, 1, 0, 1});
  EXPECT_EQ(values_of<uint8_t>(run_op(make_node("And", {"p", "q"}), {p, q}).at("y")),
            (std::vector<uint8_t>{0, 0, 0, 1}));
  EXPECT_EQ(values_of<uint8_t>(run_op(make_node("Or", {"p", "q"}), {p, q}).at("y")),
            (std::vector<uint8_t>{0, 1, 1, 1}));
  EXPECT_EQ(values_of<uint8_t>(run_op(make_node("Xor", {"p", "q"}), {p, q}).at("y")),
            (std::vector<uint8_t>{0, 1, 1, 0}));
  EXPECT_EQ(values_of<uint8_t>(run_op(make_node("Not", {"p"}), {p}).at("y")),
            (std::vector<uint8_t>{1, 1, 0, 0}));
  // Where broadcasts condition [2,1] against x [2,2] and a scalar y.
  out = run_op(make_node("Where", {"c", "a", "z"}),
               {make_input<uint8_t>("c", DType::Bool, {2, 1}, {1, 0}), a, floats("z", {}, {-1})});
  expect_floats_near(out.at("y"), {1, 2, -1, -1});
  EXPECT_THROW(run_op(make_node("And", {"a", "b"}), {a, b}), Error);
}

TEST(OpsElementwise, BroadcastLayoutMergesDims) {
  Node node = make_node("Add", {"a", "b"});
  BroadcastLayout equal = broadcast_layout(node, {2, 3, 4}, {{2, 3, 4}, {2, 3, 4}});
  EXPECT_EQ(equal.shape, (std::vector<int64_t>{24}));
  EXPECT_EQ(equal.strides[1], (std::vector<int64_t>{1}));
  BroadcastLayout scalar = broadcast_layout(node, {2, 3}, {{2, 3}, {}});
  EXPECT_EQ(scalar.shape, (std::vector<int64_t>{6}));
  EXPECT_EQ(scalar.strides[1], (std::vector<int64_t>{0}));
  BroadcastLayout mixed = broadcast_layout(node, {2, 3, 4}, {{2, 3, 4}, {3, 1}});
  EXPECT_EQ(mixed.shape, (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(mixed.strides[0], (std::vector<int64_t>{12, 4, 1}));
  EXPECT_EQ(mixed.strides[1], (std::vector<int64_t>{0, 1, 0}));
  // Channel bias on NCHW: [1,8,5,5] + [8,1,1] -> dims 5x5 merge into 25.
  BroadcastLayout bias = broadcast_layout(node, {1, 8, 5, 5}, {{1, 8, 5, 5}, {8, 1, 1}});
  EXPECT_EQ(bias.shape, (std::vector<int64_t>{8, 25}));
  EXPECT_EQ(bias.strides[1], (std::vector<int64_t>{1, 0}));
}

}  // namespace
}  // namespace kiln
