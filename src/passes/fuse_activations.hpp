#pragma once
#include <optional>

#include "ir/graph.hpp"

namespace kiln {

// The fused form of a stand-alone activation node (Relu, Clip with constant or absent bounds,
// LeakyRelu, HardSwish, Sigmoid, HardSigmoid, Tanh), or nullopt if `node` is none of these or
// its parameters are not compile-time constants.
std::optional<FusedActivation> activation_of(const Node& node, const Graph& graph);

// Folds activation nodes into the op producing their input when that op's OpDef accepts an
// activation, has none yet, and the intermediate value has no other reader and is not a graph
// output. The producer takes over the activation's output name, so graph outputs stay stable.
// Only float32 values are fused. Returns true if a node was fused.
bool fuse_activations(Graph& graph);

}  // namespace kiln
