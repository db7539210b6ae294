#include "ir/dtype.hpp"

#include "ir/error.hpp"

namespace kiln {

size_t dtype_size(DType type) {
  switch (type) {
    case DType::Float32: return 4;
    case DType::Int8: return 1;
    case DType::UInt8: return 1;
    case DType::Int16: return 2;
    case DType::Int32: return 4;
    case DType::Int64: return 8;
    case DType::Bool: return 1;
  }
  throw InternalError("dtype_size: invalid DType");
}

std::string_view dtype_name(DType type) {
  switch (type) {
    case DType::Float32: return "float32";
    case DType::Int8: return "int8";
    case DType::UInt8: return "uint8";
    case DType::Int16: return "int16";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::Bool: return "bool";
  }
  throw InternalError("dtype_name: invalid DType");
}

std::string_view dtype_c_type(DType type) {
  switch (type) {
    case DType::Float32: return "float";
    case DType::Int8: return "int8_t";
    case DType::UInt8: return "uint8_t";
    case DType::Int16: return "int16_t";
    case DType::Int32: return "int32_t";
    case DType::Int64: return "int64_t";
    case DType::Bool: return "uint8_t";
  }
  throw InternalError("dtype_c_type: invalid DType");
}

// Values from onnx.proto's TensorProto.DataType.
std::optional<DType> dtype_from_onnx(int onnx_type) {
  switch (onnx_type) {
    case 1: return DType::Float32;
    case 2: return DType::UInt8;
    case 3: return DType::Int8;
    case 5: return DType::Int16;
    case 6: return DType::Int32;
    case 7: return DType::Int64;
    case 9: return DType::Bool;
    default: return std::nullopt;
  }
}

int dtype_to_onnx(DType type) {
  switch (type) {
    case DType::Float32: return 1;
    case DType::UInt8: return 2;
    case DType::Int8: return 3;
    case DType::Int16: return 5;
    case DType::Int32: return 6;
    case DType::Int64: return 7;
    case DType::Bool: return 9;
  }
  throw InternalError("dtype_to_onnx: invalid DType");
}

}  // namespace kiln
