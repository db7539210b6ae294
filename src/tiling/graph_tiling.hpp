#pragma once
// Tiles every convolution-like node of an optimized graph (2-D Conv, depthwise Conv, Gemm and
// MatMul with constant 2-D weights) for one memory level with solve_layer_tiling(). The geometry
// comes from the tensors' shapes and the node's window attributes (ops/conv_geometry.hpp), so it
// is the geometry the kernels run. Other nodes (pools, element-wise ops) are listed as not tiled.
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.hpp"
#include "tiling/layer_tiling.hpp"

namespace kiln::tiling {

struct NodeTiling {
  std::string node;
  std::string op;
  LayerGeometry geometry;
  LayerTiling tiling;
  double solve_ms = 0.0;  // wall time of the solver for this layer (reporting only)
};

struct GraphTiling {
  std::vector<NodeTiling> layers;
  int whole_layers = 0, solved_optimally = 0, solver_time_limited = 0, heuristic = 0;
  double solve_ms = 0.0;
};

// The geometry of a tileable node, or nullopt for nodes the tiler does not handle (grouped
// convolutions other than depthwise, 1-D/3-D convolutions, batched MatMul, non-constant weights).
std::optional<LayerGeometry> layer_geometry(const Graph& graph, const Node& node);

// Throws kiln::Error naming the first layer no tiling can fit.
GraphTiling tile_graph(const Graph& graph, const TilingTarget& target);

}  // namespace kiln::tiling
