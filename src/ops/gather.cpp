// Gather along one axis with compile-time indices (the common case: embedding-free models pick
// fixed rows, and Shape -> Gather chains fold). Negative indices count from the end; an index
// out of range is a compile error. Lowers to kiln_gather with the normalized indices.
#include "ir/error.hpp"
#include "ops/op_registry.hpp"

namespace kiln {
namespace {

struct GatherGeometry {
  int64_t axis = 0;
  std::vector<int64_t> indices;  // normalized to 0..dim-1
};

GatherGeometry gather_geometry(const Node& node, const Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  input_tensor(node, graph, 1);
  int64_t rank = static_cast<int64_t>(x.shape.size());
  if (rank == 0) throw Error(node.describe() + ": cannot gather from a scalar");
  GatherGeometry g;
  g.axis = normalize_axis(node, node.attr_int("axis", 0), rank);
  g.indices = *constant_ints_input(node, graph, 1);
  int64_t dim = x.shape[g.axis];
  for (int64_t& index : g.indices) {
    if (index < -dim || index >= dim)
      throw Error(node.describe() + ": index " + std::to_string(index) + " out of range for axis " +
                  std::to_string(g.axis) + " of size " + std::to_string(dim));
    if (index < 0) index += dim;
  }
  return g;
}

void infer_gather(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  const Tensor& indices = input_tensor(node, graph, 1);
  GatherGeometry g = gather_geometry(node, graph);
  Shape out(x.shape.begin(), x.shape.begin() + g.axis);
  out.insert(out.end(), indices.shape.begin(), indices.shape.end());
  out.insert(out.end(), x.shape.begin() + g.axis + 1, x.shape.end());
  set_output(node, graph, 0, x.dtype, out);
}

KernelCall lower_gather(const Node& node, const Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  GatherGeometry g = gather_geometry(node, graph);
  int64_t outer = 1;
  for (int64_t k = 0; k < g.axis; ++k) outer *= x.shape[k];
  int64_t inner = static_cast<int64_t>(dtype_size(x.dtype));
  for (size_t k = g.axis + 1; k < x.shape.size(); ++k) inner *= x.shape[k];
  int64_t count = static_cast<int64_t>(g.indices.size());
  return KernelCall("kiln_gather")
      .input(x.name)
      .output(node.outputs.at(0))
      .i(outer)
      .i(x.shape[g.axis])
      .i(inner)
      .i(count)
      .ints(count ? g.indices : std::vector<int64_t>{0});
}

void register_gather_ops() {
  OpDef def;
  def.op_type = "Gather";
  def.min_opset = 1;
  def.infer = infer_gather;
  def.lower = lower_gather;
  def.macs = [](const Node&, const Graph&) { return int64_t{0}; };
  register_op(std::move(def));
}

}  // namespace

KILN_REGISTER_OPS(register_gather_ops);

}  // namespace kiln
