#include <gtest/gtest.h>

#include <limits>

#include "pass_test_util.hpp"
#include "passes/fold_pad.hpp"

namespace kiln {
namespace {

using pass_test::Builder;
using pass_test::compare_runs;
using pass_test::count_ops;

// x [1,2,5,5] -> Pad(pads) -> p -> consumer -> y
Builder pad_then(const std::vector<int64_t>& pads, const std::string& op, Attributes attrs,
                 std::optional<float> value = std::nullopt) {
  Builder b;
  b.input("x", {1, 2, 5, 5}).ints("pads", {8}, pads);
  std::vector<std::string> pad_inputs = {"x", "pads"};
  if (value) {
    b.constant("value", {}, {*value});
    pad_inputs.push_back("value");
  }
  b.node("Pad", pad_inputs, {"p"});
  if (op == "Conv") {
    b.random("w", {3, 2, 3, 3});
    b.node("Conv", {"p", "w"}, {"y"}, std::move(attrs));
  } else {
    attrs["kernel_shape"] = std::vector<int64_t>{3, 3};
    b.node(op, {"p"}, {"y"}, std::move(attrs));
  }
  b.output("y");
  return b;
}

Graph fold_and_check(const Builder& b) {
  const Graph before = b.inferred();
  Graph after = before;
  EXPECT_TRUE(fold_pad(after));
  EXPECT_NO_THROW(after.verify());
  EXPECT_EQ(count_ops(after, "Pad"), 0);
  EXPECT_LE(compare_runs(before, after), 1e-6);
  Graph reinferred = after;
  EXPECT_NO_THROW(infer_shapes(reinferred));
  EXPECT_EQ(reinferred.tensor("y").shape, before.tensor("y").shape);
  return after;
}

TEST(PassFoldPad, SpatialZeroPadIntoConvAddsToExistingPads) {
  KILN_REQUIRE_OPS("Pad", "Conv");
  Graph g = fold_and_check(
      pad_then({0, 0, 1, 2, 0, 0, 0, 1}, "Conv", {{"pads", std::vector<int64_t>{1, 0, 1, 0}}}));
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].inputs[0], "x");
  EXPECT_EQ(g.nodes[0].attr_ints("pads", {}), (std::vector<int64_t>{2, 2, 1, 1}));
}

TEST(PassFoldPad, ExplicitZeroValue) {
  KILN_REQUIRE_OPS("Pad", "Conv");
  fold_and_check(pad_then({0, 0, 1, 1, 0, 0, 1, 1}, "Conv", {}, 0.0f));
}

TEST(PassFoldPad, AveragePoolCountingPads) {
  KILN_REQUIRE_OPS("Pad", "AveragePool");
  fold_and_check(
      pad_then({0, 0, 1, 1, 0, 0, 1, 1}, "AveragePool", {{"count_include_pad", int64_t{1}}}));
}

TEST(PassFoldPad, MaxPoolWithMinusInfinity) {
  KILN_REQUIRE_OPS("Pad", "MaxPool");
  fold_and_check(
      pad_then({0, 0, 1, 0, 0, 0, 1, 2}, "MaxPool", {}, -std::numeric_limits<float>::infinity()));
}

void expect_not_folded(const Builder& b) {
  Graph g = b.inferred();
  EXPECT_FALSE(fold_pad(g));
  EXPECT_EQ(count_ops(g, "Pad"), 1);
}

TEST(PassFoldPad, RejectsInvalidCases) {
  KILN_REQUIRE_OPS("Pad", "Conv", "AveragePool", "MaxPool");
  // Channel padding.
  expect_not_folded(
      pad_then({0, 1, 1, 1, 0, 0, 1, 1}, "AveragePool", {{"count_include_pad", int64_t{1}}}));
  // Non-zero pad value into Conv.
  expect_not_folded(pad_then({0, 0, 1, 1, 0, 0, 1, 1}, "Conv", {}, 1.0f));
  // Negative pads crop.
  expect_not_folded(pad_then({0, 0, -1, 0, 0, 0, 0, 0}, "Conv", {}));
  // auto_pad set.
  expect_not_folded(
      pad_then({0, 0, 1, 1, 0, 0, 1, 1}, "Conv", {{"auto_pad", std::string("VALID")}}));
  // AveragePool that does not count pads.
  expect_not_folded(pad_then({0, 0, 1, 1, 0, 0, 1, 1}, "AveragePool", {}));
  // MaxPool after zero padding (zeros can win the max).
  expect_not_folded(pad_then({0, 0, 1, 1, 0, 0, 1, 1}, "MaxPool", {}));
}

TEST(PassFoldPad, NotWhenThePaddedValueHasTwoReaders) {
  KILN_REQUIRE_OPS("Pad", "Conv", "Relu");
  Builder b = pad_then({0, 0, 1, 1, 0, 0, 1, 1}, "Conv", {});
  b.node("Relu", {"p"}, {"r"}).output("r");
  expect_not_folded(b);
}

TEST(PassFoldPad, NotWhenPadModeIsReflect) {
  KILN_REQUIRE_OPS("Pad", "Conv");
  Builder b;
  b.input("x", {1, 1, 4, 4}).ints("pads", {8}, {0, 0, 1, 1, 0, 0, 1, 1}).random("w", {1, 1, 3, 3});
  b.node("Pad", {"x", "pads"}, {"p"}, {{"mode", std::string("reflect")}});
  b.node("Conv", {"p", "w"}, {"y"}).output("y");
  expect_not_folded(b);
}

}  // namespace
}  // namespace kiln
