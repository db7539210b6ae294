#pragma once
#include "ir/graph.hpp"

namespace kiln {

// Removes nodes whose outputs are all constants (shape inference already evaluated them) and
// evaluates, with the interpreter, any remaining node whose inputs are all constants and whose
// outputs fit in kMaxFoldBytes. Nodes without inputs, of unknown ops, or whose kernel rejects
// the configuration are left alone. Returns true if a node was removed.
bool fold_constants(Graph& graph);

}  // namespace kiln
