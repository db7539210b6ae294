// Cast / CastLike conversions and the identity-like ops (Identity, Dropout).
#include <cmath>
#include <limits>

#include "ir/error.hpp"
#include "ops_elementwise_harness.hpp"

namespace kiln {
namespace {

using namespace kiln::testing;

Attributes to(int onnx_type) {
  return {{"to", int64_t{onnx_type}}};
}
constexpr int kOnnxFloat = 1, kOnnxUint8 = 2, kOnnxInt8 = 3, kOnnxInt32 = 6, kOnnxInt64 = 7,
              kOnnxBool = 9, kOnnxFloat16 = 10;

TEST(OpsCast, FloatToIntegerTruncatesTowardZeroAndSaturates) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = floats("x", {6}, {-1.7f, 1.7f, 2.5f, 300.0f, -300.0f, nan});
  EXPECT_EQ(
      values_of<int32_t>(run_op(make_node("Cast", {"x"}, {"y"}, to(kOnnxInt32)), {x}).at("y")),
      (std::vector<int32_t>{-1, 1, 2, 300, -300, 0}));
  EXPECT_EQ(values_of<int8_t>(run_op(make_node("Cast", {"x"}, {"y"}, to(kOnnxInt8)), {x}).at("y")),
            (std::vector<int8_t>{-1, 1, 2, 127, -128, 0}));
  EXPECT_EQ(
      values_of<uint8_t>(run_op(make_node("Cast", {"x"}, {"y"}, to(kOnnxUint8)), {x}).at("y")),
      (std::vector<uint8_t>{0, 1, 2, 255, 0, 0}));
}

TEST(OpsCast, IntegerConversionsWrapAndBoolIsNonZero) {
  Tensor x = int64s("x", {4}, {300, -1, 0, 7});
  EXPECT_EQ(values_of<int8_t>(run_op(make_node("Cast", {"x"}, {"y"}, to(kOnnxInt8)), {x}).at("y")),
            (std::vector<int8_t>{44, -1, 0, 7}));
  EXPECT_EQ(values_of<uint8_t>(run_op(make_node("Cast", {"x"}, {"y"}, to(kOnnxBool)), {x}).at("y")),
            (std::vector<uint8_t>{1, 1, 0, 1}));
  expect_floats_near(run_op(make_node("Cast", {"x"}, {"y"}, to(kOnnxFloat)), {x}).at("y"),
                     {300, -1, 0, 7});
  Tensor b = make_input<uint8_t>("b", DType::Bool, {2}, {1, 0});
  expect_floats_near(run_op(make_node("Cast", {"b"}, {"y"}, to(kOnnxFloat)), {b}).at("y"), {1, 0});
  Tensor i32 = make_input<int32_t>("i", DType::Int32, {2}, {-5, 1 << 30});
  EXPECT_EQ(
      values_of<int64_t>(run_op(make_node("Cast", {"i"}, {"y"}, to(kOnnxInt64)), {i32}).at("y")),
      (std::vector<int64_t>{-5, 1 << 30}));
}

TEST(OpsCast, CastLikeTakesTheSecondInputsType) {
  TensorMap out = run_op(make_node("CastLike", {"x", "like"}),
                         {floats("x", {2}, {3.9f, -3.9f}), int64s("like", {1}, {0})});
  EXPECT_EQ(values_of<int64_t>(out.at("y")), (std::vector<int64_t>{3, -3}));
}

TEST(OpsCast, RejectsTypesKilnDoesNotHave) {
  try {
    run_op(make_node("Cast", {"x"}, {"y"}, to(kOnnxFloat16)), {floats("x", {1}, {1})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(Cast): cannot cast to ONNX type 10"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(run_op(make_node("Cast", {"x"}), {floats("x", {1}, {1})}), Error);
}

TEST(OpsIdentity, IdentityCopiesAndIsAView) {
  Tensor x = int64s("x", {2, 2}, {1, 2, 3, 4});
  TensorMap out = run_op(make_node("Identity", {"x"}), {x});
  EXPECT_EQ(values_of<int64_t>(out.at("y")), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(out.at("y").shape, (Shape{2, 2}));
  EXPECT_EQ(find_op("", "Identity")->in_place, InPlace::View);
  EXPECT_EQ(find_op("", "Dropout")->in_place, InPlace::View);
}

TEST(OpsIdentity, DropoutPassesDataAndMaskIsAllTrue) {
  Tensor x = floats("x", {3}, {1, -2, 3});
  TensorMap out = run_op(make_node("Dropout", {"x"}, {"y", "mask"}), {x});
  expect_floats_near(out.at("y"), {1, -2, 3});
  EXPECT_EQ(out.at("mask").dtype, DType::Bool);
  EXPECT_EQ(values_of<uint8_t>(out.at("mask")), (std::vector<uint8_t>{1, 1, 1}));
  // Opset-10 form: ratio attribute, dropped by the upgrade.
  Graph graph;
  out = run_op(make_node("Dropout", {"x"}, {"y"}, {{"ratio", 0.3f}}), {x}, 10, &graph);
  expect_floats_near(out.at("y"), {1, -2, 3});
  EXPECT_FALSE(graph.nodes[0].has_attr("ratio"));
  // Opset-12 form with ratio and a constant false training_mode.
  out = run_op(
      make_node("Dropout", {"x", "r", "t"}),
      {x, floats("r", {}, {0.5f}, true), make_input<uint8_t>("t", DType::Bool, {}, {0}, true)});
  expect_floats_near(out.at("y"), {1, -2, 3});
}

TEST(OpsIdentity, DropoutInTrainingModeIsRejected) {
  Tensor x = floats("x", {1}, {1});
  EXPECT_THROW(run_op(make_node("Dropout", {"x", "", "t"}),
                      {x, make_input<uint8_t>("t", DType::Bool, {}, {1}, true)}),
               Error);
  EXPECT_THROW(run_op(make_node("Dropout", {"x", "", "t"}),
                      {x, make_input<uint8_t>("t", DType::Bool, {}, {0})}),
               Error);
}

}  // namespace
}  // namespace kiln
