#pragma once
// The static memory plan of a graph: every run-time tensor gets a region and offset, recorded in
// Tensor::placement:
//   "arena" — intermediates, packed into one arena by lifetime (liveness.hpp, arena_planner.hpp);
//   "io"    — graph inputs and outputs, in caller-owned buffers (offset 0 in their own buffer);
//   "flash" — constants the kernels read (weights), laid out back to back, 16-byte aligned;
//             constants with equal element type and bytes share one placement (one array).
#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.hpp"
#include "memory/arena_planner.hpp"
#include "memory/liveness.hpp"

namespace kiln {

struct MemoryPlanOptions {
  bool reorder = true;   // schedule the nodes to lower the peak (memory/schedule.hpp)
  bool in_place = true;  // element-wise and plane-wise in-place execution (memory/liveness.hpp)
  // Plane-wise ties constrain packing, so by default only those that lower the peak are kept.
  // Keeping all of them runs every eligible op with a lag (tests use it to exercise each one).
  bool keep_all_ties = false;
};

struct MemoryPlan {
  Liveness liveness;
  ArenaLayout layout;
  int64_t arena_bytes = 0;  // NET_ARENA_SIZE
  int64_t lower_bound = 0;  // liveness lower bound for the arena, for the plan's schedule
  // The same bound for the graph's order as given, with views but no in-place execution: what
  // scheduling and in-place execution improved on.
  int64_t lower_bound_before = 0;
  // The schedule the plan is for: node names in execution order. plan_memory() leaves
  // Graph::nodes in exactly this order; the code generator checks that it still is.
  std::vector<std::string> schedule;
  bool reordered = false;       // the schedule differs from the order plan_memory() was given
  std::string schedule_method;  // "exact", "greedy" or "given" (reordering off)
  int64_t weight_bytes = 0;     // sum of the constants kernels read (unpadded, shared ones once)
  int64_t io_bytes = 0;         // sum of graph input and output bytes
  // Run-time nodes computing constants: every input is a constant but the result was not
  // folded into flash (over kMaxFoldBytes, e.g. a large ConstantOfShape, or an op folding
  // cannot evaluate), so it fills arena or output bytes at every run. Q/DQ nodes, which are
  // deliberately left to lowering, are not listed. `kiln compile` and the report name them.
  std::vector<std::string> runtime_constant_nodes;
  int64_t runtime_constant_bytes = 0;  // their output bytes

  // Offset of an arena tensor; InternalError if the tensor is not in the arena.
  int64_t arena_offset(const std::string& tensor_name) const;
};

// Plans the graph's memory and fills Tensor::placement of every tensor a run-time node touches
// (others keep offset -1). Lowers each run-time node to find the constants its kernel reads, so
// every op must be supported (kiln::Error otherwise). Requires shape inference.
// Schedules first: with options.reorder, Graph::nodes is reordered into the topological order
// whose plan needs the smaller arena (the given order wins ties).
MemoryPlan plan_memory(Graph& graph, const MemoryPlanOptions& options = {});

}  // namespace kiln
