// Reductions over one, several (non-adjacent) and all axes, old and new axes forms.
#include <cmath>
#include <limits>

#include "ir/error.hpp"
#include "ops_elementwise_harness.hpp"

namespace kiln {
namespace {

using namespace kiln::testing;

// x[i][j][k] = 12 i + 4 j + k, shape [2, 3, 4].
Tensor input_2x3x4() {
  std::vector<float> v(24);
  for (int i = 0; i < 24; ++i) v[static_cast<size_t>(i)] = static_cast<float>(i);
  return floats("x", {2, 3, 4}, v);
}

TEST(OpsReduce, SumOverNonAdjacentAxesWithAndWithoutKeepdims) {
  Tensor axes = int64s("axes", {2}, {0, 2}, true);
  // y[j] = sum_i sum_k (12 i + 4 j + k) = 8*4j + (0+12)*4 + (0+1+2+3)*2 = 16 j... computed:
  // for j: sum over i in {0,1}, k in {0..3}: 4*(0+12) + 2*(4j*4) + 2*6 = 48 + 32 j + 12.
  TensorMap out = run_op(make_node("ReduceSum", {"x", "axes"}), {input_2x3x4(), axes});
  EXPECT_EQ(out.at("y").shape, (Shape{1, 3, 1}));
  expect_floats_near(out.at("y"), {60, 92, 124});
  out = run_op(make_node("ReduceSum", {"x", "axes"}, {"y"}, {{"keepdims", int64_t{0}}}),
               {input_2x3x4(), axes});
  EXPECT_EQ(out.at("y").shape, (Shape{3}));
  expect_floats_near(out.at("y"), {60, 92, 124});
}

TEST(OpsReduce, MeanWithAxesAttributeBeforeOpset18) {
  Graph graph;
  TensorMap out =
      run_op(make_node("ReduceMean", {"x"}, {"y"}, {{"axes", std::vector<int64_t>{-1}}}),
             {input_2x3x4()}, 13, &graph);
  EXPECT_EQ(out.at("y").shape, (Shape{2, 3, 1}));
  expect_floats_near(out.at("y"), {1.5f, 5.5f, 9.5f, 13.5f, 17.5f, 21.5f});
  EXPECT_FALSE(graph.nodes[0].has_attr("axes"));
  ASSERT_EQ(graph.nodes[0].inputs.size(), 2u);
  EXPECT_EQ(graph.tensor(graph.nodes[0].inputs[1]).as_int64(), (std::vector<int64_t>{-1}));
}

TEST(OpsReduce, MaxMinOverMiddleAxis) {
  Tensor x = floats("x", {2, 3, 2}, {1, 9, 5, -2, 3, 4, 0, 0, -1, 7, 8, -6});
  Tensor axes = int64s("axes", {1}, {1}, true);
  TensorMap out =
      run_op(make_node("ReduceMax", {"x", "axes"}, {"y"}, {{"keepdims", int64_t{0}}}), {x, axes});
  EXPECT_EQ(out.at("y").shape, (Shape{2, 2}));
  expect_floats_near(out.at("y"), {5, 9, 8, 7});
  out = run_op(make_node("ReduceMin", {"x", "axes"}, {"y"}, {{"keepdims", int64_t{0}}}), {x, axes});
  expect_floats_near(out.at("y"), {1, -2, -1, -6});
}

TEST(OpsReduce, DefaultAxesReduceEverythingAndNoopKeepsInput) {
  TensorMap out = run_op(make_node("ReduceSum", {"x"}), {input_2x3x4()});
  EXPECT_EQ(out.at("y").shape, (Shape{1, 1, 1}));
  expect_floats_near(out.at("y"), {276});
  out = run_op(make_node("ReduceMax", {"x"}, {"y"}, {{"keepdims", int64_t{0}}}), {input_2x3x4()});
  EXPECT_EQ(out.at("y").shape, Shape{});
  expect_floats_near(out.at("y"), {23});
  Tensor empty_axes = int64s("axes", {0}, {}, true);
  out = run_op(make_node("ReduceSum", {"x", "axes"}, {"y"}, {{"noop_with_empty_axes", int64_t{1}}}),
               {input_2x3x4(), empty_axes});
  EXPECT_EQ(out.at("y").shape, (Shape{2, 3, 4}));
  expect_floats_near(out.at("y"), values_of<float>(input_2x3x4()));
}

TEST(OpsReduce, OtherReductions) {
  Tensor x = floats("x", {2, 2}, {1, -2, 3, 4});
  auto run = [&](const char* op) {
    return run_op(make_node(op, {"x"}, {"y"}, {{"axes", std::vector<int64_t>{1}}}), {x}, 13)
        .at("y");
  };
  expect_floats_near(run("ReduceProd"), {-2, 12});
  expect_floats_near(run("ReduceSumSquare"), {5, 25});
  expect_floats_near(run("ReduceL1"), {3, 7});
  expect_floats_near(run("ReduceL2"), {std::sqrt(5.0f), 5});
  expect_floats_near(run("ReduceLogSumExp"), {std::log(std::exp(1.0f) + std::exp(-2.0f)),
                                              std::log(std::exp(3.0f) + std::exp(4.0f))});
}

TEST(OpsReduce, IntegerAndEmptyReductions) {
  Tensor x = int64s("x", {2, 3}, {1, 2, 3, -4, 5, 6});
  TensorMap out = run_op(make_node("ReduceSum", {"x", "axes"}, {"y"}, {{"keepdims", int64_t{0}}}),
                         {x, int64s("axes", {1}, {1}, true)});
  EXPECT_EQ(values_of<int64_t>(out.at("y")), (std::vector<int64_t>{6, 7}));
  out = run_op(make_node("ReduceMean", {"x", "axes"}, {"y"}, {{"keepdims", int64_t{0}}}),
               {x, int64s("axes", {1}, {0}, true)});
  EXPECT_EQ(values_of<int64_t>(out.at("y")), (std::vector<int64_t>{-1, 3, 4}));
  // Reducing an empty axis gives the identity.
  Tensor empty = floats("e", {2, 0, 3}, {});
  out = run_op(make_node("ReduceSum", {"e", "axes"}), {empty, int64s("axes", {1}, {1}, true)});
  EXPECT_EQ(out.at("y").shape, (Shape{2, 1, 3}));
  expect_floats_near(out.at("y"), {0, 0, 0, 0, 0, 0});
  out = run_op(make_node("ReduceMax", {"e", "axes"}), {empty, int64s("axes", {1}, {1}, true)});
  EXPECT_EQ(values_of<float>(out.at("y"))[0], -std::numeric_limits<float>::infinity());
}

TEST(OpsReduce, RejectsBadAxes) {
  EXPECT_THROW(run_op(make_node("ReduceSum", {"x", "axes"}),
                      {input_2x3x4(), int64s("axes", {1}, {3}, true)}),
               Error);
  EXPECT_THROW(run_op(make_node("ReduceSum", {"x", "axes"}),
                      {input_2x3x4(), int64s("axes", {2}, {1, -2}, true)}),
               Error);
  EXPECT_THROW(
      run_op(make_node("ReduceSum", {"x", "axes"}), {input_2x3x4(), int64s("axes", {1}, {1})}),
      Error);
}

}  // namespace
}  // namespace kiln
