#pragma once
// The interpreter runs a shape-inferred graph node by node with the same C kernels the code
// generator emits, each tensor in its own buffer (independent of the memory plan), which makes
// it the golden model for verification. It is also how constant folding evaluates a node.
#include <functional>
#include <map>
#include <string>

#include "ir/graph.hpp"

namespace kiln {

// Values by tensor name; each is a Tensor with data filled (constant flag irrelevant).
using TensorMap = std::map<std::string, Tensor>;

// Runs the graph. `inputs` must hold every graph input with the graph's dtype and shape
// (Error naming the input otherwise). Returns the graph outputs.
TensorMap run_graph(const Graph& graph, const TensorMap& inputs);

// Sees every value the run produces: each graph input first (in Graph::inputs order), then every
// output of every runtime node right after the node ran. Calibration (quant/calibrate) uses it.
using ValueObserver = std::function<void(const Tensor& value)>;
// run_graph that also calls `observe` for every produced value (identical results).
TensorMap run_graph(const Graph& graph, const TensorMap& inputs, const ValueObserver& observe);

// Evaluates one node whose inputs are all constants and stores its outputs as constants in the
// graph (used by constant folding and shape inference). Outputs must be shape-inferred.
void fold_node(const Node& node, Graph& graph);

// Executes one lowered node given buffers for all tensors it touches.
void execute_node(const Node& node, const Graph& graph, TensorMap& values);

}  // namespace kiln
