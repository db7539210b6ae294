// Conv and ConvTranspose: shape rules, errors, and the kernels against naive references.
#include "ops_conv_test_util.hpp"

namespace kiln::conv_test {
namespace {

struct Conv2dCase {
  int64_t n = 1, c = 1, h = 1, w = 1, m = 1, kh = 1, kw = 1, group = 1;
  int64_t sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, oh = 1, ow = 1;
};

// Direct definition of Conv with a bounds check per tap.
std::vector<float> reference_conv(const Conv2dCase& k, const std::vector<float>& x,
                                  const std::vector<float>& w, const std::vector<float>* bias) {
  std::vector<float> y(static_cast<size_t>(k.n * k.m * k.oh * k.ow));
  const int64_t cg = k.c / k.group, mg = k.m / k.group;
  for (int64_t n = 0; n < k.n; ++n)
    for (int64_t m = 0; m < k.m; ++m)
      for (int64_t oh = 0; oh < k.oh; ++oh)
        for (int64_t ow = 0; ow < k.ow; ++ow) {
          double acc = bias ? (*bias)[m] : 0.0;
          for (int64_t ic = 0; ic < cg; ++ic)
            for (int64_t i = 0; i < k.kh; ++i)
              for (int64_t j = 0; j < k.kw; ++j) {
                const int64_t ih = oh * k.sh - k.pt + i * k.dh, iw = ow * k.sw - k.pl + j * k.dw;
                if (ih < 0 || ih >= k.h || iw < 0 || iw >= k.w) continue;
                const int64_t c = (m / mg) * cg + ic;
                acc += x[((n * k.c + c) * k.h + ih) * k.w + iw] *
                       w[((m * cg + ic) * k.kh + i) * k.kw + j];
              }
          y[((n * k.m + m) * k.oh + oh) * k.ow + ow] = static_cast<float>(acc);
        }
  return y;
}

// Runs a 2-D Conv (or 1-D when one_d: H must be 1) through kiln and the reference.
void check_conv(const Conv2dCase& k, Attributes attrs, bool with_bias, bool one_d = false) {
  const auto x = pattern(k.n * k.c * k.h * k.w, 3);
  const auto w = pattern(k.m * (k.c / k.group) * k.kh * k.kw, 5);
  const auto b = pattern(k.m, 7);
  OneOp op("Conv");
  Shape xs = one_d ? Shape{k.n, k.c, k.w} : Shape{k.n, k.c, k.h, k.w};
  Shape ws = one_d ? Shape{k.m, k.c / k.group, k.kw} : Shape{k.m, k.c / k.group, k.kh, k.kw};
  op.input("x", xs, x).constant("w", ws, w);
  if (with_bias) op.constant("b", {k.m}, b);
  for (auto& [key, value] : attrs) op.attr(key, value);
  Shape expected = one_d ? Shape{k.n, k.m, k.ow} : Shape{k.n, k.m, k.oh, k.ow};
  ASSERT_EQ(op.shape(), expected);
  expect_close(op.run(), reference_conv(k, x, w, with_bias ? &b : nullptr));
}

TEST(OpsConv, PlainConvMatchesReference) {
  Conv2dCase k{.n = 2, .c = 3, .h = 5, .w = 6, .m = 4, .kh = 3, .kw = 3, .oh = 3, .ow = 4};
  check_conv(k, {}, true);
}

TEST(OpsConv, AsymmetricPadsStridesDilations) {
  // pads [top=1, left=2, bottom=0, right=1]; H: (7+1+0-5)/2+1 = 2; W: (8+2+1-3)/3+1 = 3.
  Conv2dCase k{.n = 1,
               .c = 2,
               .h = 7,
               .w = 8,
               .m = 3,
               .kh = 3,
               .kw = 2,
               .sh = 2,
               .sw = 3,
               .dh = 2,
               .dw = 2,
               .pt = 1,
               .pl = 2,
               .oh = 2,
               .ow = 3};
  check_conv(k,
             {{"pads", std::vector<int64_t>{1, 2, 0, 1}},
              {"strides", std::vector<int64_t>{2, 3}},
              {"dilations", std::vector<int64_t>{2, 2}}},
             true);
}

TEST(OpsConv, GroupedAndDepthwise) {
  Conv2dCase grouped{.n = 1,
                     .c = 4,
                     .h = 5,
                     .w = 5,
                     .m = 6,
                     .kh = 3,
                     .kw = 3,
                     .group = 2,
                     .pt = 1,
                     .pl = 1,
                     .oh = 5,
                     .ow = 5};
  check_conv(grouped, {{"group", int64_t{2}}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}}, true);
  // Depthwise with channel multiplier 2.
  Conv2dCase depthwise{.n = 2,
                       .c = 3,
                       .h = 6,
                       .w = 4,
                       .m = 6,
                       .kh = 3,
                       .kw = 3,
                       .group = 3,
                       .sh = 2,
                       .sw = 1,
                       .pt = 1,
                       .pl = 1,
                       .oh = 3,
                       .ow = 4};
  check_conv(depthwise,
             {{"group", int64_t{3}},
              {"strides", std::vector<int64_t>{2, 1}},
              {"pads", std::vector<int64_t>{1, 1, 1, 1}}},
             false);
}

TEST(OpsConv, AutoPadVariants) {
  // in 7, k 3, stride 2: SAME out 4, total pad (4-1)*2+3-7 = 2 -> 1/1.
  Conv2dCase same{.n = 1,
                  .c = 1,
                  .h = 7,
                  .w = 7,
                  .m = 1,
                  .kh = 3,
                  .kw = 3,
                  .sh = 2,
                  .sw = 2,
                  .pt = 1,
                  .pl = 1,
                  .oh = 4,
                  .ow = 4};
  check_conv(same,
             {{"auto_pad", std::string("SAME_UPPER")}, {"strides", std::vector<int64_t>{2, 2}}},
             false);
  // in 6, k 4, stride 1: total pad 3 -> SAME_UPPER begins with 1, SAME_LOWER with 2.
  Conv2dCase upper{
      .n = 1, .c = 2, .h = 6, .w = 6, .m = 2, .kh = 4, .kw = 4, .pt = 1, .pl = 1, .oh = 6, .ow = 6};
  check_conv(upper, {{"auto_pad", std::string("SAME_UPPER")}}, true);
  Conv2dCase lower = upper;
  lower.pt = lower.pl = 2;
  check_conv(lower, {{"auto_pad", std::string("SAME_LOWER")}}, true);
  // VALID ignores pads: (6-4)/1+1 = 3.
  Conv2dCase valid{.n = 1, .c = 2, .h = 6, .w = 6, .m = 2, .kh = 4, .kw = 4, .oh = 3, .ow = 3};
  check_conv(valid, {{"auto_pad", std::string("VALID")}}, true);
}

TEST(OpsConv, OneDimensional) {
  Conv2dCase k{
      .n = 2, .c = 3, .h = 1, .w = 9, .m = 2, .kh = 1, .kw = 3, .sw = 2, .dw = 2, .pl = 2, .ow = 4};
  // W: (9+2+1-5)/2+1 = 4
  check_conv(k,
             {{"pads", std::vector<int64_t>{2, 1}},
              {"strides", std::vector<int64_t>{2}},
              {"dilations", std::vector<int64_t>{2}}},
             true, /*one_d=*/true);
}

TEST(OpsConv, ThreeDimensionalMatchesStackedReference) {
  // A 3-D conv with kernel depth 1 equals a 2-D conv on each depth slice.
  const int64_t d = 3, h = 4, w = 4;
  const auto x = pattern(2 * d * h * w, 11);
  const auto wt = pattern(2 * 2 * 3 * 3, 13);
  OneOp op("Conv");
  op.input("x", {1, 2, d, h, w}, x).constant("w", {2, 2, 1, 3, 3}, wt);
  op.attr("pads", std::vector<int64_t>{0, 1, 1, 0, 1, 1});
  ASSERT_EQ(op.shape(), (Shape{1, 2, d, h, w}));
  const auto y = op.run();
  Conv2dCase k{
      .n = 1, .c = 2, .h = h, .w = w, .m = 2, .kh = 3, .kw = 3, .pt = 1, .pl = 1, .oh = h, .ow = w};
  for (int64_t z = 0; z < d; ++z) {
    std::vector<float> slice;
    for (int64_t c = 0; c < 2; ++c)
      slice.insert(slice.end(), x.begin() + (c * d + z) * h * w,
                   x.begin() + (c * d + z + 1) * h * w);
    const auto ref = reference_conv(k, slice, wt, nullptr);
    for (int64_t m = 0; m < 2; ++m)
      for (int64_t i = 0; i < h * w; ++i)
        EXPECT_NEAR(y[(m * d + z) * h * w + i], ref[m * h * w + i], 1e-5);
  }
}

TEST(OpsConv, FusedActivationIsApplied) {
  OneOp op("Conv");
  op.input("x", {1, 1, 1, 3}, {1.0f, -2.0f, 3.0f}).constant("w", {2, 1, 1, 1}, {1.0f, -1.0f});
  op.activation(Activation::Relu);
  expect_close(op.run(), {1.0f, 0.0f, 3.0f, 0.0f, 2.0f, 0.0f});
}

TEST(OpsConv, ShapeErrors) {
  expect_error(
      [] {
        OneOp op("Conv");
        op.input("x", {1, 3, 5, 5}, pattern(75)).constant("w", {2, 2, 3, 3}, pattern(36));
        op.build();
      },
      "expects 2 input channels, input has 3");
  expect_error(
      [] {
        OneOp op("Conv");
        op.input("x", {1, 4, 5, 5}, pattern(100)).constant("w", {3, 2, 3, 3}, pattern(54));
        op.attr("group", int64_t{2});
        op.build();
      },
      "does not divide the output channels");
  expect_error(
      [] {
        OneOp op("Conv");
        op.input("x", {1, 3, 5, 5}, pattern(75)).constant("w", {3, 1, 3, 3}, pattern(27));
        op.attr("group", int64_t{2});
        op.build();
      },
      "does not divide the input channels");
  expect_error(
      [] {
        OneOp op("Conv");
        op.input("x", {1, 1, 2, 2}, pattern(4)).constant("w", {1, 1, 3, 3}, pattern(9));
        op.build();
      },
      "exceeds the padded input");
  expect_error(
      [] {
        OneOp op("Conv");
        op.input_typed("x", {1, 1, 4, 4}, DType::Int8).constant("w", {1, 1, 3, 3}, pattern(9));
        op.build();
      },
      "float32");
  expect_error(
      [] {
        OneOp op("Conv");
        op.input("x", {1, 1, 4, 4}, pattern(16)).constant("w", {1, 1, 3, 3}, pattern(9));
        op.attr("pads", std::vector<int64_t>{1, 1});
        op.build();
      },
      "'pads' has 2 values");
}

TEST(OpsConv, ErrorsNameTheNode) {
  try {
    OneOp op("Conv");
    op.input("x", {1, 3, 5, 5}, pattern(75)).constant("w", {2, 2, 3, 3}, pattern(36));
    op.build();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("node 'node' (Conv)", 0), 0u) << e.what();
  }
}

