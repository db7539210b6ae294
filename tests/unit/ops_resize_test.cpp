// Resize and Upsample: output sizes, coordinate transformations, nearest modes, bilinear,
// opset upgrades and unsupported configurations.
#include "ops_conv_test_util.hpp"

namespace kiln::conv_test {
namespace {

const std::vector<float> k2x2 = {1.0f, 2.0f, 3.0f, 4.0f};

TEST(OpsResize, NearestScalesHalfPixel) {
  OneOp op("Resize");
  op.input("x", {1, 1, 2, 2}, k2x2).skip().constant("scales", {4}, {1.0f, 1.0f, 2.0f, 1.5f});
  op.attr("mode", std::string("nearest"));
  ASSERT_EQ(op.shape(), (Shape{1, 1, 4, 3}));
  // rows: (o+0.5)/2-0.5 = -0.25,0.25,0.75,1.25 -> 0,0,1,1 (round_prefer_floor);
  // cols: (o+0.5)/1.5-0.5 = -0.17,0.5,1.17 -> 0,0 (0.5 prefers floor),1.
  expect_close(op.run(), {1, 1, 2, 1, 1, 2, 3, 3, 4, 3, 3, 4});
}

TEST(OpsResize, NearestModesAndTransforms) {
  auto run = [](const std::string& transform, const std::string& nearest) {
    OneOp op("Resize");
    op.input("x", {1, 4}, {10, 20, 30, 40}).skip().skip().constant_ints("sizes", {2}, {1, 6});
    op.attr("mode", std::string("nearest"));
    op.attr("coordinate_transformation_mode", transform).attr("nearest_mode", nearest);
    return op.run();
  };
  // asymmetric: o/1.5 = 0, .67, 1.33, 2, 2.67, 3.33
  expect_close(run("asymmetric", "floor"), {10, 10, 20, 30, 30, 40});
  expect_close(run("asymmetric", "ceil"), {10, 20, 30, 30, 40, 40});
  expect_close(run("asymmetric", "round_prefer_ceil"), {10, 20, 20, 30, 40, 40});
  // align_corners: o*3/5 = 0, .6, 1.2, 1.8, 2.4, 3
  expect_close(run("align_corners", "round_prefer_floor"), {10, 20, 20, 30, 30, 40});
  // half_pixel: (o+.5)/1.5-.5 = -.17, .5, 1.17, 1.83, 2.5, 3.17 -> ceil at .5
  expect_close(run("half_pixel", "round_prefer_ceil"), {10, 20, 20, 30, 40, 40});
  expect_close(run("half_pixel", "round_prefer_floor"), {10, 10, 20, 30, 30, 40});
}

TEST(OpsResize, LinearHalfPixelAndAlignCorners) {
  OneOp op("Resize");
  op.input("x", {1, 1, 2, 2}, k2x2).skip().constant("scales", {4}, {1.0f, 1.0f, 2.0f, 2.0f});
  op.attr("mode", std::string("linear"));
  ASSERT_EQ(op.shape(), (Shape{1, 1, 4, 4}));
  // 1-D weights along each axis: coords -0.25, 0.25, 0.75, 1.25 -> 0, .25, .75, 1 of the way.
  const std::vector<float> t = {0.0f, 0.25f, 0.75f, 1.0f};
  std::vector<float> expected;
  for (float r : t)
    for (float c : t) expected.push_back(1.0f + c * 1.0f + r * 2.0f);
  expect_close(op.run(), expected);

  OneOp ac("Resize");
  ac.input("x", {1, 1, 2, 2}, k2x2).skip().skip().constant_ints("sizes", {4}, {1, 1, 3, 3});
  ac.attr("mode", std::string("linear"))
      .attr("coordinate_transformation_mode", std::string("align_corners"));
  expect_close(ac.run(), {1.0f, 1.5f, 2.0f, 2.0f, 2.5f, 3.0f, 3.0f, 3.5f, 4.0f});
}

TEST(OpsResize, LinearDownsamplePytorchHalfPixel) {
  // 1x4 -> 1x2 (1-D on the last axis), pytorch_half_pixel: (o+.5)*2-.5 = .5, 2.5.
  OneOp op("Resize");
  op.input("x", {1, 1, 4}, {10, 20, 30, 50}).skip().skip().constant_ints("sizes", {3}, {1, 1, 2});
  op.attr("mode", std::string("linear"))
      .attr("coordinate_transformation_mode", std::string("pytorch_half_pixel"));
  expect_close(op.run(), {15.0f, 40.0f});
}

TEST(OpsResize, AxesAndKeepAspectRatio) {
  OneOp op("Resize");
  op.input("x", {1, 1, 2, 4}, pattern(8)).skip().skip().constant_ints("sizes", {2}, {4, 4});
  op.attr("axes", std::vector<int64_t>{2, 3})
      .attr("keep_aspect_ratio_policy", std::string("not_larger"));
  // scale = min(4/2, 4/4) = 1 -> unchanged.
  EXPECT_EQ(op.shape(), (Shape{1, 1, 2, 4}));
  OneOp smaller("Resize");
  smaller.input("x", {1, 1, 2, 4}, pattern(8)).skip().skip().constant_ints("sizes", {2}, {4, 4});
  smaller.attr("axes", std::vector<int64_t>{-2, -1})
      .attr("keep_aspect_ratio_policy", std::string("not_smaller"));
  EXPECT_EQ(smaller.shape(), (Shape{1, 1, 4, 8}));
}

TEST(OpsResize, TfCropAndResizeExtrapolates) {
  OneOp op("Resize");
  op.input("x", {1, 3}, {0, 10, 20}).constant("roi", {4}, {0.0f, -0.5f, 1.0f, 1.0f});
  op.skip().constant_ints("sizes", {2}, {1, 4});
  op.attr("mode", std::string("linear"))
      .attr("coordinate_transformation_mode", std::string("tf_crop_and_resize"))
      .attr("extrapolation_value", 7.0f);
  // x = o*(1.5*2)/3 - 1 = -1, 0, 1, 2
  expect_close(op.run(), {7, 0, 10, 20});
}

TEST(OpsResize, UnsupportedAndInvalid) {
  expect_error(
      [] {
        OneOp op("Resize");
        op.input("x", {1, 1, 2, 2}, k2x2).skip().constant("scales", {4}, {1, 1, 2, 2});
        op.attr("mode", std::string("cubic"));
        op.lower();
      },
      "cubic");
  expect_error(
      [] {
        OneOp op("Resize");
        op.input("x", {1, 1, 2, 2}, k2x2).skip().constant("scales", {4}, {1, 2, 2, 2});
        op.attr("mode", std::string("linear"));
        op.lower();
      },
      "last two axes");
  expect_error(
      [] {
        OneOp op("Resize");
        op.input("x", {1, 1, 2, 2}, k2x2).skip().constant("scales", {3}, {1, 2, 2});
        op.build();
      },
      "'scales' has 3 values");
  expect_error(
      [] {
        OneOp op("Resize");
        op.input("x", {1, 1, 2, 2}, k2x2).skip().constant("scales", {4}, {1, 1, 2, 2});
        op.constant_ints("sizes", {4}, {1, 1, 4, 4});
        op.build();
      },
      "exactly one of");
  expect_error(
      [] {
        OneOp op("Resize");
        op.input("x", {1, 1, 2, 2}, k2x2).skip().input("scales", {4}, {1, 1, 2, 2});
        op.build();
      },
      "compile-time constant");
}

TEST(OpsResize, Resize10IsAsymmetricFloor) {
  OneOp op("Resize", 10);
  op.input("x", {1, 3}, {1, 2, 3}).constant("scales", {2}, {1.0f, 1.5f});
  EXPECT_EQ(op.node().inputs.size(), 3u);
  EXPECT_EQ(op.node().attr_string("coordinate_transformation_mode", ""), "asymmetric");
  // floor(3*1.5) = 4 outputs; o/1.5 = 0, .67, 1.33, 2 -> floor
  expect_close(op.run(), {1, 1, 2, 3});
}

TEST(OpsResize, UpsampleUpgradesToResize) {
  OneOp v7("Upsample", 7);
  v7.input("x", {1, 1, 2, 2}, k2x2).attr("scales", std::vector<float>{1.0f, 1.0f, 2.0f, 3.0f});
  EXPECT_EQ(v7.node().op_type, "Resize");
  EXPECT_EQ(v7.shape(), (Shape{1, 1, 4, 6}));
  expect_close(v7.run(), {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});

  OneOp v9("Upsample", 9);
  v9.input("x", {1, 1, 1, 2}, {0.0f, 4.0f}).constant("s", {4}, {1.0f, 1.0f, 1.0f, 2.0f});
  v9.attr("mode", std::string("linear"));
  // asymmetric linear: o/2 = 0, .5, 1, 1.5 -> 0, 2, 4, 4 (edge clamp)
  expect_close(v9.run(), {0.0f, 2.0f, 4.0f, 4.0f});
}

}  // namespace
}  // namespace kiln::conv_test
