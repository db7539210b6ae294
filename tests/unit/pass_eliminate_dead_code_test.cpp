#include <gtest/gtest.h>

#include "pass_test_util.hpp"
#include "passes/eliminate_dead_code.hpp"

namespace kiln {
namespace {

using pass_test::Builder;

TEST(PassEliminateDeadCode, RemovesUnreachableBranchAndItsWeights) {
  Graph g = Builder()
                .input("x", {1, 4})
                .random("w_dead", {4})
                .node("Relu", {"x"}, {"live"})
                .node("Add", {"x", "w_dead"}, {"dead1"})
                .node("Relu", {"dead1"}, {"dead2"})
                .output("live")
                .build();
  ASSERT_TRUE(eliminate_dead_code(g));
  EXPECT_NO_THROW(g.verify());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].outputs[0], "live");
  EXPECT_EQ(g.find_tensor("w_dead"), nullptr);
  EXPECT_EQ(g.find_tensor("dead2"), nullptr);
  EXPECT_NE(g.find_tensor("x"), nullptr);
}

TEST(PassEliminateDeadCode, KeepsMultiOutputNodeWithOneLiveOutput) {
  Graph g = Builder()
                .input("x", {2, 4})
                .node("Split", {"x"}, {"a", "b"})
                .node("Relu", {"b"}, {"y"})
                .output("y")
                .build();
  EXPECT_FALSE(eliminate_dead_code(g));
  EXPECT_EQ(g.nodes.size(), 2u);
  EXPECT_NO_THROW(g.verify());
}

TEST(PassEliminateDeadCode, KeepsUnusedGraphInputsAndReportsNoChange) {
  Graph g = Builder()
                .input("x", {1, 4})
                .input("unused", {1, 4})
                .node("Relu", {"x"}, {"y"})
                .output("y")
                .build();
  EXPECT_FALSE(eliminate_dead_code(g));
  EXPECT_NE(g.find_tensor("unused"), nullptr);
  EXPECT_NO_THROW(g.verify());
}

TEST(PassEliminateDeadCode, RemovesOrphanTensors) {
  Graph g = Builder()
                .input("x", {1})
                .random("orphan", {3})
                .node("Relu", {"x"}, {"y"})
                .output("y")
                .build();
  EXPECT_TRUE(eliminate_dead_code(g));
  EXPECT_EQ(g.find_tensor("orphan"), nullptr);
}

}  // namespace
}  // namespace kiln
