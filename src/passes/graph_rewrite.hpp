#pragma once
// Small graph-editing helpers shared by the optimization passes. They keep the invariants of
// Graph::verify() that a rewrite is most likely to break: one producer per tensor, stable graph
// output names, topological order.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.hpp"

namespace kiln {

// Replaces every node input reading `from` with `to` (graph outputs are left untouched).
void replace_uses(Graph& graph, const std::string& from, const std::string& to);

// True when `tensor_name` is read by exactly one node (once or several times) and is not a
// graph output, i.e. the value can disappear if that consumer absorbs its producer.
bool only_consumer_is(const Graph& graph, const std::string& tensor_name, int consumer_index);

// Removes the nodes at the given indices (order of the others is preserved).
void erase_nodes(Graph& graph, const std::set<int>& indices);

// Makes the producer of `from` write `to` instead, where `to` is the output of a node that is
// about to be removed and `from` is being absorbed. `to` keeps its name (so graph outputs stay
// stable); its dtype/shape are taken from `from` if `to` has none. Readers of `from` (other
// than the node being removed) are redirected to `to`.
void rename_produced_tensor(Graph& graph, const std::string& from, const std::string& to);

// Removes node `index`, whose output 0 is a pure copy of its input 0 (Identity, Dropout, an
// identity Transpose or Reshape...). Readers of the output read the input instead. When the
// output is a graph output, the input's producer is renamed to write it; when that is
// impossible (the input is a graph input, a constant or itself a graph output) the node is
// kept and false is returned. Other outputs of the node must be unused.
bool bypass_node(Graph& graph, int index);

// Adds a new constant float32 tensor named after `base` (made unique) and returns its name.
std::string add_float_constant(Graph& graph, const std::string& base, const Shape& shape,
                               const std::vector<float>& values);
// Same for int64 values (shapes, pads, axes).
std::string add_int64_constant(Graph& graph, const std::string& base, const Shape& shape,
                               const std::vector<int64_t>& values);

// The constant tensor read as node input `index`, or nullptr if absent or not constant.
const Tensor* constant_input(const Graph& graph, const Node& node, size_t index);

// A fresh node name derived from `base`.
std::string unique_node_name(const Graph& graph, const std::string& base);

}  // namespace kiln
