#pragma once
#include "ir/graph.hpp"

namespace kiln {

// Removes nodes none of whose outputs reaches a graph output, then drops tensors nothing refers
// to any more. Returns true if a node or tensor was removed.
bool eliminate_dead_code(Graph& graph);

}  // namespace kiln
