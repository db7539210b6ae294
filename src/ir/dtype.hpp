#pragma once
// Element types a kiln tensor can hold. The set is closed on purpose: every kernel, the code
// generator and the memory planner switch over it, so adding a type is a deliberate act.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kiln {

enum class DType : uint8_t { Float32, Int8, UInt8, Int16, Int32, Int64, Bool };

size_t dtype_size(DType type);
std::string_view dtype_name(DType type);    // "float32", "int8", ...
std::string_view dtype_c_type(DType type);  // "float", "int8_t", ... (bool is uint8_t in C99 code)
// ONNX TensorProto.DataType enum value <-> DType; nullopt for types kiln does not support.
std::optional<DType> dtype_from_onnx(int onnx_type);
int dtype_to_onnx(DType type);

}  // namespace kiln
