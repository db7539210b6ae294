#pragma once
// Op scheduling for memory: a topological order of the graph's nodes that lowers the peak of
// simultaneously live arena bytes. The node order is kiln's one schedule (Graph::verify
// invariant 5): the interpreter, the memory planner and the code generator all run `nodes` in
// order, so applying a schedule means reordering Graph::nodes.
//
// The cost model follows compute_liveness(): a tensor occupies its bytes from its producer to
// its last reader, views share their input's bytes, and (with in_place) an element-wise op's
// output takes over a same-size input that dies there and a plane-wise op's output overlaps its
// dying input but for the lag. The search is exact (memoized over the sets of nodes already run,
// choosing the earliest node on ties so an optimal original order is kept) while the number of
// such sets and the size of their keys stay small, as they do for chains and short branches;
// otherwise a greedy pass picks the ready node whose greedy completion peaks lowest (lookahead,
// small graphs), then the one that raises the peak least. Every algorithm here is iterative
// (graph depth never costs call stack) and the greedy pass avoids scanning the ready nodes per
// step, so 100,000-node chains and 20,000-branch graphs schedule in near-linear time.
// Deterministic.
#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.hpp"

namespace kiln {

struct Schedule {
  std::vector<int> order;  // indices into graph.nodes, a topological order
  int64_t peak = 0;        // modelled peak of live arena bytes for that order
  std::string method;      // "exact" or "greedy"
};

struct ScheduleOptions {
  bool in_place = true;          // model element-wise and plane-wise in-place execution
  int64_t max_states = 200'000;  // the exact search gives up (greedy instead) beyond this
  // ... or when its state keys (the ready nodes of each state) and stack total this many
  // entries: a wide graph's states have thousands of ready nodes each.
  int64_t max_work = 8'000'000;
  // Greedy judges each candidate by a greedy rollout of the remaining nodes (graphs of up to
  // 150 run-time nodes; beyond that the plain greedy choice).
  bool lookahead = true;
};

// Requires shape inference. Non-runtime nodes (all outputs folded) keep a valid position.
Schedule schedule_for_memory(const Graph& graph, const ScheduleOptions& options = {});

// The modelled peak of the current node order (what schedule_for_memory minimizes).
int64_t modelled_peak(const Graph& graph, const ScheduleOptions& options = {});

// Reorders graph.nodes to `order` (a permutation of node indices) and checks the result with
// Graph::verify().
void apply_schedule(Graph& graph, const std::vector<int>& order);

}  // namespace kiln
