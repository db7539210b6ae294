#pragma once
// Helpers for the data-movement op tests (ops_reshape_*, ops_transpose_*, ...): build a graph
// holding one node, infer shapes, run it with the interpreter, read typed results.
#include <cstring>
#include <string>
#include <vector>

#include "interpreter/interpreter.hpp"
#include "ir/graph.hpp"
#include "ops/op_registry.hpp"
#include "passes/infer_shapes.hpp"

namespace kiln::test {

// A tensor with data: a runtime graph input when `constant` is false, an initializer otherwise.
template <typename T>
Tensor tensor_of(const std::string& name, DType dtype, Shape shape, const std::vector<T>& values,
                 bool constant = false) {
  Tensor t = make_constant<T>(name, dtype, std::move(shape), std::span<const T>(values));
  t.constant = constant;
  return t;
}

inline Tensor ints_constant(const std::string& name, const std::vector<int64_t>& values) {
  return tensor_of<int64_t>(name, DType::Int64, {static_cast<int64_t>(values.size())}, values,
                            true);
}

// One node `op` reading `inputs` (a "" name in `input_names` marks an omitted input) and
// writing outputs y0..y{outputs-1}. Runtime inputs keep their data in `feeds`.
struct OneOp {
  Graph graph;
  TensorMap feeds;

  OneOp(const std::string& op, const std::vector<Tensor>& inputs, size_t outputs = 1,
        Attributes attrs = {}, int opset = 18) {
    graph.name = "test";
    graph.opset = opset;
    Node node;
    node.name = "n";
    node.op_type = op;
    node.attrs = std::move(attrs);
    for (const Tensor& t : inputs) {
      node.inputs.push_back(t.name);
      if (t.name.empty()) continue;
      Tensor stored = t;
      if (!t.constant) {
        graph.inputs.push_back(t.name);
        feeds[t.name] = t;
        stored.data.clear();
      }
      graph.add_tensor(stored);
    }
    for (size_t i = 0; i < outputs; ++i) {
      Tensor y;
      y.name = "y" + std::to_string(i);
      graph.add_tensor(y);
      node.outputs.push_back(y.name);
      graph.outputs.push_back(y.name);
    }
    graph.nodes.push_back(node);
    const OpDef& def = op_for(graph.nodes[0]);
    if (def.upgrade) def.upgrade(graph.nodes[0], graph, opset);
  }

  // Infers shapes (throws what the shape rule throws) and returns output i. (No verify(): a
  // node folded to a constant is only removed by the later passes.)
  const Tensor& infer(size_t i = 0) {
    infer_shapes(graph);
    return graph.tensor("y" + std::to_string(i));
  }
  TensorMap run() {
    if (!graph.shapes_inferred) infer();
    return run_graph(graph, feeds);
  }
};

template <typename T>
std::vector<T> values_of(const Tensor& t) {
  std::vector<T> out(t.data.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), t.data.data(), out.size() * sizeof(T));
  return out;
}

inline Tensor omitted() {
  return Tensor{};
}

}  // namespace kiln::test
