// Gather with constant indices: shape rule, negative indices, range errors, dtypes.
#include <gtest/gtest.h>

#include "ir/error.hpp"
#include "ops_shape_test_util.hpp"

namespace kiln::test {
namespace {

Tensor grid() {  // 3x2
  return tensor_of<float>("x", DType::Float32, {3, 2}, {1, 2, 3, 4, 5, 6});
}

TEST(OpsGather, RowsWithNegativeIndicesAndIndexShape) {
  OneOp op("Gather", {grid(), tensor_of<int64_t>("i", DType::Int64, {2, 2}, {0, -1, 1, 0}, true)});
  EXPECT_EQ(op.infer().shape, (Shape{2, 2, 2}));
  EXPECT_EQ(values_of<float>(op.run().at("y0")), (std::vector<float>{1, 2, 5, 6, 3, 4, 1, 2}));
}

TEST(OpsGather, Axis1WithScalarIndexInt32Indices) {
  OneOp op("Gather", {grid(), tensor_of<int32_t>("i", DType::Int32, {}, {1}, true)}, 1,
           {{"axis", int64_t{1}}});
  EXPECT_EQ(op.infer().shape, (Shape{3}));
  EXPECT_EQ(values_of<float>(op.run().at("y0")), (std::vector<float>{2, 4, 6}));
}

TEST(OpsGather, Int64DataFoldsWhenConstant) {
  OneOp op("Gather",
           {ints_constant("x", {4, 5, 6}), tensor_of<int64_t>("i", DType::Int64, {}, {-1}, true)});
  const Tensor& y = op.infer();
  EXPECT_TRUE(y.constant);
  EXPECT_EQ(values_of<int64_t>(y), (std::vector<int64_t>{6}));
}

TEST(OpsGather, RejectsOutOfRangeAndRuntimeIndices) {
  OneOp range("Gather", {grid(), tensor_of<int64_t>("i", DType::Int64, {1}, {3}, true)});
  EXPECT_THROW(range.infer(), Error);
  OneOp neg("Gather", {grid(), tensor_of<int64_t>("i", DType::Int64, {1}, {-4}, true)});
  EXPECT_THROW(neg.infer(), Error);
  OneOp runtime("Gather", {grid(), tensor_of<int64_t>("i", DType::Int64, {1}, {0})});
  EXPECT_THROW(runtime.infer(), Error);
  OneOp axis("Gather", {grid(), tensor_of<int64_t>("i", DType::Int64, {1}, {0}, true)}, 1,
             {{"axis", int64_t{2}}});
  EXPECT_THROW(axis.infer(), Error);
}

}  // namespace
}  // namespace kiln::test
