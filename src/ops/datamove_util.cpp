#include "ops/datamove_util.hpp"

#include <cstring>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/op_registry.hpp"

extern "C" {
#include "kiln_common.h"
}

namespace kiln {

std::vector<int64_t> dense_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t k = shape.size(); k-- > 1;) strides[k - 1] = strides[k] * shape[k];
  return strides;
}

KernelCall strided_copy_call(const Node& node, const std::string& input, const std::string& output,
                             int64_t element_bytes, int64_t offset_elements, const Shape& out_dims,
                             const std::vector<int64_t>& in_strides) {
  // Dims of size 1 contribute nothing to addresses; an empty output needs only a zero dim.
  std::vector<int64_t> dims;
  std::vector<int64_t> strides;  // bytes
  bool empty = false;
  for (size_t k = 0; k < out_dims.size(); ++k) {
    if (out_dims[k] == 0) empty = true;
    if (out_dims[k] == 1) continue;
    dims.push_back(out_dims[k]);
    strides.push_back(in_strides[k] * element_bytes);
  }
  KernelCall call("kiln_strided_copy");
  call.input(input).output(output);
  if (empty) return call.i(element_bytes).i(0).i(1).ints({0}).ints({0});
  // Merge dim k into k-1 when stepping k-1 once equals walking all of dim k.
  std::vector<int64_t> merged_dims;
  std::vector<int64_t> merged_strides;
  for (size_t k = 0; k < dims.size(); ++k) {
    if (!merged_dims.empty() && merged_strides.back() == strides[k] * dims[k]) {
      merged_dims.back() *= dims[k];
      merged_strides.back() = strides[k];
    } else {
      merged_dims.push_back(dims[k]);
      merged_strides.push_back(strides[k]);
    }
  }
  // A contiguous innermost run becomes one block.
  int64_t block = element_bytes;
  if (!merged_dims.empty() && merged_strides.back() == element_bytes) {
    block *= merged_dims.back();
    merged_dims.pop_back();
    merged_strides.pop_back();
  }
  if (merged_dims.size() > KILN_MAX_RANK)
    throw UnsupportedError(node.describe() + ": needs a " + std::to_string(merged_dims.size()) +
                           "-D strided copy; kiln supports at most " +
                           std::to_string(KILN_MAX_RANK) + " dims");
  if (merged_dims.empty()) {
    merged_dims.push_back(1);
    merged_strides.push_back(0);
  }
  return call.i(block)
      .i(offset_elements * element_bytes)
      .i(static_cast<int64_t>(merged_dims.size()))
      .ints(merged_dims)
      .ints(merged_strides);
}

namespace {
template <typename T>
std::vector<int64_t> bytes_of(T v) {
  uint8_t raw[sizeof(T)];
  std::memcpy(raw, &v, sizeof(T));
  return {raw, raw + sizeof(T)};
}
}  // namespace

std::vector<int64_t> element_bytes(DType dtype, double value) {
  switch (dtype) {
    case DType::Float32: return bytes_of(static_cast<float>(value));
    case DType::Int8: return bytes_of(static_cast<int8_t>(value));
    case DType::UInt8: return bytes_of(static_cast<uint8_t>(value));
    case DType::Int16: return bytes_of(static_cast<int16_t>(value));
    case DType::Int32: return bytes_of(static_cast<int32_t>(value));
    case DType::Int64: return bytes_of(static_cast<int64_t>(value));
    case DType::Bool: return bytes_of(static_cast<uint8_t>(value != 0.0));
  }
  throw InternalError("element_bytes: invalid dtype");
}

std::vector<int64_t> first_element_bytes(const Tensor& t) {
  size_t size = dtype_size(t.dtype);
  if (t.data.size() < size)
    throw InternalError("tensor " + quote_name(t.name) + ": no element to read");
  return {t.data.begin(), t.data.begin() + static_cast<std::ptrdiff_t>(size)};
}

void set_constant_output(const Node& node, Graph& graph, size_t index, DType dtype, Shape shape,
                         std::vector<uint8_t> data) {
  set_output(node, graph, index, dtype, std::move(shape));
  Tensor& t = output_tensor(node, graph, index);
  if (static_cast<int64_t>(data.size()) != t.bytes())
    throw InternalError(node.describe() + ": constant output size mismatch");
  t.data = std::move(data);
  t.constant = true;
}

std::vector<uint8_t> int64_data(const std::vector<int64_t>& values) {
  std::vector<uint8_t> data(values.size() * sizeof(int64_t));
  if (!values.empty()) std::memcpy(data.data(), values.data(), data.size());
  return data;
}

std::string add_int64_constant(Graph& graph, const Node& node, const std::string& what,
                               const std::vector<int64_t>& values) {
  std::string name = graph.unique_name(node.name + "_" + what);
  graph.add_tensor(
      make_constant<int64_t>(name, DType::Int64, {static_cast<int64_t>(values.size())}, values));
  return name;
}

void set_input(Node& node, size_t index, const std::string& tensor_name) {
  if (node.inputs.size() <= index) node.inputs.resize(index + 1);
  node.inputs[index] = tensor_name;
}

KernelCall folded_op_lower(const Node& node, const Graph&) {
  throw InternalError(node.describe() + ": output should have been computed at compile time");
}

}  // namespace kiln
