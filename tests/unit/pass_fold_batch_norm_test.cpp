#include <gtest/gtest.h>

#include "pass_test_util.hpp"
#include "passes/fold_batch_norm.hpp"

namespace kiln {
namespace {

using pass_test::Builder;
using pass_test::compare_runs;
using pass_test::count_ops;

// Adds BatchNormalization(in) -> out with random statistics over `channels`.
void add_batch_norm(Builder& b, const std::string& in, const std::string& out, int64_t channels) {
  b.random("bn_scale", {channels}, 0.5f, 2.0f)
      .random("bn_bias", {channels})
      .random("bn_mean", {channels})
      .random("bn_var", {channels}, 0.1f, 3.0f)
      .node("BatchNormalization", {in, "bn_scale", "bn_bias", "bn_mean", "bn_var"}, {out},
            {{"epsilon", 1e-3f}});
}

// Folds and checks: BN gone, output name stable, same results.
Graph fold_and_check(const Builder& b) {
  const Graph before = b.inferred();
  Graph after = before;
  EXPECT_TRUE(fold_batch_norm(after));
  EXPECT_NO_THROW(after.verify());
  EXPECT_EQ(count_ops(after, "BatchNormalization"), 0);
  EXPECT_EQ(after.outputs, before.outputs);
  EXPECT_LE(compare_runs(before, after), 1e-5);
  // Shape inference over the rewritten graph must still hold.
  Graph reinferred = after;
  EXPECT_NO_THROW(infer_shapes(reinferred));
  return after;
}

TEST(PassFoldBatchNorm, ConvWithBias) {
  KILN_REQUIRE_OPS("Conv", "BatchNormalization");
  Builder b;
  b.input("x", {1, 3, 6, 6}).random("w", {4, 3, 3, 3}).random("bias", {4});
  b.node("Conv", {"x", "w", "bias"}, {"c"});
  add_batch_norm(b, "c", "y", 4);
  b.output("y");
  Graph g = fold_and_check(b);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].outputs[0], "y");
  EXPECT_EQ(g.find_tensor("bn_mean"), nullptr);  // statistics are gone
}

TEST(PassFoldBatchNorm, GroupedConvWithoutBiasGetsOne) {
  KILN_REQUIRE_OPS("Conv", "BatchNormalization");
  Builder b;
  b.input("x", {1, 4, 5, 5}).random("w", {6, 2, 3, 3});
  b.node("Conv", {"x", "w"}, {"c"},
         {{"group", int64_t{2}}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  add_batch_norm(b, "c", "y", 6);
  b.output("y");
  Graph g = fold_and_check(b);
  ASSERT_EQ(g.nodes[0].inputs.size(), 3u);
  EXPECT_EQ(g.tensor(g.nodes[0].inputs[2]).shape, (Shape{6}));
}

TEST(PassFoldBatchNorm, GroupedConvTranspose) {
  KILN_REQUIRE_OPS("ConvTranspose", "BatchNormalization");
  Builder b;
  // W [Cin=4, Cout/g=3, 2, 2] with group 2 -> 6 output channels.
  b.input("x", {1, 4, 3, 3}).random("w", {4, 3, 2, 2}).random("bias", {6});
  b.node("ConvTranspose", {"x", "w", "bias"}, {"c"},
         {{"group", int64_t{2}}, {"strides", std::vector<int64_t>{2, 2}}});
  add_batch_norm(b, "c", "y", 6);
  b.output("y");
  fold_and_check(b);
}

TEST(PassFoldBatchNorm, GemmTransBWithFullBias) {
  KILN_REQUIRE_OPS("Gemm", "BatchNormalization");
  Builder b;
  b.input("x", {3, 5}).random("w", {4, 5}).random("c_in", {3, 4});
  b.node("Gemm", {"x", "w", "c_in"}, {"g"},
         {{"transB", int64_t{1}}, {"alpha", 0.5f}, {"beta", 2.0f}});
  add_batch_norm(b, "g", "y", 4);
  b.output("y");
  Graph g = fold_and_check(b);
  EXPECT_EQ(g.nodes[0].attr_float("beta", 0.0f), 1.0f);
  EXPECT_EQ(g.tensor(g.nodes[0].inputs[2]).shape, (Shape{3, 4}));
}

TEST(PassFoldBatchNorm, GemmWithoutBiasOrTranspose) {
  KILN_REQUIRE_OPS("Gemm", "BatchNormalization");
  Builder b;
  b.input("x", {2, 5}).random("w", {5, 4});
  b.node("Gemm", {"x", "w"}, {"g"});
  add_batch_norm(b, "g", "y", 4);
  b.output("y");
  fold_and_check(b);
}

TEST(PassFoldBatchNorm, MatMulWithConstantWeight) {
  KILN_REQUIRE_OPS("MatMul", "BatchNormalization");
  Builder b;
  b.input("x", {2, 5}).random("w", {5, 3});
  b.node("MatMul", {"x", "w"}, {"m"});
  add_batch_norm(b, "m", "y", 3);
  b.output("y");
  Graph g = fold_and_check(b);
  EXPECT_EQ(count_ops(g, "MatMul") + count_ops(g, "Gemm"), 1);
  EXPECT_EQ(g.nodes.back().outputs[0], "y");
}

TEST(PassFoldBatchNorm, SharedWeightsStayIntact) {
  KILN_REQUIRE_OPS("Conv", "BatchNormalization");
  Builder b;
  b.input("x", {1, 2, 4, 4}).random("w", {2, 2, 1, 1});
  b.node("Conv", {"x", "w"}, {"c"}).node("Conv", {"x", "w"}, {"z"});
  add_batch_norm(b, "c", "y", 2);
  b.output("y").output("z");
  Graph before = b.inferred();
  const std::vector<uint8_t> w_before = before.tensor("w").data;
  Graph after = fold_and_check(b);
  EXPECT_EQ(after.tensor("w").data, w_before);  // still read by the second Conv
}

TEST(PassFoldBatchNorm, NotWhenTheConvOutputHasAnotherReader) {
  KILN_REQUIRE_OPS("Conv", "BatchNormalization", "Relu");
  Builder b;
  b.input("x", {1, 2, 4, 4}).random("w", {2, 2, 1, 1});
  b.node("Conv", {"x", "w"}, {"c"}).node("Relu", {"c"}, {"r"});
  add_batch_norm(b, "c", "y", 2);
  b.output("y").output("r");
  Graph g = b.inferred();
  EXPECT_FALSE(fold_batch_norm(g));
  EXPECT_EQ(count_ops(g, "BatchNormalization"), 1);
}

TEST(PassFoldBatchNorm, NotAfterOtherOps) {
  KILN_REQUIRE_OPS("Relu", "BatchNormalization");
  Builder b;
  b.input("x", {1, 2, 4, 4}).node("Relu", {"x"}, {"r"});
  add_batch_norm(b, "r", "y", 2);
  b.output("y");
  Graph g = b.inferred();
  EXPECT_FALSE(fold_batch_norm(g));
}

}  // namespace
}  // namespace kiln
