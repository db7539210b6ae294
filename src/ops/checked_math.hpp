#pragma once
// Overflow-checked arithmetic for shape rules. Dimensions, pads, repeats, scales and the like
// come straight from the model (attributes and constant tensors), so a hostile or corrupt model
// can make any product or sum overflow int64_t (undefined behaviour) or a float -> int
// conversion go out of range (also undefined). Every shape rule that does arithmetic on such
// values goes through these helpers, which throw kiln::Error naming the node instead.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "ir/error.hpp"
#include "ir/node.hpp"
#include "ir/tensor.hpp"

namespace kiln {

// Sanity limits on any tensor kiln handles; the frontend applies them to initializers and graph
// inputs too (src/frontend/onnx_tensor.hpp): no supported target comes near them, and they
// keep every element/byte count comfortably inside int64_t.
constexpr int64_t kMaxShapeElements = int64_t{1} << 31;
constexpr int64_t kMaxShapeBytes = int64_t{1} << 30;

[[noreturn]] inline void throw_dimension_overflow(const Node& node) {
  throw Error(node.describe() + ": dimension overflow");
}

inline int64_t checked_mul(const Node& node, int64_t a, int64_t b) {
  int64_t result = 0;
  if (__builtin_mul_overflow(a, b, &result)) throw_dimension_overflow(node);
  return result;
}

inline int64_t checked_add(const Node& node, int64_t a, int64_t b) {
  int64_t result = 0;
  if (__builtin_add_overflow(a, b, &result)) throw_dimension_overflow(node);
  return result;
}

inline int64_t checked_sub(const Node& node, int64_t a, int64_t b) {
  int64_t result = 0;
  if (__builtin_sub_overflow(a, b, &result)) throw_dimension_overflow(node);
  return result;
}

// Converts a (possibly NaN or huge) floating-point value to int64_t; Error naming the node and
// `what` when it is not finite or does not fit. The value is truncated toward zero, like
// static_cast: round it first if another rounding is wanted.
inline int64_t checked_to_int64(const Node& node, double value, const char* what) {
  // 2^63 is exactly representable; every double below it (and >= -2^63) converts safely.
  constexpr double kLimit = 9223372036854775808.0;
  if (!std::isfinite(value) || value >= kLimit || value < -kLimit)
    throw Error(node.describe() + ": " + what + " " + std::to_string(value) +
                " is not a representable integer");
  return static_cast<int64_t>(value);
}

// Product of dims with overflow checks (each dim must be >= 0, as in every inferred shape).
inline int64_t checked_elements(const Node& node, const Shape& shape) {
  int64_t elements = 1;
  for (int64_t d : shape) elements = checked_mul(node, elements, d);
  return elements;
}

}  // namespace kiln
