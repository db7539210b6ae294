#pragma once
// Helpers for the conv/gemm/pool/resize op tests: build a one-node graph, run shape inference
// and the interpreter, and compare against naive references written in the tests.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "interpreter/interpreter.hpp"
#include "ir/error.hpp"
#include "ir/graph.hpp"
#include "ops/op_registry.hpp"
#include "passes/infer_shapes.hpp"

namespace kiln::conv_test {

// Reproducible values in [-1, 1) that are not all representable as short decimals.
inline std::vector<float> pattern(int64_t count, uint32_t seed = 1) {
  std::vector<float> v(static_cast<size_t>(count));
  uint32_t s = seed * 2654435761u + 12345u;
  for (float& x : v) {
    s = s * 1664525u + 1013904223u;
    x = static_cast<float>(s >> 8) / static_cast<float>(1u << 23) - 1.0f;
  }
  return v;
}

class OneOp {
 public:
  explicit OneOp(std::string op_type, int opset = 19) : opset_(opset) {
    node_.name = "node";
    node_.op_type = std::move(op_type);
    graph_.name = "one_op";
    graph_.opset = opset;
  }

  // A runtime graph input fed with `values` when run.
  OneOp& input(const std::string& name, Shape shape, std::vector<float> values) {
    Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.shape_known = true;
    graph_.add_tensor(t);
    graph_.inputs.push_back(name);
    t.data.resize(values.size() * sizeof(float));
    std::memcpy(t.data.data(), values.data(), t.data.size());
    feeds_[name] = std::move(t);
    node_.inputs.push_back(name);
    return *this;
  }
  OneOp& constant(const std::string& name, Shape shape, const std::vector<float>& values) {
    graph_.add_tensor(make_constant<float>(name, DType::Float32, std::move(shape),
                                           std::span<const float>(values)));
    node_.inputs.push_back(name);
    return *this;
  }
  OneOp& constant_ints(const std::string& name, Shape shape, const std::vector<int64_t>& values) {
    graph_.add_tensor(make_constant<int64_t>(name, DType::Int64, std::move(shape),
                                             std::span<const int64_t>(values)));
    node_.inputs.push_back(name);
    return *this;
  }
  OneOp& input_typed(const std::string& name, Shape shape, DType dtype) {
    Tensor t;
    t.name = name;
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.shape_known = true;
    graph_.add_tensor(t);
    graph_.inputs.push_back(name);
    node_.inputs.push_back(name);
    return *this;
  }
  OneOp& skip() {
    node_.inputs.emplace_back();
    return *this;
  }
  OneOp& attr(const std::string& key, AttributeValue value) {
    node_.attrs[key] = std::move(value);
    return *this;
  }
  OneOp& extra_output(const std::string& name) {
    extra_outputs_.push_back(name);
    return *this;
  }
  OneOp& activation(Activation kind, float alpha = 0.0f, float beta = 0.0f) {
    node_.activation = {kind, alpha, beta};
    return *this;
  }

  // Upgrades the node (as the frontend does), adds it and runs shape inference.
  Graph& build() {
    if (built_) return graph_;
    built_ = true;
    if (const OpDef* op = find_op("", node_.op_type); op && op->upgrade)
      op->upgrade(node_, graph_, opset_);
    node_.outputs = {"y"};
    for (const std::string& o : extra_outputs_) node_.outputs.push_back(o);
    for (const std::string& o : node_.outputs) {
      Tensor t;
      t.name = o;
      graph_.add_tensor(t);
    }
    graph_.outputs = {"y"};
    graph_.nodes.push_back(node_);
    infer_shapes(graph_);
    graph_.verify();
    return graph_;
  }
  Shape shape() { return build().tensor("y").shape; }
  const Node& node() { return build().nodes.back(); }
  int64_t macs() { return op_for(node()).macs(node(), build()); }
  KernelCall lower() { return op_for(node()).lower(node(), build()); }

  std::vector<float> run() {
    TensorMap result = run_graph(build(), feeds_);
    const Tensor& y = result.at("y");
    std::vector<float> out(y.data.size() / sizeof(float));
    std::memcpy(out.data(), y.data.data(), y.data.size());
    return out;
  }

 private:
  int opset_;
  Node node_;
  Graph graph_;
  TensorMap feeds_;
  std::vector<std::string> extra_outputs_;
  bool built_ = false;
};

inline void expect_close(const std::vector<float>& actual, const std::vector<float>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], 1e-5 + 1e-4 * std::fabs(expected[i])) << "at " << i;
}

// Expects kiln::Error whose message contains `fragment`.
template <typename F>
void expect_error(F&& f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "expected kiln::Error containing '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

}  // namespace kiln::conv_test
