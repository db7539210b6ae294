#include "ops/op_registry.hpp"

#include <algorithm>
#include <map>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/checked_math.hpp"
#include "ops/lower_node.hpp"

namespace kiln {

namespace {
std::map<std::pair<std::string, std::string>, OpDef>& registry() {
  static std::map<std::pair<std::string, std::string>, OpDef> ops;
  return ops;
}
}  // namespace

void register_op(OpDef def) {
  auto key = std::make_pair(def.domain, def.op_type);
  if (!def.infer || !def.lower) throw InternalError("op " + def.op_type + " lacks infer or lower");
  if (!registry().emplace(key, std::move(def)).second)
    throw InternalError("op " + key.second + " registered twice");
}

const OpDef* find_op(std::string_view domain, std::string_view op_type) {
  std::string d(domain);
  if (d == "ai.onnx") d.clear();
  auto it = registry().find({d, std::string(op_type)});
  return it == registry().end() ? nullptr : &it->second;
}

const OpDef& op_for(const Node& node) {
  const OpDef* def = find_op(node.domain, node.op_type);
  if (!def) throw UnsupportedError(node.describe() + ": unsupported op");
  return *def;
}

KernelCall lower_node(const Node& node, const Graph& graph) {
  const OpDef& op = op_for(node);
  const std::string prefix = node.describe();
  const auto named = [&](const char* what) {
    const std::string text = what;
    return text.starts_with(prefix) ? text : prefix + ": " + text;
  };
  try {
    return op.lower(node, graph);
  } catch (const UnsupportedError& e) {
    throw UnsupportedError(named(e.what()));
  } catch (const Error& e) {
    throw Error(named(e.what()));
  }
}

std::vector<const OpDef*> all_ops() {
  std::vector<const OpDef*> result;
  for (const auto& [key, def] : registry()) result.push_back(&def);
  return result;
}

const Tensor& input_tensor(const Node& node, const Graph& graph, size_t index) {
  if (!node.has_input(index))
    throw Error(node.describe() + ": missing required input " + std::to_string(index));
  return graph.tensor(node.inputs[index]);
}

Tensor& output_tensor(const Node& node, Graph& graph, size_t index) {
  if (index >= node.outputs.size() || node.outputs[index].empty())
    throw Error(node.describe() + ": missing output " + std::to_string(index));
  return graph.tensor(node.outputs[index]);
}

void set_output(const Node& node, Graph& graph, size_t index, DType dtype, Shape shape) {
  for (int64_t d : shape)
    if (d < 0)
      throw Error(node.describe() + ": inferred a negative dimension for output " +
                  std::to_string(index));
  // Every inferred shape passes here: bound it like the frontend bounds initializers and graph
  // inputs, so later element/byte counts (lowering, memory planning, folding) cannot overflow.
  const int64_t elements = checked_elements(node, shape);
  if (elements > kMaxShapeElements ||
      elements > kMaxShapeBytes / static_cast<int64_t>(std::max<size_t>(dtype_size(dtype), 1)))
    throw Error(node.describe() + ": output " + std::to_string(index) + " shape " +
                shape_to_string(shape) +
                " exceeds kiln's tensor size limit (2^31 elements, 1 GiB)");
  Tensor& t = output_tensor(node, graph, index);
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.shape_known = true;
}

int64_t normalize_axis(const Node& node, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= (rank == 0 ? 1 : rank))
    throw Error(node.describe() + ": axis " + std::to_string(axis) + " out of range for rank " +
                std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

Shape broadcast_shapes(const Node& node, const Shape& a, const Shape& b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      throw Error(node.describe() + ": shapes " + shape_to_string(a) + " and " +
                  shape_to_string(b) + " cannot be broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::optional<std::vector<int64_t>> constant_ints_input(const Node& node, const Graph& graph,
                                                        size_t index) {
  if (!node.has_input(index)) return std::nullopt;
  const Tensor& t = graph.tensor(node.inputs[index]);
  if (!t.constant)
    throw UnsupportedError(node.describe() + ": input " + quote_name(t.name) +
                           " must be a compile-time constant (kiln plans shapes statically)");
  return t.as_int64();
}

}  // namespace kiln