TEST(OpsConv, MacsCountEveryMultiply) {
  OneOp op("Conv");
  op.input("x", {2, 4, 8, 8}, pattern(512)).constant("w", {6, 2, 3, 3}, pattern(108));
  op.attr("group", int64_t{2}).attr("pads", std::vector<int64_t>{1, 1, 1, 1});
  // N * Cout * OH * OW * (Cin/group) * KH * KW
  EXPECT_EQ(op.macs(), 2 * 6 * 8 * 8 * 2 * 3 * 3);
}

// ---- ConvTranspose ------------------------------------------------------------------------

struct TransposeCase {
  int64_t n = 1, c = 1, h = 1, w = 1, m = 1, kh = 1, kw = 1, group = 1;
  int64_t sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, oh = 1, ow = 1;
};

std::vector<float> reference_conv_transpose(const TransposeCase& k, const std::vector<float>& x,
                                            const std::vector<float>& w,
                                            const std::vector<float>* bias) {
  std::vector<double> y(static_cast<size_t>(k.n * k.m * k.oh * k.ow), 0.0);
  const int64_t cg = k.c / k.group, mg = k.m / k.group;
  for (int64_t n = 0; n < k.n; ++n)
    for (int64_t c = 0; c < k.c; ++c)
      for (int64_t om = 0; om < mg; ++om)
        for (int64_t ih = 0; ih < k.h; ++ih)
          for (int64_t iw = 0; iw < k.w; ++iw)
            for (int64_t i = 0; i < k.kh; ++i)
              for (int64_t j = 0; j < k.kw; ++j) {
                const int64_t oh = ih * k.sh - k.pt + i * k.dh, ow = iw * k.sw - k.pl + j * k.dw;
                if (oh < 0 || oh >= k.oh || ow < 0 || ow >= k.ow) continue;
                const int64_t m = (c / cg) * mg + om;
                y[((n * k.m + m) * k.oh + oh) * k.ow + ow] +=
                    x[((n * k.c + c) * k.h + ih) * k.w + iw] *
                    w[((c * mg + om) * k.kh + i) * k.kw + j];
              }
  std::vector<float> out(y.size());
  for (size_t i = 0; i < y.size(); ++i)
    out[i] = static_cast<float>(y[i] + (bias ? (*bias)[(i / (k.oh * k.ow)) % k.m] : 0.0f));
  return out;
}

