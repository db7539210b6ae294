#pragma once
// Template bodies for tensor.hpp; included from it, not directly.
#include <cstring>

#include "ir/error.hpp"

namespace kiln {

template <typename T>
std::span<const T> Tensor::values() const {
  if (sizeof(T) != dtype_size(dtype))
    throw InternalError("tensor '" + name + "': element size mismatch reading constant data");
  if (data.size() != static_cast<size_t>(bytes()))
    throw InternalError("tensor '" + name + "': constant data size does not match its shape");
  return {reinterpret_cast<const T*>(data.data()), data.size() / sizeof(T)};
}

template <typename T>
std::span<T> Tensor::mutable_values() {
  if (sizeof(T) != dtype_size(dtype))
    throw InternalError("tensor '" + name + "': element size mismatch writing constant data");
  data.resize(static_cast<size_t>(bytes()));
  return {reinterpret_cast<T*>(data.data()), data.size() / sizeof(T)};
}

template <typename T>
Tensor make_constant(std::string name, DType dtype, Shape shape, std::span<const T> values) {
  Tensor t;
  t.name = std::move(name);
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.shape_known = true;
  t.constant = true;
  if (sizeof(T) != dtype_size(dtype) || static_cast<int64_t>(values.size()) != t.elements())
    throw InternalError("make_constant '" + t.name + "': values do not match dtype/shape");
  t.data.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

}  // namespace kiln
