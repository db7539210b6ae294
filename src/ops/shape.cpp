// Ops whose value is known at compile time because kiln's shapes are static: Shape and Size are
// computed from the input's shape, Range from its constant inputs; all three set their output
// as a constant in infer() and never run. ConstantOfShape lowers to kiln_fill (shape inference
// folds it when the result is small enough to keep as a constant).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/checked_math.hpp"
#include "ops/datamove_util.hpp"
#include "ops/op_registry.hpp"
#include "passes/infer_shapes.hpp"

namespace kiln {
namespace {

int64_t zero_macs(const Node&, const Graph&) {
  return 0;
}

void infer_shape(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  int64_t rank = static_cast<int64_t>(x.shape.size());
  auto clamp_index = [rank](int64_t i) {
    if (i < 0) i += rank;
    return std::clamp<int64_t>(i, 0, rank);
  };
  int64_t start = clamp_index(node.attr_int("start", 0));
  int64_t end = clamp_index(node.attr_int("end", rank));
  std::vector<int64_t> dims;
  for (int64_t k = start; k < end; ++k) dims.push_back(x.shape[k]);
  int64_t n = static_cast<int64_t>(dims.size());
  set_constant_output(node, graph, 0, DType::Int64, {n}, int64_data(dims));
}

void infer_size(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  set_constant_output(node, graph, 0, DType::Int64, {}, int64_data({x.elements()}));
}

// ConstantOfShape's fill value: the `value` attribute (a one-element tensor), default float 0.
Tensor fill_value(const Node& node) {
  std::shared_ptr<const Tensor> value = node.attr_tensor("value");
  if (!value) {
    float zero = 0.0f;
    return make_constant<float>("value", DType::Float32, {1}, std::span<const float>(&zero, 1));
  }
  if (value->elements() != 1)
    throw Error(node.describe() + ": attribute 'value' must hold one element, has " +
                std::to_string(value->elements()));
  return *value;
}

void infer_constant_of_shape(const Node& node, Graph& graph) {
  input_tensor(node, graph, 0);
  std::vector<int64_t> dims = *constant_ints_input(node, graph, 0);
  for (int64_t d : dims)
    if (d < 0) throw Error(node.describe() + ": negative dim " + std::to_string(d) + " in shape");
  set_output(node, graph, 0, fill_value(node).dtype, dims);
}

KernelCall lower_constant_of_shape(const Node& node, const Graph& graph) {
  const Tensor& y = graph.tensor(node.outputs.at(0));
  Tensor value = fill_value(node);
  return KernelCall("kiln_fill")
      .output(y.name)
      .i(static_cast<int64_t>(dtype_size(y.dtype)))
      .i(y.elements())
      .ints(first_element_bytes(value));
}

template <typename T>
std::vector<uint8_t> range_data(double start, double delta, int64_t count) {
  std::vector<uint8_t> data(static_cast<size_t>(count) * sizeof(T));
  for (int64_t i = 0; i < count; ++i) {
    T v = static_cast<T>(start + static_cast<double>(i) * delta);
    std::memcpy(data.data() + i * sizeof(T), &v, sizeof(T));
  }
  return data;
}

template <typename T>
std::vector<uint8_t> integer_range_data(int64_t start, int64_t delta, int64_t count) {
  std::vector<uint8_t> data(static_cast<size_t>(count) * sizeof(T));
  for (int64_t i = 0; i < count; ++i) {
    // Every value lies between start and limit (i < count), so it fits int64_t; unsigned
    // arithmetic just keeps the intermediate i * delta free of signed-overflow UB.
    T v = static_cast<T>(static_cast<int64_t>(
        static_cast<uint64_t>(start) + static_cast<uint64_t>(i) * static_cast<uint64_t>(delta)));
    std::memcpy(data.data() + i * sizeof(T), &v, sizeof(T));
  }
  return data;
}

[[noreturn]] void throw_range_too_large(const Node& node) {
  throw UnsupportedError(node.describe() + ": the range is larger than kiln folds (" +
                         std::to_string(kMaxFoldBytes >> 20) + " MiB)");
}

// Range always becomes a constant: refuse before allocating one bigger than shape inference
// would ever fold, or one that would pass the graph's folding budget.
void check_range_count(const Node& node, const Graph& graph, int64_t count, size_t element_size) {
  if (count > kMaxFoldBytes / static_cast<int64_t>(std::max<size_t>(element_size, 1)))
    throw_range_too_large(node);
  check_fold_budget(node, graph, count * static_cast<int64_t>(element_size));
}

void infer_range(const Node& node, Graph& graph) {
  const Tensor* args[3];
  for (size_t i = 0; i < 3; ++i) {
    args[i] = &input_tensor(node, graph, i);
    if (!args[i]->constant)
      throw UnsupportedError(node.describe() + ": input " + quote_name(args[i]->name) +
                             " must be a compile-time constant (kiln plans shapes statically)");
    if (args[i]->elements() != 1)
      throw Error(node.describe() + ": input " + quote_name(args[i]->name) + " must be a scalar");
  }
  DType dtype = args[0]->dtype;
  std::vector<uint8_t> data;
  int64_t count = 0;
  if (dtype == DType::Float32) {
    double start = args[0]->as_float()[0], limit = args[1]->as_float()[0],
           delta = args[2]->as_float()[0];
    if (delta == 0.0) throw Error(node.describe() + ": delta must not be 0");
    count = std::max<int64_t>(
        checked_to_int64(node, std::ceil((limit - start) / delta), "element count"), 0);
    check_range_count(node, graph, count, sizeof(float));
    data = range_data<float>(start, delta, count);
  } else {
    int64_t start = args[0]->as_int64()[0], limit = args[1]->as_int64()[0],
            delta = args[2]->as_int64()[0];
    if (delta == 0) throw Error(node.describe() + ": delta must not be 0");
    // ceil((limit - start) / delta) exactly, in unsigned arithmetic: limit - start may not fit
    // int64_t, and a double quotient could round past the true count.
    if ((delta > 0 && limit > start) || (delta < 0 && limit < start)) {
      const uint64_t span = delta > 0 ? static_cast<uint64_t>(limit) - static_cast<uint64_t>(start)
                                      : static_cast<uint64_t>(start) - static_cast<uint64_t>(limit);
      const uint64_t step =
          delta > 0 ? static_cast<uint64_t>(delta) : uint64_t{0} - static_cast<uint64_t>(delta);
      const uint64_t steps = span / step + (span % step != 0 ? 1 : 0);
      if (steps > static_cast<uint64_t>(kMaxShapeElements)) throw_range_too_large(node);
      count = static_cast<int64_t>(steps);
    }
    check_range_count(node, graph, count, dtype_size(dtype));
    switch (dtype) {
      case DType::Int8: data = integer_range_data<int8_t>(start, delta, count); break;
      case DType::UInt8: data = integer_range_data<uint8_t>(start, delta, count); break;
      case DType::Int16: data = integer_range_data<int16_t>(start, delta, count); break;
      case DType::Int32: data = integer_range_data<int32_t>(start, delta, count); break;
      case DType::Int64: data = integer_range_data<int64_t>(start, delta, count); break;
      default:
        throw Error(node.describe() + ": Range does not take " + std::string(dtype_name(dtype)));
    }
  }
  set_constant_output(node, graph, 0, dtype, {count}, std::move(data));
  graph.folded_bytes += output_tensor(node, graph, 0).bytes();
}

OpDef make_op(std::string op_type, int min_opset, std::function<void(const Node&, Graph&)> infer,
              std::function<KernelCall(const Node&, const Graph&)> lower) {
  OpDef def;
  def.op_type = std::move(op_type);
  def.min_opset = min_opset;
  def.infer = std::move(infer);
  def.lower = std::move(lower);
  def.macs = zero_macs;
  return def;
}

void register_shape_ops() {
  register_op(make_op("Shape", 1, infer_shape, folded_op_lower));
  register_op(make_op("Size", 1, infer_size, folded_op_lower));
  register_op(make_op("ConstantOfShape", 9, infer_constant_of_shape, lower_constant_of_shape));
  register_op(make_op("Range", 11, infer_range, folded_op_lower));
}

}  // namespace

KILN_REGISTER_OPS(register_shape_ops);

}  // namespace kiln
