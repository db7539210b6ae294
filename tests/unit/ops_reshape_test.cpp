// Reshape, Flatten, Squeeze, Unsqueeze: shape rules, opset upgrades, and the view lowering.
#include <gtest/gtest.h>

#include "ir/error.hpp"
#include "ops_shape_test_util.hpp"

namespace kiln::test {
namespace {

Tensor floats(const std::string& name, Shape shape) {
  std::vector<float> v(static_cast<size_t>(shape_elements(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return tensor_of<float>(name, DType::Float32, std::move(shape), v);
}

TEST(OpsReshape, ZeroCopiesAndMinusOneInfers) {
  OneOp op("Reshape", {floats("x", {2, 3, 4}), ints_constant("s", {0, -1})});
  EXPECT_EQ(op.infer().shape, (Shape{2, 12}));
}

TEST(OpsReshape, AllowZeroKeepsZeroDims) {
  OneOp op("Reshape",
           {tensor_of<float>("x", DType::Float32, {0, 3}, {}), ints_constant("s", {3, 0})}, 1,
           {{"allowzero", int64_t{1}}});
  EXPECT_EQ(op.infer().shape, (Shape{3, 0}));
}

TEST(OpsReshape, RejectsBadElementCountAndTwoMinusOnes) {
  OneOp bad("Reshape", {floats("x", {2, 3}), ints_constant("s", {4, 2})});
  EXPECT_THROW(bad.infer(), Error);
  OneOp two("Reshape", {floats("x", {2, 3}), ints_constant("s", {-1, -1})});
  EXPECT_THROW(two.infer(), Error);
  OneOp uneven("Reshape", {floats("x", {2, 3}), ints_constant("s", {4, -1})});
  EXPECT_THROW(uneven.infer(), Error);
}

// The ONNX spec: shape is a 1-D int64 tensor. Another dtype or rank is refused, not
// reinterpreted (an int8 [2, 3] read as int64 would be a different shape).
TEST(OpsReshape, ShapeMustBeOneDimensionalInt64) {
  auto message = [](OneOp& op) {
    try {
      op.infer();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  OneOp int8("Reshape",
             {floats("x", {2, 3}), tensor_of<int8_t>("s", DType::Int8, {2}, {3, 2}, true)});
  const std::string int8_error = message(int8);
  EXPECT_NE(int8_error.find("node 'n' (Reshape): shape input 's' must be int64, is int8"),
            std::string::npos)
      << int8_error;
  OneOp two_d("Reshape",
              {floats("x", {2, 3}), tensor_of<int64_t>("s", DType::Int64, {1, 2}, {3, 2}, true)});
  const std::string two_d_error = message(two_d);
  EXPECT_NE(two_d_error.find("shape input 's' must be 1-D, has shape 1x2"), std::string::npos)
      << two_d_error;
  OneOp scalar("Reshape", {floats("x", {1}), tensor_of<int64_t>("s", DType::Int64, {}, {1}, true)});
  EXPECT_THROW(scalar.infer(), Error);
  OneOp good("Reshape", {floats("x", {2, 3}), ints_constant("s", {3, 2})});
  EXPECT_EQ(good.infer().shape, (Shape{3, 2}));
}

TEST(OpsReshape, RuntimeShapeInputIsACompileError) {
  OneOp op("Reshape", {floats("x", {2, 3}), tensor_of<int64_t>("s", DType::Int64, {1}, {6})});
  try {
    op.infer();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("compile-time constant"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("node 'n' (Reshape)"), std::string::npos);
  }
}

TEST(OpsReshape, RunsAsAByteCopyForInt64) {
  OneOp op("Reshape", {tensor_of<int64_t>("x", DType::Int64, {2, 2}, {1, -2, 3, 1LL << 40}),
                       ints_constant("s", {4})});
  TensorMap out = op.run();
  EXPECT_EQ(values_of<int64_t>(out.at("y0")), (std::vector<int64_t>{1, -2, 3, 1LL << 40}));
  EXPECT_EQ(op_for(op.graph.nodes[0]).in_place, InPlace::View);
  KernelCall call = op_for(op.graph.nodes[0]).lower(op.graph.nodes[0], op.graph);
  EXPECT_EQ(call.function, "kiln_copy");
  EXPECT_EQ(call.args[2].int_value, 32);
}

TEST(OpsFlatten, AxisSplitsOuterAndInner) {
  EXPECT_EQ(OneOp("Flatten", {floats("x", {2, 3, 4})}).infer().shape, (Shape{2, 12}));
  EXPECT_EQ(OneOp("Flatten", {floats("x", {2, 3, 4})}, 1, {{"axis", int64_t{0}}}).infer().shape,
            (Shape{1, 24}));
  EXPECT_EQ(OneOp("Flatten", {floats("x", {2, 3, 4})}, 1, {{"axis", int64_t{-1}}}).infer().shape,
            (Shape{6, 4}));
  EXPECT_EQ(OneOp("Flatten", {floats("x", {2, 3, 4})}, 1, {{"axis", int64_t{3}}}).infer().shape,
            (Shape{24, 1}));
  OneOp bad("Flatten", {floats("x", {2, 3, 4})}, 1, {{"axis", int64_t{4}}});
  EXPECT_THROW(bad.infer(), Error);
}

TEST(OpsSqueeze, AxesInputAndDefault) {
  EXPECT_EQ(OneOp("Squeeze", {floats("x", {1, 3, 1, 2})}).infer().shape, (Shape{3, 2}));
  EXPECT_EQ(OneOp("Squeeze", {floats("x", {1, 3, 1, 2}), ints_constant("a", {-2})}).infer().shape,
            (Shape{1, 3, 2}));
  OneOp bad("Squeeze", {floats("x", {1, 3}), ints_constant("a", {1})});
  EXPECT_THROW(bad.infer(), Error);
}

TEST(OpsSqueeze, Opset11AxesAttributeBecomesInput) {
  OneOp op("Squeeze", {floats("x", {1, 3, 1})}, 1, {{"axes", std::vector<int64_t>{0}}}, 11);
  ASSERT_EQ(op.graph.nodes[0].inputs.size(), 2u);
  EXPECT_FALSE(op.graph.nodes[0].has_attr("axes"));
  EXPECT_EQ(op.infer().shape, (Shape{3, 1}));
}

TEST(OpsUnsqueeze, InsertsAtOutputPositions) {
  EXPECT_EQ(OneOp("Unsqueeze", {floats("x", {3, 4}), ints_constant("a", {0, 3})}).infer().shape,
            (Shape{1, 3, 4, 1}));
  EXPECT_EQ(OneOp("Unsqueeze", {floats("x", {3, 4}), ints_constant("a", {-1})}).infer().shape,
            (Shape{3, 4, 1}));
  OneOp v11("Unsqueeze", {floats("x", {3})}, 1, {{"axes", std::vector<int64_t>{1}}}, 11);
  EXPECT_EQ(v11.infer().shape, (Shape{3, 1}));
  OneOp dup("Unsqueeze", {floats("x", {3}), ints_constant("a", {0, -3})});
  EXPECT_THROW(dup.infer(), Error);
  OneOp range("Unsqueeze", {floats("x", {3}), ints_constant("a", {2})});
  EXPECT_THROW(range.infer(), Error);
}

}  // namespace
}  // namespace kiln::test
