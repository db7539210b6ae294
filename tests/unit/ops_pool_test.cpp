// MaxPool, AveragePool and the global pools: shape rules (pads, ceil_mode, auto_pad), errors
// and kernels against naive references.
#include <limits>

#include "ops_conv_test_util.hpp"

namespace kiln::conv_test {
namespace {

struct PoolCase {
  int64_t planes = 1, h = 1, w = 1, kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pt = 0, pl = 0, pb = 0, pr = 0, oh = 1, ow = 1;
};

std::vector<float> reference_pool(const PoolCase& k, const std::vector<float>& x, bool max,
                                  bool include_pad) {
  std::vector<float> y;
  for (int64_t p = 0; p < k.planes; ++p)
    for (int64_t oh = 0; oh < k.oh; ++oh)
      for (int64_t ow = 0; ow < k.ow; ++ow) {
        double acc = max ? -std::numeric_limits<double>::infinity() : 0.0;
        int64_t count = 0;
        for (int64_t i = 0; i < k.kh; ++i)
          for (int64_t j = 0; j < k.kw; ++j) {
            const int64_t ih = oh * k.sh - k.pt + i * k.dh, iw = ow * k.sw - k.pl + j * k.dw;
            const bool inside = ih >= 0 && ih < k.h && iw >= 0 && iw < k.w;
            const bool in_padded = ih >= -k.pt && ih < k.h + k.pb && iw >= -k.pl && iw < k.w + k.pr;
            if (include_pad ? in_padded : inside) ++count;
            if (!inside) continue;
            const double v = x[(p * k.h + ih) * k.w + iw];
            acc = max ? std::max(acc, v) : acc + v;
          }
        y.push_back(static_cast<float>(max ? acc : acc / count));
      }
  return y;
}

void check_pool(const char* op_type, const PoolCase& k, Attributes attrs,
                bool include_pad = false) {
  const auto x = pattern(k.planes * k.h * k.w, 31);
  OneOp op(op_type);
  op.input("x", {1, k.planes, k.h, k.w}, x);
  op.attr("kernel_shape", std::vector<int64_t>{k.kh, k.kw});
  for (auto& [key, value] : attrs) op.attr(key, value);
  ASSERT_EQ(op.shape(), (Shape{1, k.planes, k.oh, k.ow}));
  expect_close(op.run(), reference_pool(k, x, std::string(op_type) == "MaxPool", include_pad));
}

TEST(OpsPool, MaxPoolPadsStridesDilations) {
  check_pool("MaxPool",
             {.planes = 2, .h = 4, .w = 4, .kh = 2, .kw = 2, .sh = 2, .sw = 2, .oh = 2, .ow = 2},
             {{"strides", std::vector<int64_t>{2, 2}}});
  // H: (6+1+0-3)/1+1 = 5 ; W: (7+0+2-5)/2+1 = 3 (dilation 2 on W: extent 5).
  check_pool("MaxPool",
             {.planes = 3,
              .h = 6,
              .w = 7,
              .kh = 3,
              .kw = 3,
              .sh = 1,
              .sw = 2,
              .dh = 1,
              .dw = 2,
              .pt = 1,
              .pl = 0,
              .pb = 0,
              .pr = 2,
              .oh = 5,
              .ow = 3},
             {{"strides", std::vector<int64_t>{1, 2}},
              {"dilations", std::vector<int64_t>{1, 2}},
              {"pads", std::vector<int64_t>{1, 0, 0, 2}}});
}

TEST(OpsPool, CeilMode) {
  // floor: (5-2)/2+1 = 2 ; ceil: 3 (last window starts at 4 < 5).
  check_pool("MaxPool",
             {.planes = 1, .h = 5, .w = 5, .kh = 2, .kw = 2, .sh = 2, .sw = 2, .oh = 3, .ow = 3},
             {{"strides", std::vector<int64_t>{2, 2}}, {"ceil_mode", int64_t{1}}});
  // in 4, k 3, s 2, pad 1/1: ceil((4+2-3)/2)+1 = 3, but the third window would start at 4-1+... =
  // position 3*... : starts 2*2-1 = 3 < 4, kept. With in 3: ceil((3+2-3)/2)+1 = 2; start 2*1-1=1.
  check_pool("AveragePool",
             {.planes = 1,
              .h = 4,
              .w = 4,
              .kh = 3,
              .kw = 3,
              .sh = 2,
              .sw = 2,
              .pt = 1,
              .pl = 1,
              .pb = 1,
              .pr = 1,
              .oh = 3,
              .ow = 3},
             {{"strides", std::vector<int64_t>{2, 2}},
              {"ceil_mode", int64_t{1}},
              {"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  // A window that would start in the end padding is dropped: in 4, k 1, s 3, pads 0/2:
  // ceil((4+2-1)/3)+1 = 3, third window starts at 6 >= 4 -> 2 outputs.
  OneOp op("MaxPool");
  op.input("x", {1, 1, 1, 4}, pattern(4));
  op.attr("kernel_shape", std::vector<int64_t>{1, 1}).attr("strides", std::vector<int64_t>{1, 3});
  op.attr("pads", std::vector<int64_t>{0, 0, 0, 2}).attr("ceil_mode", int64_t{1});
  EXPECT_EQ(op.shape(), (Shape{1, 1, 1, 2}));
}

TEST(OpsPool, AveragePoolCountIncludePad) {
  const PoolCase k{.planes = 2,
                   .h = 5,
                   .w = 4,
                   .kh = 3,
                   .kw = 2,
                   .pt = 1,
                   .pl = 1,
                   .pb = 2,
                   .pr = 0,
                   .oh = 6,
                   .ow = 4};
  const Attributes pads = {{"pads", std::vector<int64_t>{1, 1, 2, 0}}};
  check_pool("AveragePool", k, pads, false);
  Attributes include = pads;
  include["count_include_pad"] = int64_t{1};
  check_pool("AveragePool", k, include, true);
  // Hand-checked corner: 2x2 input, 3x3 window, pads 1 -> one output per corner region.
  OneOp op("AveragePool");
  op.input("x", {1, 1, 2, 2}, {1.0f, 2.0f, 3.0f, 4.0f});
  op.attr("kernel_shape", std::vector<int64_t>{3, 3})
      .attr("pads", std::vector<int64_t>{1, 1, 1, 1});
  op.attr("count_include_pad", int64_t{1});
  expect_close(op.run(), {10.0f / 9, 10.0f / 9, 10.0f / 9, 10.0f / 9});
}

TEST(OpsPool, AutoPad) {
  // in 5, k 2, s 2: SAME out 3, total pad (3-1)*2+2-5 = 1: UPPER 0/1, LOWER 1/0.
  check_pool("AveragePool",
             {.planes = 1,
              .h = 5,
              .w = 5,
              .kh = 2,
              .kw = 2,
              .sh = 2,
              .sw = 2,
              .pb = 1,
              .pr = 1,
              .oh = 3,
              .ow = 3},
             {{"strides", std::vector<int64_t>{2, 2}}, {"auto_pad", std::string("SAME_UPPER")}});
  check_pool("MaxPool",
             {.planes = 1,
              .h = 5,
              .w = 5,
              .kh = 2,
              .kw = 2,
              .sh = 2,
              .sw = 2,
              .pt = 1,
              .pl = 1,
              .oh = 3,
              .ow = 3},
             {{"strides", std::vector<int64_t>{2, 2}}, {"auto_pad", std::string("SAME_LOWER")}});
  check_pool("MaxPool",
             {.planes = 1, .h = 5, .w = 5, .kh = 2, .kw = 2, .sh = 2, .sw = 2, .oh = 2, .ow = 2},
             {{"strides", std::vector<int64_t>{2, 2}},
              {"auto_pad", std::string("VALID")},
              {"pads", std::vector<int64_t>{1, 1, 1, 1}}});
}

TEST(OpsPool, OneAndThreeDimensional) {
  OneOp one("MaxPool");
  one.input("x", {1, 1, 5}, {1, 5, 2, 4, 3});
  one.attr("kernel_shape", std::vector<int64_t>{2});
  EXPECT_EQ(one.shape(), (Shape{1, 1, 4}));
  expect_close(one.run(), {5, 5, 4, 4});
  OneOp three("AveragePool");
  three.input("x", {1, 1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  three.attr("kernel_shape", std::vector<int64_t>{2, 2, 2});
  EXPECT_EQ(three.shape(), (Shape{1, 1, 1, 1, 1}));
  expect_close(three.run(), {4.5f});
}

TEST(OpsPool, Errors) {
  expect_error(
      [] {
        OneOp op("AveragePool");
        op.input("x", {1, 1, 4, 4}, pattern(16));
        op.build();
      },
      "kernel_shape");
  expect_error(
      [] {
        OneOp op("MaxPool");
        op.input("x", {1, 1, 2, 2}, pattern(4)).attr("kernel_shape", std::vector<int64_t>{3, 3});
        op.build();
      },
      "exceeds the padded input");
  expect_error(
      [] {
        OneOp op("MaxPool");
        op.input_typed("x", {1, 1, 4, 4}, DType::UInt8)
            .attr("kernel_shape", std::vector<int64_t>{2, 2});
        op.build();
      },
      "float32");
}

TEST(OpsPool, MaxPoolIndicesRowAndColumnMajor) {
  // 1x1x3x4 input, 2x2 windows with stride 2: the two windows cover columns
  // {0,1}, {2,3} of rows {0,1}; maxima at (1,0) and (0,3).
  const std::vector<float> x = {1, 2, 3, 9, 8, 0, 4, 5, 6, 7, 1, 1};
  for (int64_t order : {0, 1}) {
    OneOp op("MaxPool");
    op.input("x", {1, 1, 3, 4}, x);
    op.attr("kernel_shape", std::vector<int64_t>{2, 2}).attr("strides", std::vector<int64_t>{2, 2});
    op.attr("storage_order", order).extra_output("indices");
    Graph& g = op.build();
    ASSERT_EQ(g.tensor("indices").dtype, DType::Int64);
    ASSERT_EQ(g.tensor("indices").shape, (Shape{1, 1, 1, 2}));
    TensorMap feeds;
    Tensor t = g.tensor("x");
    t.data.resize(x.size() * sizeof(float));
    std::memcpy(t.data.data(), x.data(), t.data.size());
    feeds["x"] = t;
    g.outputs = {"y", "indices"};
    TensorMap result = run_graph(g, feeds);
    const auto* idx = reinterpret_cast<const int64_t*>(result.at("indices").data.data());
    const auto* y = reinterpret_cast<const float*>(result.at("y").data.data());
    EXPECT_EQ(y[0], 8.0f);
    EXPECT_EQ(y[1], 9.0f);
    // Row-major: (1,0) -> 4, (0,3) -> 3. Column-major (w * H + h): (1,0) -> 1, (0,3) -> 9.
    EXPECT_EQ(idx[0], order == 0 ? 4 : 1);
    EXPECT_EQ(idx[1], order == 0 ? 3 : 9);
  }
}

TEST(OpsPool, GlobalPools) {
  const std::vector<float> x = {1, 2, 3, 4, -1, -2, -3, -8};
  OneOp avg("GlobalAveragePool");
  avg.input("x", {1, 2, 2, 2}, x);
  EXPECT_EQ(avg.shape(), (Shape{1, 2, 1, 1}));
  expect_close(avg.run(), {2.5f, -3.5f});
  EXPECT_EQ(avg.macs(), 8);
  OneOp mx("GlobalMaxPool");
  mx.input("x", {2, 1, 4}, x);
  EXPECT_EQ(mx.shape(), (Shape{2, 1, 1}));
  expect_close(mx.run(), {4.0f, -1.0f});
}

// ---- BatchNormalization --------------------------------------------------------------------

TEST(OpsPoolBatchNorm, InferenceFormula) {
  OneOp op("BatchNormalization", 15);
  op.input("x", {1, 2, 1, 2}, {1.0f, 2.0f, 3.0f, 4.0f});
  op.constant("scale", {2}, {2.0f, 1.0f}).constant("bias", {2}, {0.5f, -1.0f});
  op.constant("mean", {2}, {1.0f, 3.0f}).constant("var", {2}, {4.0f, 0.25f});
  op.attr("epsilon", 0.0f);
  // c0: (x-1)/2*2+0.5 ; c1: (x-3)/0.5*1-1
  expect_close(op.run(), {0.5f, 1.5f, -1.0f, 1.0f});
  EXPECT_EQ(op_for(op.node()).in_place, InPlace::Elementwise);
}

TEST(OpsPoolBatchNorm, Opset7PerElementParametersAndErrors) {
  OneOp op("BatchNormalization", 7);
  op.input("x", {2, 1, 2}, {1.0f, 2.0f, 3.0f, 4.0f});
  op.constant("scale", {1, 2}, {1.0f, 2.0f}).constant("bias", {1, 2}, {0.0f, 1.0f});
  op.constant("mean", {1, 2}, {1.0f, 0.0f}).constant("var", {1, 2}, {1.0f, 1.0f});
  op.attr("spatial", int64_t{0}).attr("epsilon", 0.0f);
  EXPECT_FALSE(op.node().has_attr("spatial"));
  expect_close(op.run(), {0.0f, 5.0f, 2.0f, 9.0f});

  expect_error(
      [] {
        OneOp t("BatchNormalization", 15);
        t.input("x", {1, 2}, pattern(2));
        for (const char* n : {"s", "b", "m", "v"}) t.constant(n, {2}, {1.0f, 1.0f});
        t.attr("training_mode", int64_t{1});
        t.build();
      },
      "training_mode");
  expect_error(
      [] {
        OneOp t("BatchNormalization", 15);
        t.input("x", {1, 3, 2}, pattern(6));
        for (const char* n : {"s", "b", "m", "v"}) t.constant(n, {2}, {1.0f, 1.0f});
        t.build();
      },
      "must be [3]");
}

}  // namespace
}  // namespace kiln::conv_test
