// Softmax / LogSoftmax: opset-13 single-axis semantics and the older coerce-to-2D form.
#include <cmath>

#include "ir/error.hpp"
#include "ops_elementwise_harness.hpp"

namespace kiln {
namespace {

using namespace kiln::testing;

// Softmax of `values` taken as one group.
std::vector<float> softmax(const std::vector<float>& values) {
  float max = values[0];
  for (float v : values) max = std::max(max, v);
  float sum = 0;
  for (float v : values) sum += std::exp(v - max);
  std::vector<float> out;
  for (float v : values) out.push_back(std::exp(v - max) / sum);
  return out;
}

// x: [2, 2, 3] with distinct values.
const Tensor kX = floats("x", {2, 2, 3}, {0, 1, 2, 3, 4, 5, -1, 0.5f, 2, 1, 1, 1});

TEST(OpsSoftmax, Opset13DefaultAxisIsLast) {
  Tensor y = run_op(make_node("Softmax", {"x"}), {kX}, 13).at("y");
  std::vector<float> expected;
  for (int row = 0; row < 4; ++row) {
    std::vector<float> group(kX.values<float>().begin() + row * 3,
                             kX.values<float>().begin() + row * 3 + 3);
    for (float v : softmax(group)) expected.push_back(v);
  }
  expect_floats_near(y, expected);
}

TEST(OpsSoftmax, Opset13MiddleAxisNormalizesThatDimOnly) {
  Tensor y = run_op(make_node("Softmax", {"x"}, {"y"}, {{"axis", int64_t{1}}}), {kX}, 13).at("y");
  std::vector<float> x(kX.values<float>().begin(), kX.values<float>().end());
  std::vector<float> expected(12);
  for (int b = 0; b < 2; ++b)
    for (int k = 0; k < 3; ++k) {
      std::vector<float> group = {x[b * 6 + k], x[b * 6 + 3 + k]};
      std::vector<float> s = softmax(group);
      expected[b * 6 + k] = s[0];
      expected[b * 6 + 3 + k] = s[1];
    }
  expect_floats_near(y, expected);
}

TEST(OpsSoftmax, Opset11CoercesTo2DAtDefaultAxis1) {
  Graph graph;
  Tensor y = run_op(make_node("Softmax", {"x"}), {kX}, 11, &graph).at("y");
  // Axis 1 of a 3-D tensor: each batch's 6 values form one group.
  std::vector<float> x(kX.values<float>().begin(), kX.values<float>().end());
  std::vector<float> expected = softmax({x.begin(), x.begin() + 6});
  for (float v : softmax({x.begin() + 6, x.end()})) expected.push_back(v);
  expect_floats_near(y, expected);
  EXPECT_EQ(graph.nodes[0].attr_int("axis", -1), 1);
}

TEST(OpsSoftmax, LogSoftmaxOldAndNew) {
  std::vector<float> x(kX.values<float>().begin(), kX.values<float>().end());
  Tensor y =
      run_op(make_node("LogSoftmax", {"x"}, {"y"}, {{"axis", int64_t{0}}}), {kX}, 11).at("y");
  std::vector<float> expected;
  for (float v : softmax(x)) expected.push_back(std::log(v));  // axis 0: one group of 12
  expect_floats_near(y, expected);
  y = run_op(make_node("LogSoftmax", {"x"}, {"y"}, {{"axis", int64_t{-1}}}), {kX}, 13).at("y");
  expected.clear();
  for (int row = 0; row < 4; ++row)
    for (float v : softmax({x.begin() + row * 3, x.begin() + row * 3 + 3}))
      expected.push_back(std::log(v));
  expect_floats_near(y, expected);
}

TEST(OpsSoftmax, LargeInputsDoNotOverflow) {
  Tensor y = run_op(make_node("Softmax", {"x"}), {floats("x", {1, 3}, {1000, 1001, 1002})}).at("y");
  expect_floats_near(y, softmax({0, 1, 2}));
  y = run_op(make_node("LogSoftmax", {"x"}), {floats("x", {1, 2}, {1000, 1000})}).at("y");
  expect_floats_near(y, {std::log(0.5f), std::log(0.5f)});
}

TEST(OpsSoftmax, RejectsBadAxisAndType) {
  EXPECT_THROW(run_op(make_node("Softmax", {"x"}, {"y"}, {{"axis", int64_t{3}}}), {kX}), Error);
  EXPECT_THROW(run_op(make_node("Softmax", {"x"}), {int64s("x", {2}, {1, 2})}), Error);
}

}  // namespace
}  // namespace kiln
