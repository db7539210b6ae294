// Concat shape rule and kernel.
#include <gtest/gtest.h>

#include "ir/error.hpp"
#include "ops_shape_test_util.hpp"

namespace kiln::test {
namespace {

TEST(OpsConcat, JoinsAlongNegativeAxis) {
  OneOp op("Concat",
           {tensor_of<float>("a", DType::Float32, {2, 2}, {1, 2, 3, 4}),
            tensor_of<float>("b", DType::Float32, {2, 1}, {5, 6}),
            tensor_of<float>("c", DType::Float32, {2, 0}, {})},
           1, {{"axis", int64_t{-1}}});
  EXPECT_EQ(op.infer().shape, (Shape{2, 3}));
  EXPECT_EQ(values_of<float>(op.run().at("y0")), (std::vector<float>{1, 2, 5, 3, 4, 6}));
}

TEST(OpsConcat, Int64AxisZeroAndConstantInputs) {
  OneOp op("Concat", {tensor_of<int64_t>("a", DType::Int64, {1}, {7}), ints_constant("b", {-1, 9})},
           1, {{"axis", int64_t{0}}});
  EXPECT_EQ(values_of<int64_t>(op.run().at("y0")), (std::vector<int64_t>{7, -1, 9}));
}

TEST(OpsConcat, EightInputsInt8AndBool) {
  std::vector<Tensor> inputs;
  for (int i = 0; i < 8; ++i) {
    std::vector<int8_t> v{static_cast<int8_t>(i), static_cast<int8_t>(-i)};
    inputs.push_back(tensor_of<int8_t>("x" + std::to_string(i), DType::Int8, {1, 2}, v));
  }
  // Eight [1,2] rows stacked: row i is (i, -i).
  OneOp op("Concat", inputs, 1, {{"axis", int64_t{0}}});
  std::vector<int8_t> got = values_of<int8_t>(op.run().at("y0"));
  ASSERT_EQ(got.size(), 16u);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(got[2 * i], i);
    EXPECT_EQ(got[2 * i + 1], -i);
  }
  OneOp flags("Concat",
              {tensor_of<uint8_t>("p", DType::Bool, {2, 1}, {1, 0}),
               tensor_of<uint8_t>("q", DType::Bool, {2, 1}, {0, 1})},
              1, {{"axis", int64_t{1}}});
  EXPECT_EQ(values_of<uint8_t>(flags.run().at("y0")), (std::vector<uint8_t>{1, 0, 0, 1}));
}

TEST(OpsConcat, RejectsMismatchedDimsDtypesAndAxis) {
  auto a = tensor_of<float>("a", DType::Float32, {2, 2}, {1, 2, 3, 4});
  OneOp dims("Concat", {a, tensor_of<float>("b", DType::Float32, {3, 1}, {1, 2, 3})}, 1,
             {{"axis", int64_t{1}}});
  EXPECT_THROW(dims.infer(), Error);
  OneOp dtype("Concat", {a, tensor_of<int32_t>("b", DType::Int32, {2, 1}, {1, 2})}, 1,
              {{"axis", int64_t{1}}});
  EXPECT_THROW(dtype.infer(), Error);
  Tensor a2 = a;
  a2.name = "a2";
  OneOp axis("Concat", {a, a2}, 1, {{"axis", int64_t{2}}});
  EXPECT_THROW(axis.infer(), Error);
  OneOp missing("Concat", {a}, 1);
  EXPECT_THROW(missing.infer(), Error);
}

TEST(OpsConcat, MoreInputsThanTheKernelTakesIsUnsupported) {
  std::vector<Tensor> inputs;
  for (int i = 0; i < 9; ++i)
    inputs.push_back(tensor_of<float>("x" + std::to_string(i), DType::Float32, {1}, {1.0f}));
  OneOp op("Concat", inputs, 1, {{"axis", int64_t{0}}});
  EXPECT_EQ(op.infer().shape, (Shape{9}));
  EXPECT_THROW(op.run(), UnsupportedError);
}

}  // namespace
}  // namespace kiln::test
