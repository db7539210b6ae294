#pragma once
// A tensor is a named value in the graph: a graph input, a constant (weights), or an
// intermediate produced by exactly one node. Besides its type and shape it carries the slots
// later stages fill in: quantization parameters (quant/) and memory placement (memory/).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ir/dtype.hpp"

namespace kiln {

using Shape = std::vector<int64_t>;

int64_t shape_elements(const Shape& shape);       // product of dims; 1 for a scalar
std::string shape_to_string(const Shape& shape);  // "1x3x32x32", "scalar" for rank 0

// Affine quantization: real = scale * (q - zero_point). Per-tensor when scales.size() == 1,
// per-channel along `axis` otherwise.
struct QuantParams {
  std::vector<float> scales;
  std::vector<int32_t> zero_points;
  int axis = -1;
  // Storage bits per element: 8 (or the dtype's width), or 4 for int4 weights, which are dtype
  // Int8 constants whose data packs two values per byte (element 2i in the low nibble of byte
  // i, see kiln_weight_at in src/kernels/kiln_requant.h).
  int bits = 8;
  bool per_channel() const { return scales.size() > 1; }
  bool packed_int4() const { return bits == 4; }
};

// Where a tensor lives at run time. Filled by the memory planner; `region` names a memory of
// the target description ("arena" for the default single arena, "flash" for constants,
// "io" for caller-owned input/output buffers; tiling later adds on-chip levels).
struct Placement {
  std::string region;
  int64_t offset = -1;  // byte offset inside the region; -1 = not planned
  int64_t size = 0;     // bytes reserved (may exceed the tensor's bytes for alignment)
};

struct Tensor {
  std::string name;
  DType dtype = DType::Float32;
  Shape shape;
  bool shape_known = false;          // false until shape inference (or the frontend) sets it
  std::vector<uint8_t> data;         // raw little-endian elements; non-empty iff constant
  bool constant = false;             // true for initializers and folded values (data may be
                                     // empty for a zero-element constant)
  std::optional<QuantParams> quant;  // set once the tensor is quantized
  Placement placement;

  int64_t elements() const { return shape_elements(shape); }
  int64_t bytes() const {
    if (quant && quant->packed_int4()) return (elements() + 1) / 2;
    return elements() * static_cast<int64_t>(dtype_size(dtype));
  }

  // Typed views over constant data. Throw InternalError on a dtype mismatch.
  template <typename T>
  std::span<const T> values() const;
  template <typename T>
  std::span<T> mutable_values();
  // Any integer constant read as int64 (for axes, shapes, pads given as tensors).
  std::vector<int64_t> as_int64() const;
  std::vector<float> as_float() const;
};

// Builds a constant tensor from typed values.
template <typename T>
Tensor make_constant(std::string name, DType dtype, Shape shape, std::span<const T> values);

}  // namespace kiln

#include "ir/tensor_impl.hpp"
