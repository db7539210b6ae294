// Split: the 'split' input (opset 13), the older attribute, num_outputs (opset 18) and the kernel.
#include <gtest/gtest.h>

#include "ir/error.hpp"
#include "ops_shape_test_util.hpp"

namespace kiln::test {
namespace {

Tensor iota_f32(Shape shape) {
  std::vector<float> v(static_cast<size_t>(shape_elements(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return tensor_of<float>("x", DType::Float32, std::move(shape), v);
}

TEST(OpsSplit, SizesInputAlongAxis1) {
  OneOp op("Split", {iota_f32({2, 5}), ints_constant("s", {2, 3})}, 2, {{"axis", int64_t{1}}});
  TensorMap out = op.run();
  EXPECT_EQ(op.graph.tensor("y0").shape, (Shape{2, 2}));
  EXPECT_EQ(values_of<float>(out.at("y0")), (std::vector<float>{0, 1, 5, 6}));
  EXPECT_EQ(values_of<float>(out.at("y1")), (std::vector<float>{2, 3, 4, 7, 8, 9}));
}

TEST(OpsSplit, Opset11AttributeBecomesInput) {
  OneOp op("Split", {iota_f32({6})}, 3, {{"split", std::vector<int64_t>{1, 2, 3}}}, 11);
  EXPECT_FALSE(op.graph.nodes[0].has_attr("split"));
  TensorMap out = op.run();
  EXPECT_EQ(values_of<float>(out.at("y2")), (std::vector<float>{3, 4, 5}));
}

TEST(OpsSplit, NumOutputsLastChunkSmaller) {
  OneOp op("Split", {tensor_of<int64_t>("x", DType::Int64, {7}, {0, 1, 2, 3, 4, 5, 6})}, 4,
           {{"num_outputs", int64_t{4}}});
  TensorMap out = op.run();
  EXPECT_EQ(values_of<int64_t>(out.at("y0")), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(values_of<int64_t>(out.at("y3")), (std::vector<int64_t>{6}));
}

TEST(OpsSplit, EqualPartsInt16NegativeAxis) {
  OneOp op("Split", {tensor_of<int16_t>("x", DType::Int16, {2, 2}, {1, 2, 3, 4})}, 2,
           {{"axis", int64_t{-1}}});
  TensorMap out = op.run();
  EXPECT_EQ(values_of<int16_t>(out.at("y0")), (std::vector<int16_t>{1, 3}));
  EXPECT_EQ(values_of<int16_t>(out.at("y1")), (std::vector<int16_t>{2, 4}));
}

TEST(OpsSplit, RejectsBadSizes) {
  OneOp sum("Split", {iota_f32({5}), ints_constant("s", {2, 2})}, 2);
  EXPECT_THROW(sum.infer(), Error);
  OneOp count("Split", {iota_f32({5}), ints_constant("s", {5})}, 2);
  EXPECT_THROW(count.infer(), Error);
  OneOp num("Split", {iota_f32({6})}, 2, {{"num_outputs", int64_t{3}}});
  EXPECT_THROW(num.infer(), Error);
  OneOp axis("Split", {iota_f32({6})}, 2, {{"axis", int64_t{1}}});
  EXPECT_THROW(axis.infer(), Error);
}

}  // namespace
}  // namespace kiln::test
