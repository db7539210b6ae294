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

// The ONNX spec: constant_value is a scalar of the data's type. A float value for int32 data,
// or several values, are refused instead of being converted or truncated.
TEST(OpsPad, ConstantValueMustBeOneElementOfTheDataType) {
  auto message = [](OneOp& op) {
    try {
      op.infer();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const Tensor ints = tensor_of<int32_t>("x", DType::Int32, {1, 2}, {1, 2});
  OneOp wrong_type("Pad", {ints, ints_constant("p", {0, 1, 0, 1}),
                           tensor_of<float>("v", DType::Float32, {}, {9.5f}, true)});
  const std::string type_error = message(wrong_type);
  EXPECT_NE(type_error.find("node 'n' (Pad): constant_value 'v' is float32, but the data 'x' is "
                            "int32"),
            std::string::npos)
      << type_error;
  OneOp two_values("Pad", {row(), ints_constant("p", {0, 1, 0, 1}),
                           tensor_of<float>("v", DType::Float32, {2}, {1, 2}, true)});
  const std::string length_error = message(two_values);
  EXPECT_NE(length_error.find("constant_value 'v' must be a scalar (one element), has shape 2"),
            std::string::npos)
      << length_error;
  OneOp empty("Pad", {row(), ints_constant("p", {0, 1, 0, 1}),
                      tensor_of<float>("v", DType::Float32, {0}, {}, true)});
  EXPECT_THROW(empty.infer(), Error);
  // A one-element 1-D value (what exporters write; ONNX Runtime takes it) is accepted.
  OneOp one("Pad", {row(), ints_constant("p", {0, 1, 0, 0}),
                    tensor_of<float>("v", DType::Float32, {1}, {4}, true)});
  EXPECT_EQ(values_of<float>(one.run().at("y0")), (std::vector<float>{4, 1, 2, 3}));
}

}  // namespace
}  // namespace kiln::test
