#pragma once
#include "ir/graph.hpp"

namespace kiln {

// Infers dtype and shape of every tensor, in node order, with each op's shape rule. A node
// whose inputs are all constant is evaluated on the spot (so Shape -> Gather -> Concat ->
// Reshape chains become constants before Reshape needs them). Sets graph.shapes_inferred.
// Returns true (it always annotates).
bool infer_shapes(Graph& graph);

// Shape inference evaluates nodes whose inputs are all constant; their outputs become constants,
// so the frontends drop those nodes from the schedule (a constant has no producer).
void drop_folded_nodes(Graph& graph);

// Largest result (bytes of one node's outputs) constant folding evaluates at compile time;
// bigger results stay run-time ops (ConstantOfShape then fills arena bytes at run time, which
// `kiln compile` reports).
constexpr int64_t kMaxFoldBytes = 64 << 20;
// Most bytes folding may create in one graph, all nodes together. Each fold is held in memory
// and written into the generated C, so without it eight 63 MiB ConstantOfShape nodes made
// compile use 4.95 GB and write 1.5 GB of C. Passing it is an Error naming the node and limit.
constexpr int64_t kMaxFoldedTotalBytes = 256 << 20;

// Bytes of the node's (non-empty) outputs; their shapes must be known.
int64_t output_bytes(const Node& node, const Graph& graph);

// Whether constant folding should evaluate `node` now: every input is a constant, its op allows
// folding (not defer_folding) and its outputs fit kMaxFoldBytes.
bool foldable(const Node& node, const Graph& graph);

// Throws Error (naming the node, the new total and kMaxFoldedTotalBytes) when folding `bytes`
// more for `node` would take graph.folded_bytes past the limit. Call it before evaluating; add
// the bytes to graph.folded_bytes once the constants exist.
void check_fold_budget(const Node& node, const Graph& graph, int64_t bytes);

}  // namespace kiln
