// Pad: modes, negative pads, axes input, the opset-2 attribute form and non-float dtypes.
#include <gtest/gtest.h>

#include "ir/error.hpp"
#include "ops_shape_test_util.hpp"

namespace kiln::test {
namespace {

Tensor row() {
  return tensor_of<float>("x", DType::Float32, {1, 3}, {1, 2, 3});
}

std::vector<float> pad_row(const std::string& mode, std::vector<int64_t> pads) {
  OneOp op("Pad",
           {row(), ints_constant("p", pads), tensor_of<float>("v", DType::Float32, {}, {9}, true)},
           1, {{"mode", mode}});
  return values_of<float>(op.run().at("y0"));
}

TEST(OpsPad, ModesOnOneRow) {
  EXPECT_EQ(pad_row("constant", {0, 2, 0, 1}), (std::vector<float>{9, 9, 1, 2, 3, 9}));
  EXPECT_EQ(pad_row("reflect", {0, 2, 0, 2}), (std::vector<float>{3, 2, 1, 2, 3, 2, 1}));
  EXPECT_EQ(pad_row("edge", {0, 2, 0, 1}), (std::vector<float>{1, 1, 1, 2, 3, 3}));
  EXPECT_EQ(pad_row("wrap", {0, 2, 0, 4}), (std::vector<float>{2, 3, 1, 2, 3, 1, 2, 3, 1}));
}

TEST(OpsPad, NegativePadsCrop) {
  EXPECT_EQ(pad_row("constant", {0, -1, 0, 1}), (std::vector<float>{2, 3, 9}));
  OneOp op("Pad", {row(), ints_constant("p", {0, -2, 0, -2})});
  EXPECT_THROW(op.infer(), Error);
}

TEST(OpsPad, PadsOuterDimsWithConstantRows) {
  OneOp op("Pad", {tensor_of<int32_t>("x", DType::Int32, {2, 2}, {1, 2, 3, 4}),
                   ints_constant("p", {1, 0, 0, 1}),
                   tensor_of<int32_t>("v", DType::Int32, {}, {-7}, true)});
  EXPECT_EQ(op.infer().shape, (Shape{3, 3}));
  EXPECT_EQ(values_of<int32_t>(op.run().at("y0")),
            (std::vector<int32_t>{-7, -7, -7, 1, 2, -7, 3, 4, -7}));
}

TEST(OpsPad, EdgeOnOuterDimInt8) {
  OneOp op(
      "Pad",
      {tensor_of<int8_t>("x", DType::Int8, {2, 2}, {1, 2, 3, 4}), ints_constant("p", {1, 0, 1, 0})},
      1, {{"mode", std::string("edge")}});
  EXPECT_EQ(values_of<int8_t>(op.run().at("y0")), (std::vector<int8_t>{1, 2, 1, 2, 3, 4, 3, 4}));
}

TEST(OpsPad, AxesInputPadsOnlyThoseAxes) {
  OneOp op("Pad", {tensor_of<float>("x", DType::Float32, {2, 2}, {1, 2, 3, 4}),
                   ints_constant("p", {1, 0}), omitted(), ints_constant("a", {-1})});
  EXPECT_EQ(op.infer().shape, (Shape{2, 3}));
  EXPECT_EQ(values_of<float>(op.run().at("y0")), (std::vector<float>{0, 1, 2, 0, 3, 4}));
}

TEST(OpsPad, Opset2AttributesBecomeInputs) {
  OneOp op("Pad", {row()}, 1, {{"pads", std::vector<int64_t>{0, 1, 0, 0}}, {"value", 1.5f}}, 2);
  EXPECT_EQ(op.graph.nodes[0].inputs.size(), 3u);
  EXPECT_EQ(values_of<float>(op.run().at("y0")), (std::vector<float>{1.5f, 1, 2, 3}));
}

TEST(OpsPad, RejectsBadPadsAndModes) {
  OneOp count("Pad", {row(), ints_constant("p", {1, 1})});
  EXPECT_THROW(count.infer(), Error);
  OneOp mode("Pad", {row(), ints_constant("p", {0, 1, 0, 1})}, 1,
             {{"mode", std::string("mirror")}});
  EXPECT_THROW(mode.infer(), UnsupportedError);
}

}  // namespace
}  // namespace kiln::test
