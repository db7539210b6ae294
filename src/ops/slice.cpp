// Slice (opset 10+ form: starts/ends/axes/steps as constant inputs; opset 1..9's attributes are
// upgraded to it). Negative indices count from the end, out-of-range bounds clamp (INT_MAX /
// INT_MIN ends mean "to the end"), negative steps walk backwards. Lowers to kiln_strided_copy
// with the start as a byte offset and step-scaled strides.
#include <algorithm>
#include <limits>
#include <set>

#include "ir/error.hpp"
#include "ops/datamove_util.hpp"
#include "ops/op_registry.hpp"

namespace kiln {
namespace {

void upgrade_slice(Node& node, Graph& graph, int opset) {
  if (opset >= 10) return;
  std::vector<int64_t> starts = node.attr_ints("starts", {});
  std::vector<int64_t> ends = node.attr_ints("ends", {});
  set_input(node, 1, add_int64_constant(graph, node, "starts", starts));
  set_input(node, 2, add_int64_constant(graph, node, "ends", ends));
  if (node.has_attr("axes"))
    set_input(node, 3, add_int64_constant(graph, node, "axes", node.attr_ints("axes", {})));
  node.attrs.erase("starts");
  node.attrs.erase("ends");
  node.attrs.erase("axes");
}

// Per input dim: first index, step and element count of the slice.
struct SliceGeometry {
  std::vector<int64_t> start, step, count;
};

SliceGeometry slice_geometry(const Node& node, const Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  input_tensor(node, graph, 1);
  input_tensor(node, graph, 2);
  int64_t rank = static_cast<int64_t>(x.shape.size());
  std::vector<int64_t> starts = *constant_ints_input(node, graph, 1);
  std::vector<int64_t> ends = *constant_ints_input(node, graph, 2);
  std::vector<int64_t> axes;
  if (auto given = constant_ints_input(node, graph, 3)) {
    axes = *given;
  } else {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  std::vector<int64_t> steps(starts.size(), 1);
  if (auto given = constant_ints_input(node, graph, 4)) steps = *given;
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    throw Error(node.describe() + ": starts, ends, axes and steps differ in length (" +
                std::to_string(starts.size()) + ", " + std::to_string(ends.size()) + ", " +
                std::to_string(axes.size()) + ", " + std::to_string(steps.size()) + ")");
  if (rank == 0 && !starts.empty())
    throw Error(node.describe() + ": cannot slice a scalar (input rank 0)");
  SliceGeometry g;
  g.start.assign(rank, 0);
  g.step.assign(rank, 1);
  g.count = x.shape;
  std::set<int64_t> seen;
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t axis = normalize_axis(node, axes[i], rank);
    if (!seen.insert(axis).second)
      throw Error(node.describe() + ": axis " + std::to_string(axes[i]) + " sliced twice");
    int64_t dim = x.shape[axis];
    int64_t step = steps[i];
    if (step == 0) throw Error(node.describe() + ": step must not be 0");
    int64_t start = starts[i];
    int64_t end = ends[i];
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
    }
    // start and end are clamped to [-1, dim] here, so the spans cannot overflow; the step may be
    // anything the model says (even INT64_MIN), so divide by its magnitude without negating it.
    const int64_t magnitude = step > 0 ? step
                                       : (step == std::numeric_limits<int64_t>::min()
                                              ? std::numeric_limits<int64_t>::max()
                                              : -step);
    const int64_t span = step > 0 ? end - start : start - end;
    int64_t count = 0;
    if (span > 0) count = span / magnitude + (span % magnitude != 0 ? 1 : 0);
    g.start[axis] = count > 0 ? start : 0;
    // With at most one element the step never moves: keep it +-1 so the lowered stride
    // (step * dense stride) stays small whatever huge step the model gave.
    g.step[axis] = count > 1 ? step : (step > 0 ? 1 : -1);
    g.count[axis] = count;
  }
  return g;
}

void infer_slice(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  SliceGeometry g = slice_geometry(node, graph);
  set_output(node, graph, 0, x.dtype, g.count);
}

KernelCall lower_slice(const Node& node, const Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  SliceGeometry g = slice_geometry(node, graph);
  std::vector<int64_t> dense = dense_strides(x.shape);
  int64_t offset = 0;
  std::vector<int64_t> strides(dense.size());
  for (size_t k = 0; k < dense.size(); ++k) {
    offset += g.start[k] * dense[k];
    strides[k] = g.step[k] * dense[k];
  }
  return strided_copy_call(node, x.name, node.outputs.at(0),
                           static_cast<int64_t>(dtype_size(x.dtype)), offset, g.count, strides);
}

void register_slice_ops() {
  OpDef def;
  def.op_type = "Slice";
  def.min_opset = 1;
  def.upgrade = upgrade_slice;
  def.infer = infer_slice;
  def.lower = lower_slice;
  def.macs = [](const Node&, const Graph&) { return int64_t{0}; };
  register_op(std::move(def));
}

}  // namespace

KILN_REGISTER_OPS(register_slice_ops);

}  // namespace kiln
