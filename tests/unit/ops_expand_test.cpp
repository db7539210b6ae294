// Expand and Tile: broadcast shapes and zero-stride copies.
#include <gtest/gtest.h>

#include "ir/error.hpp"
#include "ops_shape_test_util.hpp"

namespace kiln::test {
namespace {

TEST(OpsExpand, BroadcastsBothWays) {
  OneOp op("Expand", {tensor_of<float>("x", DType::Float32, {3, 1}, {1, 2, 3}),
                      ints_constant("s", {2, 1, 2})});
  EXPECT_EQ(op.infer().shape, (Shape{2, 3, 2}));
  EXPECT_EQ(values_of<float>(op.run().at("y0")),
            (std::vector<float>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
  OneOp bad("Expand",
            {tensor_of<float>("x", DType::Float32, {3}, {1, 2, 3}), ints_constant("s", {2})});
  EXPECT_THROW(bad.infer(), Error);
}

TEST(OpsExpand, Int16RowBroadcast) {
  OneOp op("Expand",
           {tensor_of<int16_t>("x", DType::Int16, {2}, {7, -8}), ints_constant("s", {3, 1})});
  EXPECT_EQ(values_of<int16_t>(op.run().at("y0")), (std::vector<int16_t>{7, -8, 7, -8, 7, -8}));
}

TEST(OpsTile, RepeatsEachDim) {
  OneOp op("Tile",
           {tensor_of<int8_t>("x", DType::Int8, {2, 2}, {1, 2, 3, 4}), ints_constant("r", {2, 2})});
  EXPECT_EQ(op.infer().shape, (Shape{4, 4}));
  EXPECT_EQ(values_of<int8_t>(op.run().at("y0")),
            (std::vector<int8_t>{1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4}));
  OneOp bad("Tile", {tensor_of<int8_t>("x", DType::Int8, {2}, {1, 2}), ints_constant("r", {1, 1})});
  EXPECT_THROW(bad.infer(), Error);
}

}  // namespace
}  // namespace kiln::test
