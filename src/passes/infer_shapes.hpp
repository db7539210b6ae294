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

// Largest constant (bytes) shape inference will fold; bigger results stay runtime ops.
constexpr int64_t kMaxFoldBytes = 64 << 20;

}  // namespace kiln
