// Shape, Size, ConstantOfShape, Range: compile-time values.
#include <gtest/gtest.h>

#include "ir/error.hpp"
#include "ops_shape_test_util.hpp"

namespace kiln::test {
namespace {

Tensor x234() {
  return tensor_of<float>("x", DType::Float32, {2, 3, 4}, std::vector<float>(24));
}

TEST(OpsShape, IsAConstantWithStartAndEnd) {
  OneOp all("Shape", {x234()});
  const Tensor& y = all.infer();
  EXPECT_TRUE(y.constant);
  EXPECT_EQ(y.dtype, DType::Int64);
  EXPECT_EQ(values_of<int64_t>(y), (std::vector<int64_t>{2, 3, 4}));
  OneOp part("Shape", {x234()}, 1, {{"start", int64_t{-2}}, {"end", int64_t{100}}});
  EXPECT_EQ(values_of<int64_t>(part.infer()), (std::vector<int64_t>{3, 4}));
  OneOp none("Shape", {x234()}, 1, {{"start", int64_t{2}}, {"end", int64_t{1}}});
  EXPECT_EQ(none.infer().shape, (Shape{0}));
  // A graph whose output is a folded value still runs.
  EXPECT_EQ(values_of<int64_t>(all.run().at("y0")), (std::vector<int64_t>{2, 3, 4}));
}

TEST(OpsSize, CountsElements) {
  OneOp op("Size", {x234()});
  const Tensor& y = op.infer();
  EXPECT_TRUE(y.shape.empty());
  EXPECT_EQ(values_of<int64_t>(y), (std::vector<int64_t>{24}));
}

TEST(OpsConstantOfShape, FillsWithTheValueAttribute) {
  auto value = std::make_shared<Tensor>(tensor_of<int32_t>("value", DType::Int32, {1}, {-3}, true));
  OneOp op("ConstantOfShape", {ints_constant("s", {2, 2})}, 1,
           {{"value", std::shared_ptr<const Tensor>(value)}});
  const Tensor& y = op.infer();
  EXPECT_EQ(y.dtype, DType::Int32);
  EXPECT_TRUE(y.constant);
  EXPECT_EQ(values_of<int32_t>(y), (std::vector<int32_t>{-3, -3, -3, -3}));
  OneOp zero_op("ConstantOfShape", {ints_constant("s", {3})});
  const Tensor& zeros = zero_op.infer();
  EXPECT_EQ(zeros.dtype, DType::Float32);
  EXPECT_EQ(values_of<float>(zeros), (std::vector<float>{0, 0, 0}));
  OneOp neg("ConstantOfShape", {ints_constant("s", {-1})});
  EXPECT_THROW(neg.infer(), Error);
}

TEST(OpsRange, IntegerAndFloatRanges) {
  auto scalar = [](const std::string& name, auto v, DType dtype) {
    using T = decltype(v);
    return tensor_of<T>(name, dtype, {}, {v}, true);
  };
  OneOp ints("Range",
             {scalar("a", int64_t{10}, DType::Int64), scalar("b", int64_t{4}, DType::Int64),
              scalar("c", int64_t{-3}, DType::Int64)});
  EXPECT_EQ(values_of<int64_t>(ints.infer()), (std::vector<int64_t>{10, 7}));
  OneOp fl("Range", {scalar("a", 1.0f, DType::Float32), scalar("b", 2.0f, DType::Float32),
                     scalar("c", 0.25f, DType::Float32)});
  EXPECT_EQ(values_of<float>(fl.infer()), (std::vector<float>{1, 1.25f, 1.5f, 1.75f}));
  OneOp empty("Range",
              {scalar("a", int32_t{5}, DType::Int32), scalar("b", int32_t{1}, DType::Int32),
               scalar("c", int32_t{1}, DType::Int32)});
  EXPECT_EQ(empty.infer().shape, (Shape{0}));
  OneOp runtime("Range",
                {tensor_of<int64_t>("a", DType::Int64, {}, {0}),
                 scalar("b", int64_t{4}, DType::Int64), scalar("c", int64_t{1}, DType::Int64)});
  EXPECT_THROW(runtime.infer(), Error);
}

}  // namespace
}  // namespace kiln::test
