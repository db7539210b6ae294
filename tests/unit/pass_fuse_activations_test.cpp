#include <gtest/gtest.h>

#include <limits>

#include "pass_test_util.hpp"
#include "passes/fuse_activations.hpp"

namespace kiln {
namespace {

using pass_test::Builder;
using pass_test::compare_runs;
using pass_test::count_ops;

// x -> Conv -> c -> <activation> -> y
Builder conv_then(const std::string& act, std::vector<std::string> extra_inputs = {},
                  Attributes attrs = {}) {
  Builder b;
  b.input("x", {1, 2, 5, 5}).random("w", {3, 2, 3, 3}).random("bias", {3});
  b.node("Conv", {"x", "w", "bias"}, {"c"}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  std::vector<std::string> inputs = {"c"};
  inputs.insert(inputs.end(), extra_inputs.begin(), extra_inputs.end());
  b.node(act, inputs, {"y"}, std::move(attrs));
  b.output("y");
  return b;
}

// Fuses and checks structure and numerics; returns the fused activation.
FusedActivation fuse_and_check(const Builder& b) {
  const Graph before = b.inferred();
  Graph after = before;
  EXPECT_TRUE(fuse_activations(after));
  EXPECT_NO_THROW(after.verify());
  EXPECT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(after.outputs, before.outputs);
  EXPECT_EQ(after.nodes.back().outputs[0], "y");
  EXPECT_EQ(after.find_tensor("c"), nullptr);
  EXPECT_LE(compare_runs(before, after), 1e-6);
  return after.nodes.back().activation;
}

TEST(PassFuseActivations, ConvRelu) {
  KILN_REQUIRE_OPS("Conv", "Relu");
  EXPECT_EQ(fuse_and_check(conv_then("Relu")).kind, Activation::Relu);
}

TEST(PassFuseActivations, ConvRelu6FromClipWithConstantBounds) {
  KILN_REQUIRE_OPS("Conv", "Clip");
  Builder b = conv_then("Clip", {"lo", "hi"});
  b.constant("lo", {}, {0.0f}).constant("hi", {}, {0.5f});
  const FusedActivation act = fuse_and_check(b);
  EXPECT_EQ(act.kind, Activation::Clip);
  EXPECT_EQ(act.alpha, 0.0f);
  EXPECT_EQ(act.beta, 0.5f);
}

TEST(PassFuseActivations, ClipWithoutMaxIsUnboundedAbove) {
  KILN_REQUIRE_OPS("Conv", "Clip");
  Builder b = conv_then("Clip", {"lo"});
  b.constant("lo", {}, {-0.25f});
  const FusedActivation act = fuse_and_check(b);
  EXPECT_EQ(act.kind, Activation::Clip);
  EXPECT_EQ(act.alpha, -0.25f);
  EXPECT_EQ(act.beta, std::numeric_limits<float>::infinity());
}

TEST(PassFuseActivations, LeakyReluHardSigmoidHardSwishSigmoidTanh) {
  KILN_REQUIRE_OPS("Conv", "LeakyRelu", "HardSigmoid", "HardSwish", "Sigmoid", "Tanh");
  FusedActivation leaky = fuse_and_check(conv_then("LeakyRelu", {}, {{"alpha", 0.3f}}));
  EXPECT_EQ(leaky.kind, Activation::LeakyRelu);
  EXPECT_EQ(leaky.alpha, 0.3f);
  FusedActivation hs = fuse_and_check(conv_then("HardSigmoid", {}, {{"beta", 0.4f}}));
  EXPECT_EQ(hs.kind, Activation::HardSigmoid);
  EXPECT_EQ(hs.alpha, 0.2f);  // ONNX default
  EXPECT_EQ(hs.beta, 0.4f);
  EXPECT_EQ(fuse_and_check(conv_then("HardSwish")).kind, Activation::HardSwish);
  EXPECT_EQ(fuse_and_check(conv_then("Sigmoid")).kind, Activation::Sigmoid);
  EXPECT_EQ(fuse_and_check(conv_then("Tanh")).kind, Activation::Tanh);
}

TEST(PassFuseActivations, NotWhenTheIntermediateHasAnotherReader) {
  KILN_REQUIRE_OPS("Conv", "Relu", "Sigmoid");
  Builder b = conv_then("Relu");
  b.node("Sigmoid", {"c"}, {"z"}).output("z");
  Graph g = b.inferred();
  EXPECT_FALSE(fuse_activations(g));
  EXPECT_EQ(g.nodes.size(), 3u);
}

TEST(PassFuseActivations, NotWhenTheIntermediateIsAGraphOutput) {
  KILN_REQUIRE_OPS("Conv", "Relu");
  Builder b = conv_then("Relu");
  b.output("c");
  Graph g = b.inferred();
  EXPECT_FALSE(fuse_activations(g));
  EXPECT_EQ(g.nodes.size(), 2u);
}

TEST(PassFuseActivations, OnlyOneActivationPerProducer) {
  KILN_REQUIRE_OPS("Conv", "Relu", "Sigmoid");
  Builder b;
  b.input("x", {1, 2, 4, 4}).random("w", {2, 2, 1, 1});
  b.node("Conv", {"x", "w"}, {"c"}).node("Relu", {"c"}, {"r"}).node("Sigmoid", {"r"}, {"y"});
  b.output("y");
  const Graph before = b.inferred();
  Graph after = before;
  ASSERT_TRUE(fuse_activations(after));
  EXPECT_NO_THROW(after.verify());
  ASSERT_EQ(after.nodes.size(), 2u);
  EXPECT_EQ(after.nodes[0].activation.kind, Activation::Relu);
  EXPECT_EQ(count_ops(after, "Sigmoid"), 1);
  EXPECT_LE(compare_runs(before, after), 1e-6);
}

TEST(PassFuseActivations, NotIntoOpsThatDoNotAcceptActivations) {
  KILN_REQUIRE_OPS("Transpose", "Relu");
  Graph g = Builder()
                .input("x", {2, 3})
                .node("Transpose", {"x"}, {"t"})
                .node("Relu", {"t"}, {"y"})
                .output("y")
                .inferred();
  EXPECT_FALSE(fuse_activations(g));
}

TEST(PassFuseActivations, NotWhenClipBoundsAreRuntimeValues) {
  KILN_REQUIRE_OPS("Conv", "Clip");
  Builder b = conv_then("Clip", {"lo"});
  b.input("lo", {});
  Graph g = b.inferred();
  EXPECT_FALSE(fuse_activations(g));
}

}  // namespace
}  // namespace kiln
