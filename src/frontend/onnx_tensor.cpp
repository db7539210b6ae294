#include "frontend/onnx_tensor.hpp"

#include <fmt/format.h>

#include <cstring>
#include <limits>

#include "ir/error.hpp"

namespace kiln::onnx_frontend {

std::string onnx_type_name(int onnx_type) {
  // Types added to onnx.proto after the onnx 1.12 headers kiln builds against.
  switch (onnx_type) {
    case 17: return "FLOAT8E4M3FN";
    case 18: return "FLOAT8E4M3FNUZ";
    case 19: return "FLOAT8E5M2";
    case 20: return "FLOAT8E5M2FNUZ";
    case 21: return "UINT4";
    case 22: return "INT4";
    case 23: return "FLOAT4E2M1";
    case 24: return "FLOAT8E8M0";
    case 25: return "UINT2";
    case 26: return "INT2";
  }
  if (onnx::TensorProto_DataType_IsValid(onnx_type))
    return onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(onnx_type));
  return fmt::format("type {}", onnx_type);
}

int64_t checked_element_count(const Shape& shape, DType dtype, const std::string& what) {
  int64_t elements = 1;
  for (int64_t dim : shape) {
    if (dim < 0) throw Error(fmt::format("{}: negative dimension {}", what, dim));
    if (dim != 0 && elements > kMaxTensorElements / dim)
      throw Error(
          fmt::format("{}: shape {} has more than 2^31 elements", what, shape_to_string(shape)));
    elements *= dim;
  }
  if (elements > kMaxTensorElements)
    throw Error(
        fmt::format("{}: shape {} has more than 2^31 elements", what, shape_to_string(shape)));
  if (elements * static_cast<int64_t>(dtype_size(dtype)) > kMaxTensorBytes)
    throw Error(fmt::format("{}: shape {} of {} exceeds 1 GiB", what, shape_to_string(shape),
                            dtype_name(dtype)));
  return elements;
}

namespace {

void check_count(int64_t have, int64_t need, const char* field, const Shape& shape,
                 const std::string& what) {
  if (have != need)
    throw Error(fmt::format("{}: {} holds {} values but shape {} needs {}", what, field, have,
                            shape_to_string(shape), need));
}

// Copies the int32_data field into elements of type T, rejecting values T cannot hold (ONNX
// stores int8/uint8/int16/bool tensors widened to int32 in this field).
template <typename T>
void copy_narrowed(const onnx::TensorProto& proto, Tensor& tensor, const std::string& what) {
  std::span<T> out = tensor.mutable_values<T>();
  for (int i = 0; i < proto.int32_data_size(); ++i) {
    int32_t v = proto.int32_data(i);
    if (tensor.dtype == DType::Bool) {
      out[static_cast<size_t>(i)] = static_cast<T>(v != 0);
      continue;
    }
    if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
      throw Error(fmt::format("{}: value {} in int32_data does not fit {}", what, v,
                              dtype_name(tensor.dtype)));
    out[static_cast<size_t>(i)] = static_cast<T>(v);
  }
}

}  // namespace

Tensor tensor_from_onnx(const onnx::TensorProto& proto, const std::string& name,
                        const std::string& what) {
  if (proto.data_location() == onnx::TensorProto_DataLocation_EXTERNAL ||
      proto.external_data_size() > 0)
    throw UnsupportedError(
        fmt::format("{}: external data not supported (store the weights inside "
                    "the model file)",
                    what));
  if (proto.has_segment())
    throw UnsupportedError(fmt::format("{}: segmented tensors are not supported", what));
  std::optional<DType> dtype = dtype_from_onnx(proto.data_type());
  if (!dtype)
    throw UnsupportedError(
        fmt::format("{}: unsupported data type {}", what, onnx_type_name(proto.data_type())));

  Tensor tensor;
  tensor.name = name;
  tensor.dtype = *dtype;
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  tensor.shape_known = true;
  tensor.constant = true;
  const int64_t elements = checked_element_count(tensor.shape, tensor.dtype, what);
  const int64_t bytes = elements * static_cast<int64_t>(dtype_size(tensor.dtype));

  if (proto.has_raw_data()) {
    const std::string& raw = proto.raw_data();
    if (static_cast<int64_t>(raw.size()) != bytes)
      throw Error(fmt::format("{}: raw_data holds {} bytes but shape {} of {} needs {}", what,
                              raw.size(), shape_to_string(tensor.shape), dtype_name(tensor.dtype),
                              bytes));
    // ONNX raw_data is little-endian, as are kiln's constants and every supported host.
    tensor.data.assign(raw.begin(), raw.end());
    return tensor;
  }

  switch (tensor.dtype) {
    case DType::Float32: {
      check_count(proto.float_data_size(), elements, "float_data", tensor.shape, what);
      std::span<float> out = tensor.mutable_values<float>();
      if (!out.empty()) std::memcpy(out.data(), proto.float_data().data(), out.size_bytes());
      break;
    }
    case DType::Int64: {
      check_count(proto.int64_data_size(), elements, "int64_data", tensor.shape, what);
      std::span<int64_t> out = tensor.mutable_values<int64_t>();
      for (size_t i = 0; i < out.size(); ++i) out[i] = proto.int64_data(static_cast<int>(i));
      break;
    }
    case DType::Int32: {
      check_count(proto.int32_data_size(), elements, "int32_data", tensor.shape, what);
      std::span<int32_t> out = tensor.mutable_values<int32_t>();
      for (size_t i = 0; i < out.size(); ++i) out[i] = proto.int32_data(static_cast<int>(i));
      break;
    }
    case DType::Int8:
      check_count(proto.int32_data_size(), elements, "int32_data", tensor.shape, what);
      copy_narrowed<int8_t>(proto, tensor, what);
      break;
    case DType::UInt8:
    case DType::Bool:
      check_count(proto.int32_data_size(), elements, "int32_data", tensor.shape, what);
      copy_narrowed<uint8_t>(proto, tensor, what);
      break;
    case DType::Int16:
      check_count(proto.int32_data_size(), elements, "int32_data", tensor.shape, what);
      copy_narrowed<int16_t>(proto, tensor, what);
      break;
  }
  return tensor;
}

}  // namespace kiln::onnx_frontend
