#include <gtest/gtest.h>

#include "pass_test_util.hpp"
#include "passes/simplify_layout.hpp"

namespace kiln {
namespace {

using pass_test::Builder;
using pass_test::compare_runs;
using pass_test::count_ops;

Attributes perm(std::vector<int64_t> p) {
  return {{"perm", std::move(p)}};
}

// Runs the pass and checks invariants, stable outputs and identical results.
Graph simplify_and_check(const Builder& b) {
  const Graph before = b.inferred();
  Graph after = before;
  EXPECT_TRUE(simplify_layout(after));
  EXPECT_NO_THROW(after.verify());
  EXPECT_EQ(after.outputs, before.outputs);
  EXPECT_EQ(compare_runs(before, after), 0.0);
  Graph reinferred = after;
  EXPECT_NO_THROW(infer_shapes(reinferred));
  return after;
}

TEST(PassSimplifyLayout, InverseTransposesCancel) {
  KILN_REQUIRE_OPS("Transpose", "Relu");
  Builder b;
  b.input("x", {1, 3, 4, 5})
      .node("Relu", {"x"}, {"r"})
      .node("Transpose", {"r"}, {"t1"}, perm({0, 2, 3, 1}))
      .node("Transpose", {"t1"}, {"t2"}, perm({0, 3, 1, 2}))
      .node("Relu", {"t2"}, {"y"})
      .output("y");
  Graph g = simplify_and_check(b);
  EXPECT_EQ(count_ops(g, "Transpose"), 0);
  EXPECT_EQ(g.nodes.size(), 2u);
}

TEST(PassSimplifyLayout, TransposesComposeIntoOne) {
  KILN_REQUIRE_OPS("Transpose");
  Builder b;
  b.input("x", {2, 3, 4})
      .node("Transpose", {"x"}, {"t1"}, perm({1, 0, 2}))
      .node("Transpose", {"t1"}, {"y"}, perm({0, 2, 1}))
      .output("y");
  Graph g = simplify_and_check(b);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].inputs[0], "x");
  EXPECT_EQ(g.nodes[0].attr_ints("perm", {}), (std::vector<int64_t>{1, 2, 0}));
}

TEST(PassSimplifyLayout, IdentityTransposeIntoGraphOutputKeepsTheName) {
  KILN_REQUIRE_OPS("Transpose", "Relu");
  Builder b;
  b.input("x", {2, 3})
      .node("Relu", {"x"}, {"r"})
      .node("Transpose", {"r"}, {"t"})
      .node("Transpose", {"t"}, {"y"})
      .output("y");
  Graph g = simplify_and_check(b);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].outputs[0], "y");
}

TEST(PassSimplifyLayout, SingleChannelNhwcInputTransposeBecomesAView) {
  KILN_REQUIRE_OPS("Transpose", "Reshape", "Relu");
  // The tf2onnx pattern of a keyword-spotting model: NHWC 1x49x10x1 -> NCHW.
  Builder b;
  b.input("x", {1, 49, 10, 1})
      .node("Transpose", {"x"}, {"nchw"}, perm({0, 3, 1, 2}))
      .node("Relu", {"nchw"}, {"y"})
      .output("y");
  Graph g = simplify_and_check(b);
  EXPECT_EQ(count_ops(g, "Transpose"), 0);
  EXPECT_EQ(count_ops(g, "Reshape"), 1);
  EXPECT_EQ(g.tensor("nchw").shape, (Shape{1, 1, 49, 10}));
}

TEST(PassSimplifyLayout, MultiChannelTransposeIsKept) {
  KILN_REQUIRE_OPS("Transpose", "Relu");
  Graph g = Builder()
                .input("x", {1, 8, 8, 3})
                .node("Transpose", {"x"}, {"nchw"}, perm({0, 3, 1, 2}))
                .node("Relu", {"nchw"}, {"y"})
                .output("y")
                .inferred();
  EXPECT_FALSE(simplify_layout(g));
  EXPECT_EQ(count_ops(g, "Transpose"), 1);
}

TEST(PassSimplifyLayout, ReshapeChainCollapses) {
  KILN_REQUIRE_OPS("Reshape", "Flatten", "Unsqueeze", "Squeeze", "Relu");
  Builder b;
  b.input("x", {2, 3, 4})
      .ints("shape", {2}, {6, 4})
      .ints("axes0", {1}, {0})
      .ints("axes1", {1}, {0})
      .node("Reshape", {"x", "shape"}, {"a"})
      .node("Unsqueeze", {"a", "axes0"}, {"b"})
      .node("Flatten", {"b"}, {"c"}, {{"axis", int64_t{1}}})
      .node("Squeeze", {"c", "axes1"}, {"d"})
      .node("Relu", {"d"}, {"y"})
      .output("y");
  Graph g = simplify_and_check(b);
  // 2x3x4 -> 6x4 -> 1x6x4 -> 1x24 -> 24: one Reshape of x remains.
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].op_type, "Reshape");
  EXPECT_EQ(g.nodes[0].inputs[0], "x");
  EXPECT_EQ(g.tensor(g.nodes[0].inputs[1]).as_int64(), (std::vector<int64_t>{24}));
}

TEST(PassSimplifyLayout, ConstantTransposeIsFolded) {
  KILN_REQUIRE_OPS("Transpose", "Add");
  Builder b;
  b.input("x", {3, 2})
      .random("w", {2, 3})
      .node("Transpose", {"w"}, {"wt"})
      .node("Add", {"x", "wt"}, {"y"})
      .output("y");
  Graph before = b.build();
  // Shapes without infer_shapes' own folding, so the Transpose is still a node.
  before.tensor("wt").shape = {3, 2};
  before.tensor("wt").shape_known = true;
  before.tensor("y").shape = {3, 2};
  before.tensor("y").shape_known = true;
  Graph after = before;
  ASSERT_TRUE(simplify_layout(after));
  EXPECT_NO_THROW(after.verify());
  EXPECT_EQ(count_ops(after, "Transpose"), 0);
  EXPECT_TRUE(after.tensor("wt").constant);
  EXPECT_EQ(compare_runs(before, after), 0.0);
}

}  // namespace
}  // namespace kiln
