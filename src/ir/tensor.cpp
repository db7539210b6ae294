#include "ir/tensor.hpp"

#include <cstring>

#include "ir/error.hpp"
#include "ir/messages.hpp"

namespace kiln {

int64_t shape_elements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_to_string(const Shape& shape) {
  if (shape.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(shape[i]);
  }
  return s;
}

namespace {
template <typename From, typename To>
std::vector<To> convert(const std::vector<uint8_t>& data) {
  std::vector<To> out(data.size() / sizeof(From));
  for (size_t i = 0; i < out.size(); ++i) {
    From v;
    std::memcpy(&v, data.data() + i * sizeof(From), sizeof(From));
    out[i] = static_cast<To>(v);
  }
  return out;
}
}  // namespace

std::vector<int64_t> Tensor::as_int64() const {
  switch (dtype) {
    case DType::Int64: return convert<int64_t, int64_t>(data);
    case DType::Int32: return convert<int32_t, int64_t>(data);
    case DType::Int16: return convert<int16_t, int64_t>(data);
    case DType::Int8: return convert<int8_t, int64_t>(data);
    case DType::UInt8: return convert<uint8_t, int64_t>(data);
    case DType::Bool: return convert<uint8_t, int64_t>(data);
    case DType::Float32: break;
  }
  throw Error("tensor " + quote_name(name) + ": expected integer values, got " +
              std::string(dtype_name(dtype)));
}

std::vector<float> Tensor::as_float() const {
  switch (dtype) {
    case DType::Float32: return convert<float, float>(data);
    case DType::Int64: return convert<int64_t, float>(data);
    case DType::Int32: return convert<int32_t, float>(data);
    case DType::Int16: return convert<int16_t, float>(data);
    case DType::Int8: return convert<int8_t, float>(data);
    case DType::UInt8: return convert<uint8_t, float>(data);
    case DType::Bool: return convert<uint8_t, float>(data);
  }
  throw InternalError("as_float: invalid dtype");
}

}  // namespace kiln
