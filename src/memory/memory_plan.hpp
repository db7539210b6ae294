#pragma once
// The static memory plan of a graph: every run-time tensor gets a region and offset, recorded in
// Tensor::placement:
//   "arena" — intermediates, packed into one arena by lifetime (liveness.hpp, arena_planner.hpp);
//   "io"    — graph inputs and outputs, in caller-owned buffers (offset 0 in their own buffer);
//   "flash" — constants the kernels read (weights), laid out back to back, 16-byte aligned.
#include <cstdint>
#include <string>

#include "ir/graph.hpp"
#include "memory/arena_planner.hpp"
#include "memory/liveness.hpp"

namespace kiln {

struct MemoryPlan {
  Liveness liveness;
  ArenaLayout layout;
  int64_t arena_bytes = 0;   // NET_ARENA_SIZE
  int64_t lower_bound = 0;   // liveness lower bound for the arena (after aliasing)
  int64_t weight_bytes = 0;  // sum of the constants kernels read (unpadded)
  int64_t io_bytes = 0;      // sum of graph input and output bytes

  // Offset of an arena tensor; InternalError if the tensor is not in the arena.
  int64_t arena_offset(const std::string& tensor_name) const;
};

// Plans the graph's memory and fills Tensor::placement of every tensor a run-time node touches
// (others keep offset -1). Lowers each run-time node to find the constants its kernel reads, so
// every op must be supported (kiln::Error otherwise). Requires shape inference.
MemoryPlan plan_memory(Graph& graph);

}  // namespace kiln
