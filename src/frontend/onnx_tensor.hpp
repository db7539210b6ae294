#pragma once
// Conversion of ONNX TensorProtos (initializers, Constant values, TENSOR attributes) into kiln
// constants. Everything is validated before any buffer is sized from the model's numbers, so a
// hostile file cannot make kiln allocate gigabytes or read past a field.
// onnx_pb.h defines ONNX_API and then includes onnx-ml.pb.h (ONNX_ML=1 comes from onnx_proto).
#include <onnx/onnx_pb.h>

#include <string>

#include "ir/tensor.hpp"
#include "ops/checked_math.hpp"

namespace kiln::onnx_frontend {

// Upper bounds on a single tensor: the ones every shape rule applies (src/ops/checked_math.hpp).
constexpr int64_t kMaxTensorElements = kMaxShapeElements;
constexpr int64_t kMaxTensorBytes = kMaxShapeBytes;

// Checks dims are non-negative and the element count/byte size stays within the limits above;
// returns the element count. `what` names the tensor in errors ("initializer 'w'").
int64_t checked_element_count(const Shape& shape, DType dtype, const std::string& what);

// Converts `proto` into a constant tensor named `name`. Throws kiln::Error (UnsupportedError for
// valid but unsupported content such as float16 or external data) naming `what`.
Tensor tensor_from_onnx(const onnx::TensorProto& proto, const std::string& name,
                        const std::string& what);

// Human-readable ONNX element type name ("FLOAT16", "STRING", or the number if unknown).
std::string onnx_type_name(int onnx_type);

}  // namespace kiln::onnx_frontend
