#pragma once
// The graph: a table of named tensors and a list of nodes.
//
// Invariants (checked by verify(), kept by every pass):
//  - every name a node or the graph refers to is in `tensors`, and the map key equals
//    Tensor::name;
//  - each tensor has at most one producer; graph inputs and constants have none;
//  - `nodes` is in topological order (a node's inputs are constants, graph inputs or outputs of
//    earlier nodes), so the node order is a valid schedule;
//  - node names are unique and non-empty;
//  - a constant's data matches its dtype and shape;
//  - once `shapes_inferred` is set, every referenced tensor has a known shape.
#include <map>
#include <string>
#include <vector>

#include "ir/node.hpp"
#include "ir/tensor.hpp"

namespace kiln {

class Graph {
 public:
  std::string name;
  std::string source;  // model file the graph came from, for error messages
  int opset = 0;       // default-domain opset the model declared
  std::map<std::string, Tensor> tensors;
  std::vector<Node> nodes;
  std::vector<std::string> inputs;  // runtime inputs (never constants)
  std::vector<std::string> outputs;
  bool shapes_inferred = false;
  // Bytes of constants constant folding has made so far (shape inference, fold-constants,
  // Range): budgeted in total by check_fold_budget() in passes/infer_shapes.hpp.
  int64_t folded_bytes = 0;

  Tensor& tensor(const std::string& tensor_name);  // throws InternalError if missing
  const Tensor& tensor(const std::string& tensor_name) const;
  Tensor* find_tensor(const std::string& tensor_name);
  const Tensor* find_tensor(const std::string& tensor_name) const;
  Tensor& add_tensor(Tensor t);  // throws InternalError if the name is taken

  // A name not yet used by any tensor or node, derived from `base`.
  std::string unique_name(const std::string& base) const;

  // Index of the node producing `tensor_name`, or -1.
  int producer(const std::string& tensor_name) const;
  // Indices of nodes reading `tensor_name`, in node order (a node reading it twice counts once).
  std::vector<int> consumers(const std::string& tensor_name) const;
  bool is_graph_output(const std::string& tensor_name) const;
  bool is_graph_input(const std::string& tensor_name) const;

  // Reorders `nodes` topologically (stable: keeps the current order where allowed). Throws
  // kiln::Error naming a node on the cycle if the graph is cyclic.
  void topo_sort();
  // Drops tensors no node, input or output refers to.
  void remove_unused_tensors();
  // Throws InternalError describing the first broken invariant.
  void verify() const;
};

}  // namespace kiln
