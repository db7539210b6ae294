#pragma once
// Broadcast layout computed at lowering time for the element-wise kernels (kiln_broadcast.h):
// the output shape with mergeable dims merged and, per operand, one stride per dim (0 where the
// operand is broadcast).
#include <cstddef>
#include <vector>

#include "ir/node.hpp"
#include "ir/tensor.hpp"

namespace kiln {

constexpr size_t kMaxKernelRank = 8;  // KILN_MAX_RANK in kiln_common.h

struct BroadcastLayout {
  std::vector<int64_t> shape;                 // at least one dim
  std::vector<std::vector<int64_t>> strides;  // [operand][dim]
};

// `out` is the broadcast result of `operands`; Error naming the node if the merged rank still
// exceeds kMaxKernelRank.
BroadcastLayout broadcast_layout(const Node& node, const Shape& out,
                                 const std::vector<Shape>& operands);

}  // namespace kiln
