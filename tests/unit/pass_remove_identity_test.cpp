#include <gtest/gtest.h>

#include "pass_test_util.hpp"
#include "passes/remove_identity.hpp"

namespace kiln {
namespace {

using pass_test::Builder;
using pass_test::count_ops;

TEST(PassRemoveIdentity, RewiresConsumersToTheInput) {
  Graph g = Builder()
                .input("x", {1, 4})
                .node("Relu", {"x"}, {"a"})
                .node("Identity", {"a"}, {"b"})
                .node("Relu", {"b"}, {"y"})
                .output("y")
                .build();
  ASSERT_TRUE(remove_identity(g));
  EXPECT_NO_THROW(g.verify());
  EXPECT_EQ(count_ops(g, "Identity"), 0);
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[1].inputs[0], "a");
}

TEST(PassRemoveIdentity, GraphOutputNameStaysStable) {
  Graph g = Builder()
                .input("x", {1, 4})
                .node("Relu", {"x"}, {"a"})
                .node("Sigmoid", {"a"}, {"other"})
                .node("Identity", {"a"}, {"y"})
                .output("y")
                .output("other")
                .shaped("a", {1, 4})
                .shaped("y", {1, 4})
                .build();
  ASSERT_TRUE(remove_identity(g));
  g.remove_unused_tensors();
  EXPECT_NO_THROW(g.verify());
  EXPECT_EQ(g.outputs[0], "y");
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].outputs[0], "y");  // the Relu now writes the output name
  EXPECT_EQ(g.nodes[1].inputs[0], "y");   // and its other reader follows
  EXPECT_EQ(g.tensor("y").shape, (Shape{1, 4}));
}

TEST(PassRemoveIdentity, KeepsCopyFromGraphInputToGraphOutput) {
  Graph g = Builder().input("x", {1, 4}).node("Identity", {"x"}, {"y"}).output("y").build();
  EXPECT_FALSE(remove_identity(g));
  EXPECT_EQ(g.nodes.size(), 1u);
  EXPECT_NO_THROW(g.verify());
}

TEST(PassRemoveIdentity, KeepsCopyBetweenTwoGraphOutputs) {
  Graph g = Builder()
                .input("x", {1, 4})
                .node("Relu", {"x"}, {"a"})
                .node("Identity", {"a"}, {"b"})
                .output("a")
                .output("b")
                .build();
  EXPECT_FALSE(remove_identity(g));
  EXPECT_EQ(g.nodes.size(), 2u);
}

TEST(PassRemoveIdentity, RemovesInferenceDropoutButNotTrainingOrMaskUsers) {
  Builder b;
  b.input("x", {1, 4})
      .ints("train", {}, {1})
      .node("Relu", {"x"}, {"a"})
      .node("Dropout", {"a"}, {"d1"})
      .node("Dropout", {"d1", "", "train"}, {"d2"})
      .node("Dropout", {"d2"}, {"d3", "mask"})
      .node("Relu", {"d3"}, {"y"})
      .output("y")
      .output("mask");
  Graph g = b.build();
  ASSERT_TRUE(remove_identity(g));
  EXPECT_NO_THROW(g.verify());
  EXPECT_EQ(count_ops(g, "Dropout"), 2);
  EXPECT_EQ(g.nodes[1].inputs[0], "a");  // the training-mode Dropout now reads the Relu
}

TEST(PassRemoveIdentity, PreservesResults) {
  KILN_REQUIRE_OPS("Relu", "Identity");
  Builder b;
  b.input("x", {2, 3})
      .node("Identity", {"x"}, {"a"})
      .node("Relu", {"a"}, {"r"})
      .node("Identity", {"r"}, {"y"})
      .output("y");
  const Graph before = b.inferred();
  Graph after = before;
  ASSERT_TRUE(remove_identity(after));
  EXPECT_NO_THROW(after.verify());
  EXPECT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(pass_test::compare_runs(before, after), 0.0);
}

}  // namespace
}  // namespace kiln
