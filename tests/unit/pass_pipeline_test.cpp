#include <gtest/gtest.h>

#include "pass_test_util.hpp"
#include "passes/pipeline.hpp"

namespace kiln {
namespace {

using pass_test::Builder;
using pass_test::compare_runs;
using pass_test::count_ops;

// x -> Pad -> Conv -> BN -> Relu -> Identity -> y, plus a dead branch.
Builder small_network() {
  Builder b;
  b.input("x", {1, 2, 6, 6})
      .ints("pads", {8}, {0, 0, 1, 1, 0, 0, 1, 1})
      .random("w", {4, 2, 3, 3})
      .random("s", {4}, 0.5f, 1.5f)
      .random("bb", {4})
      .random("m", {4})
      .random("v", {4}, 0.5f, 2.0f)
      .node("Pad", {"x", "pads"}, {"p"})
      .node("Conv", {"p", "w"}, {"c"})
      .node("BatchNormalization", {"c", "s", "bb", "m", "v"}, {"n"})
      .node("Relu", {"n"}, {"r"})
      .node("Identity", {"r"}, {"y"})
      .node("Sigmoid", {"c"}, {"unused"})
      .output("y");
  return b;
}

TEST(PassPipeline, DefaultPipelineFusesEverything) {
  KILN_REQUIRE_OPS("Pad", "Conv", "BatchNormalization", "Relu", "Identity", "Sigmoid");
  const Graph before = small_network().inferred();
  Graph after = before;
  const std::vector<PassRecord> records = optimize(after);
  EXPECT_FALSE(records.empty());
  EXPECT_NO_THROW(after.verify());
  ASSERT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(after.nodes[0].op_type, "Conv");
  EXPECT_EQ(after.nodes[0].activation.kind, Activation::Relu);
  EXPECT_EQ(after.nodes[0].outputs[0], "y");
  EXPECT_LE(compare_runs(before, after), 1e-5);
  Graph reinferred = after;
  EXPECT_NO_THROW(infer_shapes(reinferred));
}

TEST(PassPipeline, WithoutFusionOnlyCleansUp) {
  KILN_REQUIRE_OPS("Pad", "Conv", "BatchNormalization", "Relu", "Identity", "Sigmoid");
  const Graph before = small_network().inferred();
  Graph after = before;
  optimize(after, PipelineOptions{.fuse = false});
  EXPECT_NO_THROW(after.verify());
  EXPECT_EQ(count_ops(after, "Identity"), 0);
  EXPECT_EQ(count_ops(after, "Sigmoid"), 0);
  EXPECT_EQ(count_ops(after, "BatchNormalization"), 1);
  EXPECT_EQ(count_ops(after, "Pad"), 1);
  EXPECT_EQ(count_ops(after, "Relu"), 1);
  EXPECT_EQ(compare_runs(before, after), 0.0);
}

TEST(PassPipeline, PassNamesAreListedInOrder) {
  const std::vector<Pass> full = default_pipeline();
  const std::vector<Pass> plain = default_pipeline({.fuse = false});
  EXPECT_EQ(full.size(), plain.size() + 3);
  auto index_of = [&](const std::string& name) {
    for (size_t i = 0; i < full.size(); ++i)
      if (full[i].name == name) return static_cast<int>(i);
    return -1;
  };
  EXPECT_LT(index_of("fold-batch-norm"), index_of("fuse-activations"));
  EXPECT_GE(index_of("fold-pad"), 0);
  EXPECT_EQ(full.back().name, "eliminate-dead-code");
}

}  // namespace
}  // namespace kiln
