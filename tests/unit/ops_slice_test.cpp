// Slice: bounds normalization (negative, clamped, INT_MAX/INT_MIN), steps, axes defaulting, the
// opset-1 attribute form, and the kernel across dtypes.
#include <gtest/gtest.h>

#include <limits>

#include "ir/error.hpp"
#include "ops_shape_test_util.hpp"

namespace kiln::test {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

Tensor grid() {  // 3x4: value = 10*row + col
  return tensor_of<float>("x", DType::Float32, {3, 4},
                          {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23});
}

TEST(OpsSlice, NegativeStartsAndClampedEnds) {
  OneOp op("Slice", {grid(), ints_constant("s", {-2, 1}), ints_constant("e", {kMax, 1000}),
                     ints_constant("a", {0, -1})});
  EXPECT_EQ(op.infer().shape, (Shape{2, 3}));
  EXPECT_EQ(values_of<float>(op.run().at("y0")), (std::vector<float>{11, 12, 13, 21, 22, 23}));
}

TEST(OpsSlice, NegativeStepsReverse) {
  OneOp op("Slice", {grid(), ints_constant("s", {-1}), ints_constant("e", {kMin}),
                     ints_constant("a", {1}), ints_constant("st", {-2})});
  EXPECT_EQ(op.infer().shape, (Shape{3, 2}));
  EXPECT_EQ(values_of<float>(op.run().at("y0")), (std::vector<float>{3, 1, 13, 11, 23, 21}));
}

TEST(OpsSlice, AxesDefaultToLeadingDimsAndEmptyResults) {
  OneOp op("Slice", {grid(), ints_constant("s", {1}), ints_constant("e", {2})});
  EXPECT_EQ(values_of<float>(op.run().at("y0")), (std::vector<float>{10, 11, 12, 13}));
  OneOp empty("Slice", {grid(), ints_constant("s", {3}), ints_constant("e", {1})});
  EXPECT_EQ(empty.infer().shape, (Shape{0, 4}));
  EXPECT_TRUE(empty.run().at("y0").data.empty());
}

TEST(OpsSlice, Opset9AttributesBecomeInputs) {
  OneOp op("Slice", {tensor_of<int64_t>("x", DType::Int64, {5}, {5, 6, 7, 8, 9})}, 1,
           {{"starts", std::vector<int64_t>{1}}, {"ends", std::vector<int64_t>{-1}}}, 9);
  EXPECT_EQ(op.graph.nodes[0].inputs.size(), 3u);
  EXPECT_EQ(values_of<int64_t>(op.run().at("y0")), (std::vector<int64_t>{6, 7, 8}));
}

TEST(OpsSlice, Int8StepTwoOnThreeDims) {
  std::vector<int8_t> v(24);
  for (int i = 0; i < 24; ++i) v[i] = static_cast<int8_t>(i);
  OneOp op("Slice",
           {tensor_of<int8_t>("x", DType::Int8, {2, 3, 4}, v), ints_constant("s", {0, 1}),
            ints_constant("e", {3, 4}), ints_constant("a", {1, 2}), ints_constant("st", {2, 2})});
  EXPECT_EQ(values_of<int8_t>(op.run().at("y0")),
            (std::vector<int8_t>{1, 3, 9, 11, 13, 15, 21, 23}));
}

TEST(OpsSlice, RejectsBadArguments) {
  OneOp step("Slice", {grid(), ints_constant("s", {0}), ints_constant("e", {1}),
                       ints_constant("a", {0}), ints_constant("st", {0})});
  EXPECT_THROW(step.infer(), Error);
  OneOp lengths("Slice", {grid(), ints_constant("s", {0, 0}), ints_constant("e", {1})});
  EXPECT_THROW(lengths.infer(), Error);
  OneOp axis("Slice",
             {grid(), ints_constant("s", {0}), ints_constant("e", {1}), ints_constant("a", {2})});
  EXPECT_THROW(axis.infer(), Error);
  OneOp runtime("Slice",
                {grid(), tensor_of<int64_t>("s", DType::Int64, {1}, {0}), ints_constant("e", {1})});
  EXPECT_THROW(runtime.infer(), Error);
}

}  // namespace
}  // namespace kiln::test
