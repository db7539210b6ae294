// Transpose shape rule and the strided-copy kernel behind it, for several dtypes and ranks.
#include <gtest/gtest.h>

#include <numeric>

#include "ir/error.hpp"
#include "ops_shape_test_util.hpp"

namespace kiln::test {
namespace {

// Reference transpose on indices.
std::vector<int64_t> reference(const Shape& shape, const std::vector<int64_t>& perm) {
  Shape out;
  for (int64_t p : perm) out.push_back(shape[p]);
  std::vector<int64_t> in_strides(shape.size(), 1);
  for (size_t k = shape.size(); k-- > 1;) in_strides[k - 1] = in_strides[k] * shape[k];
  std::vector<int64_t> result;
  std::vector<int64_t> index(out.size(), 0);
  for (int64_t n = 0; n < shape_elements(out); ++n) {
    int64_t rest = n, offset = 0;
    for (size_t k = out.size(); k-- > 0;) {
      offset += (rest % out[k]) * in_strides[perm[k]];
      rest /= out[k];
    }
    result.push_back(offset);
  }
  return result;
}

template <typename T>
void check_transpose(DType dtype, const Shape& shape, const std::vector<int64_t>& perm) {
  std::vector<T> x(static_cast<size_t>(shape_elements(shape)));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<T>(i % 97 + 1);
  OneOp op("Transpose", {tensor_of<T>("x", dtype, shape, x)}, 1, {{"perm", perm}});
  std::vector<T> got = values_of<T>(op.run().at("y0"));
  std::vector<int64_t> offsets = reference(shape, perm);
  ASSERT_EQ(got.size(), offsets.size());
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], x[offsets[i]]) << "element " << i;
}

TEST(OpsTranspose, DefaultReversesDims) {
  OneOp op("Transpose", {tensor_of<float>("x", DType::Float32, {2, 3}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(op.infer().shape, (Shape{3, 2}));
  EXPECT_EQ(values_of<float>(op.run().at("y0")), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST(OpsTranspose, RejectsNonPermutations) {
  auto x = tensor_of<float>("x", DType::Float32, {2, 3, 4}, std::vector<float>(24));
  OneOp dup("Transpose", {x}, 1, {{"perm", std::vector<int64_t>{0, 0, 1}}});
  EXPECT_THROW(dup.infer(), Error);
  OneOp short_perm("Transpose", {x}, 1, {{"perm", std::vector<int64_t>{1, 0}}});
  EXPECT_THROW(short_perm.infer(), Error);
  OneOp range("Transpose", {x}, 1, {{"perm", std::vector<int64_t>{0, 1, 3}}});
  EXPECT_THROW(range.infer(), Error);
}

TEST(OpsTranspose, MatchesReferenceAcrossDtypesAndRanks) {
  check_transpose<float>(DType::Float32, {2, 3, 4, 5}, {0, 2, 3, 1});  // NCHW -> NHWC
  check_transpose<float>(DType::Float32, {2, 3, 4, 5}, {3, 1, 0, 2});
  check_transpose<int8_t>(DType::Int8, {4, 6}, {1, 0});
  check_transpose<int16_t>(DType::Int16, {3, 1, 5}, {2, 1, 0});
  check_transpose<int64_t>(DType::Int64, {2, 3, 2, 2, 3}, {4, 2, 0, 3, 1});
  check_transpose<uint8_t>(DType::Bool, {2, 2, 2, 2, 2, 2, 2, 2}, {7, 6, 5, 4, 3, 2, 1, 0});
}

TEST(OpsTranspose, MergesAdjacentDimsAndFoldsInnerRuns) {
  auto x = tensor_of<float>("x", DType::Float32, {2, 3, 4, 5}, std::vector<float>(120));
  OneOp op("Transpose", {x}, 1, {{"perm", std::vector<int64_t>{0, 2, 3, 1}}});
  op.infer();
  KernelCall call = op_for(op.graph.nodes[0]).lower(op.graph.nodes[0], op.graph);
  EXPECT_EQ(call.function, "kiln_strided_copy");
  EXPECT_EQ(call.args[4].int_value, 3);  // H and W merge into one dim: 2 x 20 x 3
  EXPECT_EQ(call.args[5].ints, (std::vector<int32_t>{2, 20, 3}));
  OneOp inner("Transpose", {x}, 1, {{"perm", std::vector<int64_t>{1, 0, 2, 3}}});
  inner.infer();
  call = op_for(inner.graph.nodes[0]).lower(inner.graph.nodes[0], inner.graph);
  EXPECT_EQ(call.args[2].int_value, 20 * 4);  // H*W floats copied as one block
}

}  // namespace
}  // namespace kiln::test
