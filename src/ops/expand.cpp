// Expand (broadcast to a constant shape) and Tile (repeat along each dim). Both read the input
// through zero strides, so they lower to kiln_strided_copy: Expand gives broadcast dims stride 0,
// Tile views the output [r0*d0, r1*d1, ..] as [r0, d0, r1, d1, ..] with stride 0 on each r.
#include "ir/error.hpp"
#include "ops/checked_math.hpp"
#include "ops/datamove_util.hpp"
#include "ops/op_registry.hpp"

namespace kiln {
namespace {

int64_t zero_macs(const Node&, const Graph&) {
  return 0;
}

void infer_expand(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  input_tensor(node, graph, 1);
  std::vector<int64_t> shape = *constant_ints_input(node, graph, 1);
  for (int64_t d : shape)
    if (d < 0) throw Error(node.describe() + ": negative dim " + std::to_string(d) + " in shape");
  set_output(node, graph, 0, x.dtype, broadcast_shapes(node, x.shape, shape));
}

KernelCall lower_expand(const Node& node, const Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  const Tensor& y = graph.tensor(node.outputs.at(0));
  std::vector<int64_t> dense = dense_strides(x.shape);
  size_t lead = y.shape.size() - x.shape.size();
  std::vector<int64_t> strides(y.shape.size(), 0);
  for (size_t k = 0; k < x.shape.size(); ++k) strides[lead + k] = x.shape[k] == 1 ? 0 : dense[k];
  return strided_copy_call(node, x.name, y.name, static_cast<int64_t>(dtype_size(x.dtype)), 0,
                           y.shape, strides);
}

std::vector<int64_t> tile_repeats(const Node& node, const Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  input_tensor(node, graph, 1);
  std::vector<int64_t> repeats = *constant_ints_input(node, graph, 1);
  if (repeats.size() != x.shape.size())
    throw Error(node.describe() + ": 'repeats' has " + std::to_string(repeats.size()) +
                " values for an input of rank " + std::to_string(x.shape.size()));
  for (int64_t r : repeats)
    if (r < 0) throw Error(node.describe() + ": negative repeat " + std::to_string(r));
  return repeats;
}

void infer_tile(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  std::vector<int64_t> repeats = tile_repeats(node, graph);
  Shape out = x.shape;
  for (size_t k = 0; k < out.size(); ++k) out[k] = checked_mul(node, out[k], repeats[k]);
  set_output(node, graph, 0, x.dtype, out);
}

KernelCall lower_tile(const Node& node, const Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  std::vector<int64_t> repeats = tile_repeats(node, graph);
  std::vector<int64_t> dense = dense_strides(x.shape);
  Shape dims;
  std::vector<int64_t> strides;
  for (size_t k = 0; k < x.shape.size(); ++k) {
    dims.push_back(repeats[k]);
    strides.push_back(0);
    dims.push_back(x.shape[k]);
    strides.push_back(dense[k]);
  }
  return strided_copy_call(node, x.name, node.outputs.at(0),
                           static_cast<int64_t>(dtype_size(x.dtype)), 0, dims, strides);
}

void register_expand_ops() {
  OpDef expand;
  expand.op_type = "Expand";
  expand.min_opset = 8;
  expand.infer = infer_expand;
  expand.lower = lower_expand;
  expand.macs = zero_macs;
  register_op(std::move(expand));
  OpDef tile;
  tile.op_type = "Tile";
  tile.min_opset = 6;
  tile.infer = infer_tile;
  tile.lower = lower_tile;
  tile.macs = zero_macs;
  register_op(std::move(tile));
}

}  // namespace

KILN_REGISTER_OPS(register_expand_ops);

}  // namespace kiln