void check_conv_transpose(const TransposeCase& k, Attributes attrs, bool with_bias) {
  const auto x = pattern(k.n * k.c * k.h * k.w, 17);
  const auto w = pattern(k.c * (k.m / k.group) * k.kh * k.kw, 19);
  const auto b = pattern(k.m, 23);
  OneOp op("ConvTranspose");
  op.input("x", {k.n, k.c, k.h, k.w}, x).constant("w", {k.c, k.m / k.group, k.kh, k.kw}, w);
  if (with_bias) op.constant("b", {k.m}, b);
  for (auto& [key, value] : attrs) op.attr(key, value);
  ASSERT_EQ(op.shape(), (Shape{k.n, k.m, k.oh, k.ow}));
  expect_close(op.run(), reference_conv_transpose(k, x, w, with_bias ? &b : nullptr));
}

TEST(OpsConvTranspose, PlainAndStrided) {
  // out = s*(in-1) + k - pads: H 1*(3-1)+3 = 5, W 2*(4-1)+3 = 9.
  check_conv_transpose(
      {.n = 2, .c = 2, .h = 3, .w = 4, .m = 3, .kh = 3, .kw = 3, .sw = 2, .oh = 5, .ow = 9},
      {{"strides", std::vector<int64_t>{1, 2}}}, true);
}

