#include "tiling/graph_tiling.hpp"

#include <chrono>

#include "ir/dtype.hpp"
#include "ops/conv_geometry.hpp"

namespace kiln::tiling {
namespace {

int64_t element_bytes(const Tensor& tensor) {
  return static_cast<int64_t>(dtype_size(tensor.dtype));
}

std::optional<LayerGeometry> conv_geometry(const Graph& graph, const Node& node) {
  const Tensor& x = graph.tensor(node.inputs.at(0));
  const Tensor& w = graph.tensor(node.inputs.at(1));
  const Tensor& y = graph.tensor(node.outputs.at(0));
  if (x.shape.size() != 4 || w.shape.size() != 4 || y.shape.size() != 4 || x.shape[0] != 1)
    return std::nullopt;
  const int64_t group = node.attr_int("group", 1);
  LayerGeometry layer;
  layer.name = node.name;
  layer.in_channels = x.shape[1];
  layer.out_channels = y.shape[1];
  layer.depthwise = group > 1;
  if (group > 1 && !(group == layer.in_channels && layer.out_channels == layer.in_channels))
    return std::nullopt;  // grouped convolution with several channels per group
  const WindowGeometry window =
      forward_window(node, {x.shape[2], x.shape[3]}, {w.shape[2], w.shape[3]}, false);
  layer.in_h = x.shape[2];
  layer.in_w = x.shape[3];
  layer.out_h = y.shape[2];
  layer.out_w = y.shape[3];
  layer.kernel_h = w.shape[2];
  layer.kernel_w = w.shape[3];
  layer.stride_h = window.strides[0];
  layer.stride_w = window.strides[1];
  layer.dilation_h = window.dilations[0];
  layer.dilation_w = window.dilations[1];
  layer.activation_bytes = element_bytes(x);
  layer.weight_bytes = element_bytes(w);
  layer.bias_bytes = node.has_input(2) ? element_bytes(graph.tensor(node.inputs[2])) : 0;
  return layer;
}

// Gemm / MatMul [M, K] x [K, N]: a 1x1 convolution over M rows of one column.
std::optional<LayerGeometry> matrix_geometry(const Graph& graph, const Node& node) {
  const Tensor& a = graph.tensor(node.inputs.at(0));
  const Tensor& b = graph.tensor(node.inputs.at(1));
  if (a.shape.size() != 2 || b.shape.size() != 2 || !b.constant) return std::nullopt;
  if (node.op_type == "Gemm" && node.attr_int("transA", 0) != 0) return std::nullopt;
  const bool trans_b = node.op_type == "Gemm" && node.attr_int("transB", 0) != 0;
  LayerGeometry layer;
  layer.name = node.name;
  layer.in_channels = a.shape[1];
  layer.out_channels = trans_b ? b.shape[0] : b.shape[1];
  layer.in_h = layer.out_h = a.shape[0];
  layer.activation_bytes = element_bytes(a);
  layer.weight_bytes = element_bytes(b);
  layer.bias_bytes = node.has_input(2) ? element_bytes(graph.tensor(node.inputs[2])) : 0;
  return layer;
}

}  // namespace

std::optional<LayerGeometry> layer_geometry(const Graph& graph, const Node& node) {
  if (node.op_type == "Conv" && node.domain.empty() && node.inputs.size() >= 2)
    return conv_geometry(graph, node);
  if ((node.op_type == "Gemm" || node.op_type == "MatMul") && node.domain.empty() &&
      node.inputs.size() >= 2)
    return matrix_geometry(graph, node);
  return std::nullopt;
}

GraphTiling tile_graph(const Graph& graph, const TilingTarget& target) {
  GraphTiling result;
  for (const Node& node : graph.nodes) {
    const std::optional<LayerGeometry> geometry = layer_geometry(graph, node);
    if (!geometry) continue;
    NodeTiling layer;
    layer.node = node.name;
    layer.op = node.op_type;
    layer.geometry = *geometry;
    const auto start = std::chrono::steady_clock::now();
    layer.tiling = solve_layer_tiling(*geometry, target);
    layer.solve_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    result.solve_ms += layer.solve_ms;
    switch (layer.tiling.method) {
      case TilingMethod::WholeLayer: ++result.whole_layers; break;
      case TilingMethod::SolverOptimal: ++result.solved_optimally; break;
      case TilingMethod::SolverTimeLimit: ++result.solver_time_limited; break;
      case TilingMethod::Heuristic: ++result.heuristic; break;
    }
    result.layers.push_back(std::move(layer));
  }
  return result;
}

}  // namespace kiln::tiling
