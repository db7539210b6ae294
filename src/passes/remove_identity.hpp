#pragma once
#include "ir/graph.hpp"

namespace kiln {

// Removes Identity nodes and inference-mode Dropout nodes (whose mask output is unused) by
// letting their readers read the input directly. When the removed node's output is a graph
// output, the input's producer is renamed to write it instead, so graph output names never
// change; if that is impossible (the input is a graph input, a constant or another graph
// output) the node is kept. Returns true if a node was removed.
bool remove_identity(Graph& graph);

}  // namespace kiln