TEST(OpsConvTranspose, PadsOutputPaddingDilationsGroups) {
  // H: 3*(3-1) + 1 + (3-1)*1+1 - 1 - 2 = 7 ; W: 2*(3-1) + 0 + (2-1)*2+1 - 0 - 1 = 6
  check_conv_transpose({.n = 1,
                        .c = 4,
                        .h = 3,
                        .w = 3,
                        .m = 2,
                        .kh = 3,
                        .kw = 2,
                        .group = 2,
                        .sh = 3,
                        .sw = 2,
                        .dh = 1,
                        .dw = 2,
                        .pt = 1,
                        .pl = 0,
                        .oh = 7,
                        .ow = 6},
                       {{"strides", std::vector<int64_t>{3, 2}},
                        {"dilations", std::vector<int64_t>{1, 2}},
                        {"pads", std::vector<int64_t>{1, 0, 2, 1}},
                        {"output_padding", std::vector<int64_t>{1, 0}},
                        {"group", int64_t{2}}},
                       true);
}

TEST(OpsConvTranspose, OutputShapeAndAutoPad) {
  // output_shape 10x8 from 3x3, k 3, strides 3x2: full H = 3*2+3 = 9 -> total pad -1, i.e. the
  // begin pad is 0 and one extra row receives only bias; full W = 2*2+3 = 7 likewise.
  check_conv_transpose(
      {.n = 1,
       .c = 1,
       .h = 3,
       .w = 3,
       .m = 2,
       .kh = 3,
       .kw = 3,
       .sh = 3,
       .sw = 2,
       .oh = 10,
       .ow = 8},
      {{"strides", std::vector<int64_t>{3, 2}}, {"output_shape", std::vector<int64_t>{10, 8}}},
      true);
  // SAME_UPPER: out = in*stride = 6; full = 2*2+3 = 7 -> total 1, begin 0.
  check_conv_transpose(
      {.n = 1,
       .c = 2,
       .h = 3,
       .w = 3,
       .m = 2,
       .kh = 3,
       .kw = 3,
       .sh = 2,
       .sw = 2,
       .oh = 6,
       .ow = 6},
      {{"strides", std::vector<int64_t>{2, 2}}, {"auto_pad", std::string("SAME_UPPER")}}, false);
  // SAME_LOWER puts the odd pad first: begin 1.
  check_conv_transpose(
      {.n = 1,
       .c = 2,
       .h = 3,
       .w = 3,
       .m = 2,
       .kh = 3,
       .kw = 3,
       .sh = 2,
       .sw = 2,
       .pt = 1,
       .pl = 1,
       .oh = 6,
       .ow = 6},
      {{"strides", std::vector<int64_t>{2, 2}}, {"auto_pad", std::string("SAME_LOWER")}}, false);
}

TEST(OpsConvTranspose, ErrorsAndMacs) {
  expect_error(
      [] {
        OneOp op("ConvTranspose");
        op.input("x", {1, 3, 4, 4}, pattern(48)).constant("w", {2, 1, 3, 3}, pattern(18));
        op.build();
      },
      "expects 2 input channels, input has 3");
  OneOp op("ConvTranspose");
  op.input("x", {1, 4, 5, 5}, pattern(100)).constant("w", {4, 3, 2, 2}, pattern(48));
  op.attr("group", int64_t{2});
  EXPECT_EQ(op.shape(), (Shape{1, 6, 6, 6}));
  EXPECT_EQ(op.macs(), 4 * 25 * 3 * 4);
}

}  // namespace
}  // namespace kiln::conv_test
