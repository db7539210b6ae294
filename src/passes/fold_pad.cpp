#include "passes/fold_pad.hpp"

#include <cmath>
#include <optional>

#include "passes/graph_rewrite.hpp"

namespace kiln {

namespace {

// Pads of every axis as [begin_0..begin_{r-1}, end_0..end_{r-1}], or nullopt if not constant.
std::optional<std::vector<int64_t>> full_pads(const Node& pad, const Graph& graph, int64_t rank) {
  const Tensor* pads_t = constant_input(graph, pad, 1);
  if (!pads_t) return std::nullopt;
  const std::vector<int64_t> pads = pads_t->as_int64();
  std::vector<int64_t> axes;
  if (pad.has_input(3)) {
    const Tensor* axes_t = constant_input(graph, pad, 3);
    if (!axes_t) return std::nullopt;
    axes = axes_t->as_int64();
  } else {
    for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
  }
  const size_t n = axes.size();
  if (pads.size() != 2 * n) return std::nullopt;
  std::vector<int64_t> full(2 * rank, 0);
  for (size_t i = 0; i < n; ++i) {
    int64_t axis = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (axis < 0 || axis >= rank) return std::nullopt;
    full[axis] = pads[i];
    full[rank + axis] = pads[n + i];
  }
  return full;
}

// The pad value: 0 when absent; nullopt if not a constant scalar.
std::optional<double> pad_value(const Node& pad, const Graph& graph) {
  if (!pad.has_input(2)) return 0.0;
  const Tensor* value = constant_input(graph, pad, 2);
  if (!value || value->elements() != 1) return std::nullopt;
  if (value->dtype == DType::Float32) return value->values<float>()[0];
  return static_cast<double>(value->as_int64()[0]);
}

bool accepts_pad(const Node& op, double value) {
  if (!op.domain.empty() || op.attr_string("auto_pad", "NOTSET") != "NOTSET") return false;
  if (op.op_type == "Conv") return value == 0.0;
  if (op.op_type == "AveragePool")
    return value == 0.0 && op.attr_int("count_include_pad", 0) == 1 &&
           op.attr_int("ceil_mode", 0) == 0;
  if (op.op_type == "MaxPool") {
    for (size_t i = 1; i < op.outputs.size(); ++i)
      if (!op.outputs[i].empty()) return false;
    return std::isinf(value) && value < 0;
  }
  return false;
}

}  // namespace

bool fold_pad(Graph& graph) {
  bool changed = false;
  for (size_t i = 0; i < graph.nodes.size();) {
    const Node& pad = graph.nodes[i];
    bool folded = false;
    if (pad.domain.empty() && pad.op_type == "Pad" && pad.has_input(0) && pad.outputs.size() == 1 &&
        pad.attr_string("mode", "constant") == "constant") {
      const std::string& out = pad.outputs[0];
      const std::vector<int> users = graph.consumers(out);
      const Tensor& data = graph.tensor(pad.inputs[0]);
      const std::optional<double> value = pad_value(pad, graph);
      if (users.size() == 1 && !graph.is_graph_output(out) && data.shape_known &&
          data.shape.size() >= 3 && value) {
        const int64_t rank = static_cast<int64_t>(data.shape.size());
        const std::optional<std::vector<int64_t>> pads = full_pads(pad, graph, rank);
        Node& op = graph.nodes[users[0]];
        bool ok = pads && op.inputs[0] == out && accepts_pad(op, *value);
        for (size_t k = 1; ok && k < op.inputs.size(); ++k)
          if (op.inputs[k] == out) ok = false;  // the padded value must only be the data input
        if (ok)
          for (int64_t p : *pads) ok = ok && p >= 0;
        if (ok)
          ok = (*pads)[0] == 0 && (*pads)[1] == 0 && (*pads)[rank] == 0 && (*pads)[rank + 1] == 0;
        const int64_t spatial = rank - 2;
        std::vector<int64_t> op_pads;
        if (ok) {
          op_pads = op.attr_ints("pads", std::vector<int64_t>(2 * spatial, 0));
          ok = static_cast<int64_t>(op_pads.size()) == 2 * spatial;
        }
        if (ok) {
          for (int64_t s = 0; s < spatial; ++s) {
            op_pads[s] += (*pads)[2 + s];
            op_pads[spatial + s] += (*pads)[rank + 2 + s];
          }
          op.attrs["pads"] = op_pads;
          op.inputs[0] = pad.inputs[0];
          erase_nodes(graph, {static_cast<int>(i)});
          folded = true;
          changed = true;
        }
      }
    }
    if (!folded) ++i;
  }
  if (changed) graph.remove_unused_tensors();
  return changed;
}

}  // namespace kiln
