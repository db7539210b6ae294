// TFLite Micro's int8 LOGISTIC and TANH as kiln.Lut tables (quant/tflite_lut.hpp): properties of
// the tables (zero at the midpoint, monotonic, saturating, within 1 LSB of the real function),
// rejection of non-TFLite output parameters, and the TFLite frontend actually using them.
#include <gtest/gtest.h>

#include <cmath>

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

TEST(TfliteLut, OnlyTflitesOutputParametersAndOps) {
  EXPECT_FALSE(tflite_lut_s8("Sigmoid", 0.1f, 0, 1.0f / 255, -128).has_value());
  EXPECT_FALSE(tflite_lut_s8("Tanh", 0.1f, 0, 1.0f / 256, -128).has_value());
  EXPECT_FALSE(tflite_lut_s8("HardSwish", 0.1f, 0, 1.0f / 256, -128).has_value());
}

TEST(TfliteLut, TfliteFrontendLowersLogisticAndTanhToTheseTables) {
  Graph graph = load_model(std::string(KILN_TEST_DATA_DIR) + "/tflite/ops_int8.tflite");
  optimize(graph);
  int checked = 0;
  for (const Node& node : graph.nodes) {
    if (node.domain != "kiln" || node.op_type != "Lut") continue;
    const Tensor& x = graph.tensor(node.inputs[0]);
    const Tensor& y = graph.tensor(node.outputs[0]);
    ASSERT_TRUE(x.quant && y.quant);
    const std::string op = y.quant->scales[0] == 1.0f / 256 ? "Sigmoid" : "Tanh";
    const auto expected = tflite_lut_s8(op, x.quant->scales[0], x.quant->zero_points[0],
                                        y.quant->scales[0], y.quant->zero_points[0]);
    if (!expected) continue;  // HARD_SWISH: float-derived table
    EXPECT_EQ(graph.tensor(node.inputs[1]).as_int64(), *expected) << node.describe();
    ++checked;
  }
  EXPECT_EQ(checked, 2);  // the model's LOGISTIC and TANH
}

}  // namespace
}  // namespace kiln
