#pragma once
// Helpers for the pass tests: build small graphs by hand, run them through the interpreter on
// random inputs and compare results before and after a pass.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "interpreter/interpreter.hpp"
#include "ir/graph.hpp"
#include "ops/op_registry.hpp"
#include "passes/infer_shapes.hpp"

namespace kiln::pass_test {

// Builds a graph node by node. Tensors that are neither inputs nor constants are created on
// first mention with unknown shape (shape inference fills them) unless `shaped` gives one.
class Builder {
 public:
  explicit Builder(std::string name = "test") { graph_.name = std::move(name); }

  Builder& input(const std::string& name, Shape shape, DType dtype = DType::Float32) {
    Tensor t;
    t.name = name;
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.shape_known = true;
    graph_.add_tensor(std::move(t));
    graph_.inputs.push_back(name);
    return *this;
  }

  Builder& constant(const std::string& name, Shape shape, const std::vector<float>& values) {
    graph_.add_tensor(make_constant<float>(name, DType::Float32, std::move(shape),
                                           std::span<const float>(values)));
    return *this;
  }

  Builder& ints(const std::string& name, Shape shape, const std::vector<int64_t>& values) {
    graph_.add_tensor(make_constant<int64_t>(name, DType::Int64, std::move(shape),
                                             std::span<const int64_t>(values)));
    return *this;
  }

  // A constant of the given shape filled with reproducible random values in [lo, hi].
  Builder& random(const std::string& name, Shape shape, float lo = -1.0f, float hi = 1.0f) {
    std::vector<float> values(static_cast<size_t>(shape_elements(shape)));
    std::uniform_real_distribution<float> dist(lo, hi);
    for (float& v : values) v = dist(rng_);
    return constant(name, std::move(shape), values);
  }

  Builder& node(const std::string& op, std::vector<std::string> inputs,
                std::vector<std::string> outputs, Attributes attrs = {}) {
    Node n;
    n.name = op + "_" + std::to_string(graph_.nodes.size());
    n.op_type = op;
    n.inputs = std::move(inputs);
    n.outputs = std::move(outputs);
    n.attrs = std::move(attrs);
    for (const std::string& out : n.outputs)
      if (!out.empty() && !graph_.find_tensor(out)) {
        Tensor t;
        t.name = out;
        graph_.add_tensor(std::move(t));
      }
    graph_.nodes.push_back(std::move(n));
    return *this;
  }

  // Gives an intermediate tensor a shape (for tests that do not run shape inference).
  Builder& shaped(const std::string& name, Shape shape, DType dtype = DType::Float32) {
    Tensor& t = graph_.tensor(name);
    t.shape = std::move(shape);
    t.dtype = dtype;
    t.shape_known = true;
    return *this;
  }

  Builder& output(const std::string& name) {
    graph_.outputs.push_back(name);
    return *this;
  }

  Graph build() const { return graph_; }
  // Builds and runs shape inference, as the frontend would.
  Graph inferred() const {
    Graph g = graph_;
    infer_shapes(g);
    return g;
  }

 private:
  Graph graph_;
  std::mt19937 rng_{1234};
};

// Names of the ops in `names` that are not registered (yet).
inline std::string missing_ops(std::initializer_list<const char*> names) {
  std::string missing;
  for (const char* op : names)
    if (!find_op("", op)) missing += std::string(missing.empty() ? "" : ", ") + op;
  return missing;
}

#define KILN_REQUIRE_OPS(...)                                                          \
  do {                                                                                 \
    const std::string kiln_missing = ::kiln::pass_test::missing_ops({__VA_ARGS__});    \
    if (!kiln_missing.empty()) GTEST_SKIP() << "ops not registered: " << kiln_missing; \
  } while (0)

// Random values for every graph input.
inline TensorMap random_inputs(const Graph& graph, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  TensorMap inputs;
  for (const std::string& name : graph.inputs) {
    Tensor t = graph.tensor(name);
    t.constant = false;
    std::vector<float> values(static_cast<size_t>(t.elements()));
    for (float& v : values) v = dist(rng);
    t.data.resize(values.size() * sizeof(float));
    std::memcpy(t.data.data(), values.data(), t.data.size());
    inputs[name] = std::move(t);
  }
  return inputs;
}

// Largest |a - b| / max(1, |a|) over all outputs (also checks names, shapes and dtypes match).
inline double max_relative_difference(const TensorMap& expected, const TensorMap& actual) {
  double worst = 0.0;
  EXPECT_EQ(expected.size(), actual.size());
  for (const auto& [name, e] : expected) {
    auto it = actual.find(name);
    if (it == actual.end()) {
      ADD_FAILURE() << "output '" << name << "' missing after the pass";
      return INFINITY;
    }
    const Tensor& a = it->second;
    EXPECT_EQ(e.shape, a.shape) << name;
    EXPECT_EQ(e.dtype, a.dtype) << name;
    if (e.dtype != DType::Float32 || e.shape != a.shape) continue;
    const auto ev = e.values<float>();
    const auto av = a.values<float>();
    for (size_t i = 0; i < ev.size(); ++i) {
      const double diff =
          std::fabs(double(ev[i]) - double(av[i])) / std::max(1.0, std::fabs(double(ev[i])));
      if (!(diff <= worst)) worst = diff;  // also catches NaN
    }
  }
  return worst;
}

// Runs `before` and `after` on the same random inputs; returns the largest relative difference.
inline double compare_runs(const Graph& before, const Graph& after, unsigned seed = 7) {
  const TensorMap inputs = random_inputs(before, seed);
  return max_relative_difference(run_graph(before, inputs), run_graph(after, inputs));
}

inline int count_ops(const Graph& graph, const std::string& op) {
  int n = 0;
  for (const Node& node : graph.nodes) n += node.op_type == op;
  return n;
}

}  // namespace kiln::pass_test
