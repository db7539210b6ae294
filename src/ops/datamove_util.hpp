#pragma once
// Helpers shared by the data-movement ops (reshape.cpp, transpose.cpp, slice.cpp, pad.cpp,
// expand.cpp, shape.cpp, ...): lowering a strided view to kiln_strided_copy, element bytes for
// constant-value kernel arguments, and constant outputs computed at compile time.
#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.hpp"
#include "ops/kernel_call.hpp"

namespace kiln {

// Row-major strides (in elements) of a dense tensor of `shape`.
std::vector<int64_t> dense_strides(const Shape& shape);

// A call of kiln_strided_copy producing `output` (dense, shape `out_dims`) where output element
// (i0..iR-1) reads input element offset_elements + sum(ik * in_strides[k]) of `input`. Drops
// size-1 dims, merges dims contiguous in both tensors and folds the contiguous innermost run into
// the copied block, so e.g. an NCHW->NHWC transpose becomes a 3-D copy of C-element columns.
// UnsupportedError naming the node if more than KILN_MAX_RANK dims remain.
KernelCall strided_copy_call(const Node& node, const std::string& input, const std::string& output,
                             int64_t element_bytes, int64_t offset_elements, const Shape& out_dims,
                             const std::vector<int64_t>& in_strides);

// The little-endian bytes of `value` converted to `dtype`, one per entry (kernel .ints() form
// of a single element, as kiln_fill and kiln_pad take it).
std::vector<int64_t> element_bytes(DType dtype, double value);
// The bytes of element 0 of a constant tensor (its own dtype).
std::vector<int64_t> first_element_bytes(const Tensor& t);

// Stores a compile-time value as output `index`: dtype, shape, data, constant = true.
void set_constant_output(const Node& node, Graph& graph, size_t index, DType dtype, Shape shape,
                         std::vector<uint8_t> data);
// int64 values as raw data.
std::vector<uint8_t> int64_data(const std::vector<int64_t>& values);

// Adds an int64 constant tensor (1-D of values) named after the node and returns its name; used
// by upgrade() to turn older-opset attributes into the inputs the newest form takes.
std::string add_int64_constant(Graph& graph, const Node& node, const std::string& what,
                               const std::vector<int64_t>& values);

// Sets input `index` of `node` to `tensor_name`, padding skipped optional inputs with "".
void set_input(Node& node, size_t index, const std::string& tensor_name);

// Lowering for ops whose output is always a compile-time constant (Shape, Size, Range): they
// never run, so reaching lower() is a kiln bug.
KernelCall folded_op_lower(const Node& node, const Graph& graph);

}  // namespace kiln
