#pragma once
// Test harness for the element-wise family's op tests: builds a one-node graph, runs the op's
// upgrade, shape inference and the interpreter (kernels via their bindings), and returns the
// outputs. Inputs marked constant are folded during shape inference like real initializers.
#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "interpreter/interpreter.hpp"
#include "ir/graph.hpp"
#include "ops/op_registry.hpp"
#include "passes/infer_shapes.hpp"

namespace kiln::testing {

template <typename T>
Tensor make_input(const std::string& name, DType dtype, Shape shape, std::vector<T> values,
                  bool constant = false) {
  Tensor t = make_constant<T>(name, dtype, std::move(shape), std::span<const T>(values));
  t.constant = constant;
  return t;
}

inline Tensor floats(const std::string& name, Shape shape, std::vector<float> values,
                     bool constant = false) {
  return make_input<float>(name, DType::Float32, std::move(shape), std::move(values), constant);
}

inline Tensor int64s(const std::string& name, Shape shape, std::vector<int64_t> values,
                     bool constant = false) {
  return make_input<int64_t>(name, DType::Int64, std::move(shape), std::move(values), constant);
}

inline Node make_node(const std::string& op_type, std::vector<std::string> inputs,
                      std::vector<std::string> outputs = {"y"}, Attributes attrs = {}) {
  Node node;
  node.name = "n_" + op_type;
  node.op_type = op_type;
  node.inputs = std::move(inputs);
  node.outputs = std::move(outputs);
  node.attrs = std::move(attrs);
  return node;
}

// Upgrades the node from `opset`, infers shapes (folding an all-constant node) and runs it.
inline TensorMap run_op(Node node, const std::vector<Tensor>& inputs, int opset = 18,
                        Graph* inspect = nullptr) {
  Graph graph;
  graph.name = "test";
  graph.opset = opset;
  TensorMap feeds;
  for (const Tensor& t : inputs) {
    graph.add_tensor(t);
    if (!t.constant) {
      graph.inputs.push_back(t.name);
      graph.tensor(t.name).data.clear();
      feeds[t.name] = t;
    }
  }
  for (const std::string& out : node.outputs) {
    if (out.empty()) continue;
    Tensor t;
    t.name = out;
    graph.add_tensor(t);
    graph.outputs.push_back(out);
  }
  const OpDef& op = op_for(node);
  if (op.upgrade) op.upgrade(node, graph, opset);
  graph.nodes.push_back(node);
  infer_shapes(graph);
  TensorMap result = run_graph(graph, feeds);
  if (inspect) *inspect = graph;
  return result;
}

template <typename T>
std::vector<T> values_of(const Tensor& t) {
  auto span = t.values<T>();
  return {span.begin(), span.end()};
}

inline void expect_floats_near(const Tensor& t, const std::vector<float>& expected,
                               float tolerance = 1e-5f) {
  ASSERT_EQ(t.dtype, DType::Float32);
  std::vector<float> got = values_of<float>(t);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], expected[i], tolerance * (1.0f + std::abs(expected[i]))) << "at " << i;
}

}  // namespace kiln::testing
