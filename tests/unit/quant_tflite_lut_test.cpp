// TFLite Micro's int8 LOGISTIC, TANH and HARD_SWISH as kiln.Lut tables (quant/tflite_lut.hpp):
// properties of the tables (zero at the midpoint, monotonic, saturating, within 1 LSB of the real
// function), rejection of non-TFLite output parameters, and the TFLite frontend actually using
// them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "frontend/load_model.hpp"
#include "passes/pipeline.hpp"
#include "quant/tflite_lut.hpp"

namespace kiln {
namespace {

TEST(TfliteLut, LogisticTableIsMonotonicSaturatingAndWithinOneLsb) {
  for (const float scale : {0.02f, 0.05f, 0.1f, 0.3f}) {
    for (const int32_t zp : {-128, -20, 0, 37}) {
      SCOPED_TRACE(::testing::Message() << "scale " << scale << " zp " << zp);
      const auto table = tflite_lut_s8("Sigmoid", scale, zp, 1.0f / 256, -128);
      ASSERT_TRUE(table.has_value());
      EXPECT_EQ((*table)[static_cast<size_t>(zp + 128)], 0);  // sigmoid(0) = 1/2 -> 128 - 128
      for (int q = -128; q < 128; ++q) {
        const int64_t v = (*table)[static_cast<size_t>(q + 128)];
        if (q > -128) EXPECT_GE(v, (*table)[static_cast<size_t>(q + 127)]);
        const double real = 1.0 / (1.0 + std::exp(-static_cast<double>(q - zp) * scale));
        const double expected = std::min(127.0, std::round(real * 256) - 128);
        EXPECT_LE(std::abs(static_cast<double>(v) - expected), 1.0) << q;
      }
    }
  }
  // 0.3 * 127 is far beyond the input radius: saturated at both ends.
  const auto wide = tflite_lut_s8("Sigmoid", 0.3f, 0, 1.0f / 256, -128);
  EXPECT_EQ(wide->front(), -128);
  EXPECT_EQ(wide->back(), 127);
}

TEST(TfliteLut, TanhTableIsOddAroundTheZeroPointAndWithinOneLsb) {
  for (const float scale : {0.01f, 0.04f, 0.2f}) {
    SCOPED_TRACE(scale);
    const auto table = tflite_lut_s8("Tanh", scale, 0, 1.0f / 128, 0);
    ASSERT_TRUE(table.has_value());
    EXPECT_EQ((*table)[128], 0);
    for (int q = -127; q < 128; ++q) {
      const int64_t v = (*table)[static_cast<size_t>(q + 128)];
      const int64_t mirror = (*table)[static_cast<size_t>(-q + 128)];
      if (std::abs(v) < 127 && std::abs(mirror) < 127) EXPECT_EQ(v, -mirror) << q;
      const double expected =
          std::clamp(std::round(std::tanh(q * static_cast<double>(scale)) * 128), -128.0, 127.0);
      EXPECT_LE(std::abs(static_cast<double>(v) - expected), 1.0) << q;
    }
  }
}

TEST(TfliteLut, HardSwishTableIsWithinOneLsbOfTheRealFunction) {
  for (const float x_scale : {0.02f, 0.05f, 0.1f}) {
    for (const int32_t x_zp : {-100, 0, 20}) {
      SCOPED_TRACE(::testing::Message() << "x_scale " << x_scale << " x_zp " << x_zp);
      // Output range of x * relu6(x + 3) / 6 over the input range.
      const double lo_x = (-128 - x_zp) * static_cast<double>(x_scale);
      const double hi_x = (127 - x_zp) * static_cast<double>(x_scale);
      auto hs = [](double v) { return v * std::clamp(v + 3, 0.0, 6.0) / 6; };
      const double lo = std::min(-0.375, hs(lo_x)), hi = std::max(0.0, hs(hi_x));
      const auto y_scale = static_cast<float>((hi - lo) / 255);
      const auto y_zp = static_cast<int32_t>(std::round(-128 - lo / y_scale));
      const auto table = tflite_lut_s8("HardSwish", x_scale, x_zp, y_scale, y_zp);
      ASSERT_TRUE(table.has_value());
      for (int q = -128; q < 128; ++q) {
        const double real = hs((q - x_zp) * static_cast<double>(x_scale));
        const double expected = std::clamp(std::round(real / y_scale) + y_zp, -128.0, 127.0);
        EXPECT_LE(std::abs(static_cast<double>((*table)[static_cast<size_t>(q + 128)]) - expected),
                  1.0)
            << q;
      }
    }
  }
}

TEST(TfliteLut, ReluFamilyRequantizesThenClampsToTheQuantizedBounds) {
  // Same parameters: the identity above the zero point, the zero point below.
  const auto same = tflite_lut_s8("Relu", 0.1f, -20, 0.1f, -20);
  ASSERT_TRUE(same.has_value());
  for (int q = -128; q < 128; ++q)
    EXPECT_EQ((*same)[static_cast<size_t>(q + 128)], std::max(q, -20));
  // x_scale / y_scale = 2: q = 10 (real 1.0) -> -128 + 20; negatives clamp to the zero point.
  const auto twice = tflite_lut_s8("Relu", 0.1f, 0, 0.05f, -128);
  EXPECT_EQ((*twice)[10 + 128], -108);
  EXPECT_EQ((*twice)[-5 + 128], -128);
  EXPECT_EQ((*twice)[127 + 128], 126);  // 12.7 / 0.05 = 254 -> 254 - 128
  // RELU6 with y_scale 0.05: the upper bound 6.0 quantizes to -128 + 120 = -8.
  const auto relu6 = tflite_lut_s8("Clip", 0.1f, 0, 0.05f, -128, 0.0f, 6.0f);
  EXPECT_EQ((*relu6)[70 + 128], -8);   // 7.0 clamps to 6.0
  EXPECT_EQ((*relu6)[30 + 128], -68);  // 3.0 -> 60 - 128
}

TEST(TfliteLut, OnlyTflitesOutputParametersAndOps) {
  EXPECT_FALSE(tflite_lut_s8("Sigmoid", 0.1f, 0, 1.0f / 255, -128).has_value());
  EXPECT_FALSE(tflite_lut_s8("Tanh", 0.1f, 0, 1.0f / 256, -128).has_value());
  EXPECT_FALSE(tflite_lut_s8("Exp", 0.1f, 0, 1.0f / 256, -128).has_value());
  // An output scale below the hi-res input scale needs a left shift TFLite does not allow.
  EXPECT_FALSE(tflite_lut_s8("HardSwish", 0.5f, 0, 0.001f, 0).has_value());
}

TEST(TfliteLut, TfliteFrontendLowersLogisticTanhAndHardSwishToTheseTables) {
  Graph graph = load_model(std::string(KILN_TEST_DATA_DIR) + "/tflite/ops_int8.tflite");
  optimize(graph);
  std::set<std::string> seen;
  for (const Node& node : graph.nodes) {
    if (node.domain != "kiln" || node.op_type != "Lut") continue;
    std::string op;
    for (const auto& [builtin, kiln_op] :
         std::vector<std::pair<std::string, std::string>>{{"LOGISTIC", "Sigmoid"},
                                                          {"TANH", "Tanh"},
                                                          {"HARD_SWISH", "HardSwish"},
                                                          {"_RELU/", "Relu"}})
      if (node.name.find(builtin) != std::string::npos) op = kiln_op;
    ASSERT_FALSE(op.empty()) << node.name;
    const Tensor& x = graph.tensor(node.inputs[0]);
    const Tensor& y = graph.tensor(node.outputs[0]);
    ASSERT_TRUE(x.quant && y.quant);
    const auto expected = tflite_lut_s8(op, x.quant->scales[0], x.quant->zero_points[0],
                                        y.quant->scales[0], y.quant->zero_points[0]);
    ASSERT_TRUE(expected.has_value()) << node.describe();
    EXPECT_EQ(graph.tensor(node.inputs[1]).as_int64(), *expected) << node.describe();
    seen.insert(op);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"Sigmoid", "Tanh", "HardSwish", "Relu"}));
}

}  // namespace
}  // namespace kiln
