#pragma once
// The one entry point to an op's lowering for the interpreter, the memory planner, the code
// generator and the compile report.
#include "ir/graph.hpp"
#include "ops/kernel_call.hpp"

namespace kiln {

// op_for(node).lower(node, graph), with node.describe() in front of any error message that does
// not already start with it (helpers such as KernelCall::i() and quantize_multiplier() do not
// know the node).
KernelCall lower_node(const Node& node, const Graph& graph);

}  // namespace kiln
