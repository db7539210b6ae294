#include <gtest/gtest.h>

#include "pass_test_util.hpp"
#include "passes/fold_constants.hpp"

namespace kiln {
namespace {

using pass_test::Builder;

TEST(PassFoldConstants, RemovesNodesShapeInferenceAlreadyEvaluated) {
  Graph g = Builder()
                .input("x", {2})
                .random("c", {2})
                .node("Neg", {"c"}, {"folded"})
                .node("Add", {"x", "folded"}, {"y"})
                .output("y")
                .build();
  // What infer_shapes leaves behind after evaluating the Neg: its output is a constant.
  Tensor& folded = g.tensor("folded");
  const std::vector<float> values = {1.0f, 2.0f};
  folded = make_constant<float>("folded", DType::Float32, {2}, std::span<const float>(values));
  ASSERT_TRUE(fold_constants(g));
  EXPECT_NO_THROW(g.verify());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op_type, "Add");
  EXPECT_EQ(g.find_tensor("c"), nullptr);  // no longer referenced
  EXPECT_TRUE(g.tensor("folded").constant);
}

TEST(PassFoldConstants, EvaluatesNodesWithOnlyConstantInputs) {
  KILN_REQUIRE_OPS("Transpose");
  Graph g = Builder()
                .input("x", {3, 2})
                .constant("c", {2, 3}, {0, 1, 2, 3, 4, 5})
                .node("Transpose", {"c"}, {"ct"})
                .node("Transpose", {"x"}, {"xt"}, {{"perm", std::vector<int64_t>{1, 0}}})
                .output("ct")
                .output("xt")
                .shaped("ct", {3, 2})
                .shaped("xt", {2, 3})
                .build();
  ASSERT_TRUE(fold_constants(g));
  EXPECT_NO_THROW(g.verify());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].outputs[0], "xt");  // the runtime Transpose stays
  const Tensor& ct = g.tensor("ct");
  ASSERT_TRUE(ct.constant);
  const std::vector<float> expected = {0, 3, 1, 4, 2, 5};
  EXPECT_EQ(std::vector<float>(ct.values<float>().begin(), ct.values<float>().end()), expected);
}

TEST(PassFoldConstants, LeavesRuntimeAndUnknownOpsAlone) {
  Graph g = Builder()
                .input("x", {2})
                .random("c", {2})
                .node("NoSuchOp", {"c"}, {"a"})
                .node("Add", {"x", "a"}, {"y"})
                .output("y")
                .shaped("a", {2})
                .shaped("y", {2})
                .build();
  EXPECT_FALSE(fold_constants(g));
  EXPECT_EQ(g.nodes.size(), 2u);
  EXPECT_NO_THROW(g.verify());
}

TEST(PassFoldConstants, FoldedGraphStillRuns) {
  KILN_REQUIRE_OPS("Transpose", "Add");
  Builder b;
  b.input("x", {3, 2})
      .random("c", {2, 3})
      .node("Transpose", {"c"}, {"ct"})
      .node("Add", {"x", "ct"}, {"y"})
      .output("y");
  Graph before = b.build();
  // Shape the graph without infer_shapes' own folding, so the pass has work to do.
  before.tensor("ct").shape = {3, 2};
  before.tensor("ct").shape_known = true;
  before.tensor("y").shape = {3, 2};
  before.tensor("y").shape_known = true;
  Graph after = before;
  ASSERT_TRUE(fold_constants(after));
  EXPECT_NO_THROW(after.verify());
  EXPECT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(pass_test::compare_runs(before, after), 0.0);
}

}  // namespace
}  // namespace kiln
