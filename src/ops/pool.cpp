// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool (float32, int8 and int16; 1-D to 3-D
// spatial).
#include <bit>
#include <string>

#include "ir/error.hpp"
#include "ops/checked_math.hpp"
#include "ops/conv_geometry.hpp"
#include "ops/op_registry.hpp"
#include "ops/quantized.hpp"

namespace kiln {

namespace {

// MaxPool's optional second output: flat indices of the maxima.
bool has_indices(const Node& node) {
  return node.op_type == "MaxPool" && node.outputs.size() > 1 && !node.outputs[1].empty();
}

const Tensor& pooled_input(const Node& node, const Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  if (!is_quantized(x)) require_float32(node, x, "input");
  if (x.shape.size() < 3 || x.shape.size() > 2 + kMaxWindowRank)
    throw Error(node.describe() + ": input must be N x C x D1 ... (rank 3 to 5), got " +
                shape_to_string(x.shape));
  return x;
}

WindowGeometry pool_window(const Node& node, const Graph& graph) {
  const Tensor& x = pooled_input(node, graph);
  if (!node.has_attr("kernel_shape"))
    throw Error(node.describe() + ": missing required attribute 'kernel_shape'");
  const int64_t ceil_mode = node.attr_int("ceil_mode", 0);
  if (ceil_mode != 0 && ceil_mode != 1)
    throw Error(node.describe() + ": ceil_mode must be 0 or 1, got " + std::to_string(ceil_mode));
  if (node.op_type == "MaxPool") {
    const int64_t order = node.attr_int("storage_order", 0);
    if (order != 0 && order != 1)
      throw Error(node.describe() + ": storage_order must be 0 or 1, got " + std::to_string(order));
  } else {
    const int64_t include = node.attr_int("count_include_pad", 0);
    if (include != 0 && include != 1)
      throw Error(node.describe() + ": count_include_pad must be 0 or 1, got " +
                  std::to_string(include));
  }
  return forward_window(node, {x.shape.begin() + 2, x.shape.end()},
                        node.attr_ints("kernel_shape", {}), ceil_mode != 0);
}

void infer_pool(const Node& node, Graph& graph) {
  const WindowGeometry g = pool_window(node, graph);
  const Shape& xs = graph.tensor(node.inputs[0]).shape;
  Shape out = {xs[0], xs[1]};
  out.insert(out.end(), g.out.begin(), g.out.end());
  if (has_indices(node)) set_output(node, graph, 1, DType::Int64, out);
  if (is_quantized(graph.tensor(node.inputs[0])))
    set_quantized_output(node, graph, 0, out);
  else
    set_output(node, graph, 0, DType::Float32, out);
}

// Quantized pooling keeps the input's scale and zero point (passes/lower_qdq inserts a
// kiln.Requantize where a model wants another), so max and average run on the raw integers: int8,
// or int16 (TFLite's 16x8 scheme) through the _s16 kernels. True for int16.
bool require_same_quantization(const Node& node, const Tensor& x, const Tensor& y) {
  if (!((x.dtype == DType::Int8 || x.dtype == DType::Int16) && y.dtype == x.dtype))
    throw UnsupportedError(node.describe() + ": quantized " + node.op_type +
                           " supports int8 and int16, got " + std::string(dtype_name(x.dtype)) +
                           " -> " + std::string(dtype_name(y.dtype)));
  if (per_tensor_scale(node, x, "input") != per_tensor_scale(node, y, "output") ||
      per_tensor_zero_point(node, x, "input") != per_tensor_zero_point(node, y, "output"))
    throw InternalError(node.describe() + ": quantized pooling needs equal input and output " +
                        "quantization");
  return x.dtype == DType::Int16;
}

// ONNX Runtime's QLinearAveragePool arithmetic (float32 dequantize, sum, divide, add the output
// zero point, round half to even), emulated with integers; input and output parameters may
// differ, so no kiln.Requantize follows.
KernelCall lower_average_pool_single(const Node& node, const WindowGeometry& g, const Tensor& x,
                                     const Tensor& y) {
  if (x.dtype != DType::Int8 || y.dtype != DType::Int8)
    throw UnsupportedError(node.describe() + ": quantized AveragePool supports int8, got " +
                           std::string(dtype_name(x.dtype)) + " -> " +
                           std::string(dtype_name(y.dtype)));
  KernelCall call("kiln_average_pool_s8_single");
  call.input(x.name)
      .output(y.name)
      .i(x.shape[0] * x.shape[1])
      .ints(to_window3(g.in, 1))
      .ints(to_window3(g.out, 1))
      .ints(to_window3(g.kernel, 1))
      .ints(to_window3(g.strides, 1))
      .ints(to_window3(g.dilations, 1))
      .ints(to_window3(g.pads_begin, 0))
      .ints(to_window3(g.pads_end, 0))
      .i(node.attr_int("count_include_pad", 0))
      .i(per_tensor_zero_point(node, x, "input"))
      .i(std::bit_cast<int32_t>(per_tensor_scale(node, x, "input")))
      .i(per_tensor_zero_point(node, y, "output"))
      .i(std::bit_cast<int32_t>(per_tensor_scale(node, y, "output")));
  add_activation_clamp(call, node, y);
  return call;
}

KernelCall lower_pool(const Node& node, const Graph& graph) {
  reject_activation(node);
  const WindowGeometry g = pool_window(node, graph);
  const Shape& xs = graph.tensor(node.inputs[0]).shape;
  const bool is_max = node.op_type == "MaxPool";
  const bool indices = has_indices(node);
  const Tensor& x = graph.tensor(node.inputs[0]);
  if (is_quantized(x)) {
    if (indices)
      throw UnsupportedError(node.describe() + ": MaxPool indices of a quantized tensor");
    const Tensor& y = graph.tensor(node.outputs[0]);
    // int16 has no single-rounding form: lower_qdq keeps its parameters under every strategy.
    if (!is_max && x.dtype != DType::Int16 && node.attr_string(kRequantAttr, "") == "single")
      return lower_average_pool_single(node, g, x, y);
    const bool is16 = require_same_quantization(node, x, y);
    KernelCall call(is_max ? (is16 ? "kiln_max_pool_s16" : "kiln_max_pool_s8")
                           : (is16 ? "kiln_average_pool_s16" : "kiln_average_pool_s8"));
    call.input(x.name)
        .output(y.name)
        .i(xs[0] * xs[1])
        .ints(to_window3(g.in, 1))
        .ints(to_window3(g.out, 1))
        .ints(to_window3(g.kernel, 1))
        .ints(to_window3(g.strides, 1))
        .ints(to_window3(g.dilations, 1))
        .ints(to_window3(g.pads_begin, 0));
    if (!is_max) call.ints(to_window3(g.pads_end, 0)).i(node.attr_int("count_include_pad", 0));
    add_activation_clamp(call, node, y);
    return call;
  }
  KernelCall call(!is_max   ? "kiln_average_pool_f32"
                  : indices ? "kiln_max_pool_indices_f32"
                            : "kiln_max_pool_f32");
  call.input(node.inputs[0]).output(node.outputs[0]);
  if (indices) call.output(node.outputs[1]);
  call.i(xs[0] * xs[1])
      .ints(to_window3(g.in, 1))
      .ints(to_window3(g.out, 1))
      .ints(to_window3(g.kernel, 1))
      .ints(to_window3(g.strides, 1))
      .ints(to_window3(g.dilations, 1))
      .ints(to_window3(g.pads_begin, 0));
  if (!is_max) call.ints(to_window3(g.pads_end, 0)).i(node.attr_int("count_include_pad", 0));
  if (indices) call.i(node.attr_int("storage_order", 0));
  return call;
}

int64_t average_pool_macs(const Node& node, const Graph& graph) {
  // One accumulation per kernel tap of every output.
  int64_t taps = 1;
  for (int64_t k : node.attr_ints("kernel_shape", {})) taps = checked_mul(node, taps, k);
  return checked_mul(node, graph.tensor(node.outputs[0]).elements(), taps);
}

void infer_global_pool(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  if (!is_quantized(x)) require_float32(node, x, "input");
  if (x.shape.size() < 3)
    throw Error(node.describe() + ": input must be N x C x D1 ... (rank >= 3), got " +
                shape_to_string(x.shape));
  Shape out(x.shape.size(), 1);
  out[0] = x.shape[0];
  out[1] = x.shape[1];
  for (size_t i = 2; i < x.shape.size(); ++i)
    if (x.shape[i] == 0) throw Error(node.describe() + ": cannot pool an empty spatial extent");
  if (is_quantized(x))
    set_quantized_output(node, graph, 0, out);
  else
    set_output(node, graph, 0, DType::Float32, out);
}

// GlobalAveragePool requantizes (mean = sum / plane, scaled x_scale / y_scale); GlobalMaxPool is
// a max pool whose window is the whole plane.
KernelCall lower_quantized_global_pool(const Node& node, const Graph& graph, int64_t plane) {
  const Tensor& x = graph.tensor(node.inputs[0]);
  const Tensor& y = graph.tensor(node.outputs[0]);
  const Shape& xs = x.shape;
  if (node.op_type == "GlobalMaxPool") {
    const bool is16 = require_same_quantization(node, x, y);
    std::vector<int64_t> spatial(xs.begin() + 2, xs.end());
    std::vector<int64_t> ones(spatial.size(), 1), zeros(spatial.size(), 0);
    KernelCall call(is16 ? "kiln_max_pool_s16" : "kiln_max_pool_s8");
    call.input(x.name)
        .output(y.name)
        .i(xs[0] * xs[1])
        .ints(to_window3(spatial, 1))
        .ints(to_window3(ones, 1))
        .ints(to_window3(spatial, 1))
        .ints(to_window3(ones, 1))
        .ints(to_window3(ones, 1))
        .ints(to_window3(zeros, 0));
    add_activation_clamp(call, node, y);
    return call;
  }
  const bool is16 = x.dtype == DType::Int16 && y.dtype == DType::Int16;
  if (!is16 && (x.dtype != DType::Int8 || y.dtype != DType::Int8))
    throw UnsupportedError(node.describe() + ": quantized GlobalAveragePool supports int8 and " +
                           "int16, got " + std::string(dtype_name(x.dtype)) + " -> " +
                           std::string(dtype_name(y.dtype)));
  if (!is16 && node.attr_string(kArithmeticAttr, "") == "tflite" &&
      node.activation.kind == Activation::None) {
    // TFLite's MEAN over height and width: requantize the sum, then divide (kiln_mean_tflm_s8).
    const FixedPointMultiplier m =
        quantize_multiplier(static_cast<double>(per_tensor_scale(node, x, "input")) /
                            static_cast<double>(per_tensor_scale(node, y, "output")));
    return KernelCall("kiln_mean_tflm_s8")
        .input(x.name)
        .output(y.name)
        .i(xs[0] * xs[1])
        .i(plane)
        .i(per_tensor_zero_point(node, x, "input"))
        .i(per_tensor_zero_point(node, y, "output"))
        .i(m.multiplier)
        .i(m.shift);
  }
  const Requantization r = requantization(
      node, {scale_ratio(per_tensor_scale(node, x, "input"),
                         per_tensor_scale(node, y, "output") * static_cast<float>(plane))});
  // int16: the 64-bit sum is requantized like the int16 convolution's accumulator.
  KernelCall call(is16 ? "kiln_global_average_pool_s16" : "kiln_global_average_pool_s8");
  call.input(x.name)
      .output(y.name)
      .i(xs[0] * xs[1])
      .i(plane)
      .i(per_tensor_zero_point(node, x, "input"))
      .i(per_tensor_zero_point(node, y, "output"))
      .i(r.multipliers[0])
      .i(r.shifts[0])
      .i(r.mode);
  add_activation_clamp(call, node, y);
  return call;
}

KernelCall lower_global_pool(const Node& node, const Graph& graph) {
  reject_activation(node);
  const Shape& xs = graph.tensor(node.inputs[0]).shape;
  int64_t plane = 1;
  for (size_t i = 2; i < xs.size(); ++i) plane *= xs[i];
  if (is_quantized(graph.tensor(node.inputs[0])))
    return lower_quantized_global_pool(node, graph, plane);
  KernelCall call(node.op_type == "GlobalMaxPool" ? "kiln_global_max_pool_f32"
                                                  : "kiln_global_average_pool_f32");
  call.input(node.inputs[0]).output(node.outputs[0]).i(xs[0] * xs[1]).i(plane);
  return call;
}

void register_pool_ops() {
  for (const char* type : {"MaxPool", "AveragePool"}) {
    OpDef def;
    def.op_type = type;
    def.infer = infer_pool;
    def.lower = lower_pool;
    def.macs = std::string(type) == "AveragePool"
                   ? std::function<int64_t(const Node&, const Graph&)>(average_pool_macs)
                   : [](const Node&, const Graph&) -> int64_t { return 0; };
    register_op(std::move(def));
  }
  for (const char* type : {"GlobalAveragePool", "GlobalMaxPool"}) {
    OpDef def;
    def.op_type = type;
    def.min_opset = 1;
    def.infer = infer_global_pool;
    def.lower = lower_global_pool;
    def.macs = std::string(type) == "GlobalAveragePool"
                   ? std::function<int64_t(const Node&, const Graph&)>(
                         [](const Node& node, const Graph& graph) -> int64_t {
                           return graph.tensor(node.inputs[0]).elements();
                         })
                   : [](const Node&, const Graph&) -> int64_t { return 0; };
    register_op(std::move(def));
  }
}

}  // namespace

KILN_REGISTER_OPS(register_pool_ops);

}  // namespace kiln
