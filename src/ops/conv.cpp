// Conv and ConvTranspose: float32 grouped (incl. depthwise) convolutions over 1-D to 3-D spatial
// inputs, lowered to the direct kernels kiln_conv_f32 / kiln_conv_transpose_f32.
#include <string>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/conv_geometry.hpp"
#include "ops/op_registry.hpp"
#include "ops/quantized.hpp"

namespace kiln {

namespace {

std::vector<int64_t> spatial_of(const Shape& shape) {
  return {shape.begin() + 2, shape.end()};
}

int64_t product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t x : v) p *= x;
  return p;
}

struct ConvOperands {
  const Tensor& x;
  const Tensor& w;
  const Tensor* bias;  // null when absent
  int64_t group;
};

// Checks what Conv and ConvTranspose share: dtypes, ranks, group, kernel_shape, bias size.
ConvOperands check_operands(const Node& node, const Graph& graph, bool transposed) {
  const Tensor& x = input_tensor(node, graph, 0);
  const Tensor& w = input_tensor(node, graph, 1);
  const Tensor* bias = node.has_input(2) ? &graph.tensor(node.inputs[2]) : nullptr;
  if (is_quantized(x) && !transposed) {
    // Integer convolution: int8 (or int16) activations, int8 weights, integer bias.
    if (w.dtype != DType::Int8 || !w.quant)
      throw Error(node.describe() + ": weight " + quote_name(w.name) +
                  " of a quantized Conv must be " + "quantized int8, got " +
                  std::string(dtype_name(w.dtype)));
    const DType bias_type = x.dtype == DType::Int16 ? DType::Int64 : DType::Int32;
    if (bias && bias->dtype != bias_type)
      throw Error(node.describe() + ": bias " + quote_name(bias->name) +
                  " of a quantized Conv must be " + std::string(dtype_name(bias_type)) + ", got " +
                  std::string(dtype_name(bias->dtype)));
  } else {
    require_float32(node, x, "input");
    require_float32(node, w, "weight");
    if (bias) require_float32(node, *bias, "bias");
  }
  if (x.shape.size() < 3 || x.shape.size() > 2 + kMaxWindowRank)
    throw Error(node.describe() + ": input must be N x C x D1 ... (rank 3 to 5), got " +
                shape_to_string(x.shape));
  if (w.shape.size() != x.shape.size())
    throw Error(node.describe() + ": weight " + shape_to_string(w.shape) +
                " must have the rank of the input " + shape_to_string(x.shape));
  const int64_t group = node.attr_int("group", 1);
  if (group < 1)
    throw Error(node.describe() + ": group must be >= 1, got " + std::to_string(group));
  const int64_t channels = x.shape[1];
  if (channels % group != 0)
    throw Error(node.describe() + ": group " + std::to_string(group) +
                " does not divide the input channels " + std::to_string(channels));
  const int64_t out_channels = transposed ? w.shape[1] * group : w.shape[0];
  if (transposed) {
    if (w.shape[0] != channels)
      throw Error(node.describe() + ": weight " + shape_to_string(w.shape) + " expects " +
                  std::to_string(w.shape[0]) + " input channels, input has " +
                  std::to_string(channels));
  } else {
    if (w.shape[1] * group != channels)
      throw Error(node.describe() + ": weight " + shape_to_string(w.shape) + " with group " +
                  std::to_string(group) + " expects " + std::to_string(w.shape[1] * group) +
                  " input channels, input has " + std::to_string(channels));
    if (out_channels % group != 0)
      throw Error(node.describe() + ": group " + std::to_string(group) +
                  " does not divide the output channels " + std::to_string(out_channels));
  }
  const std::vector<int64_t> kernel = spatial_of(w.shape);
  if (node.has_attr("kernel_shape") && node.attr_ints("kernel_shape", {}) != kernel)
    throw Error(node.describe() + ": kernel_shape attribute does not match weight " +
                shape_to_string(w.shape));
  if (bias && (bias->shape.size() != 1 || bias->shape[0] != out_channels))
    throw Error(node.describe() + ": bias " + shape_to_string(bias->shape) + " must be [" +
                std::to_string(out_channels) + "]");
  return {x, w, bias, group};
}

WindowGeometry conv_window(const Node& node, const ConvOperands& ops) {
  return forward_window(node, spatial_of(ops.x.shape), spatial_of(ops.w.shape), false);
}

void infer_conv(const Node& node, Graph& graph) {
  const ConvOperands ops = check_operands(node, graph, false);
  const WindowGeometry g = conv_window(node, ops);
  Shape out = {ops.x.shape[0], ops.w.shape[0]};
  out.insert(out.end(), g.out.begin(), g.out.end());
  if (is_quantized(ops.x))
    set_quantized_output(node, graph, 0, out);
  else
    set_output(node, graph, 0, DType::Float32, out);
}

// kiln_conv_s8 / kiln_conv_s16: geometry as the float kernel, then the quantization arguments.
KernelCall lower_quantized_conv(const Node& node, const Graph& graph, const ConvOperands& ops,
                                const WindowGeometry& g) {
  const Tensor& y = graph.tensor(node.outputs[0]);
  if (ops.x.dtype == DType::UInt8 || y.dtype != ops.x.dtype)
    throw UnsupportedError(node.describe() + ": quantized Conv from " +
                           std::string(dtype_name(ops.x.dtype)) + " to " +
                           std::string(dtype_name(y.dtype)) + " (kiln: int8->int8, int16->int16)");
  const int64_t out_channels = ops.w.shape[0];
  const std::vector<float> w_scales = channel_scales(node, ops.w, 0, out_channels);
  const float x_scale = per_tensor_scale(node, ops.x, "input");
  const float y_scale = per_tensor_scale(node, y, "output");
  std::vector<ScaleRatio> real;
  for (float ws : w_scales) real.push_back(scale_ratio(x_scale, ws, y_scale));
  KernelCall call(ops.x.dtype == DType::Int16 ? "kiln_conv_s16" : "kiln_conv_s8");
  call.input(node.inputs[0])
      .input(node.inputs[1])
      .input(node.has_input(2) ? node.inputs[2] : "")
      .output(node.outputs[0])
      .i(ops.x.shape[0])
      .i(ops.x.shape[1])
      .i(out_channels)
      .i(ops.group)
      .ints(to_window3(g.in, 1))
      .ints(to_window3(g.out, 1))
      .ints(to_window3(g.kernel, 1))
      .ints(to_window3(g.strides, 1))
      .ints(to_window3(g.dilations, 1))
      .ints(to_window3(g.pads_begin, 0))
      .i(ops.w.quant->bits)
      .i(per_tensor_zero_point(node, ops.x, "input"))
      .ints(channel_zero_points(node, ops.w, 0, out_channels))
      .i(per_tensor_zero_point(node, y, "output"));
  add_requant_args(call, requantization(node, real));
  add_activation_clamp(call, node, y);
  return call;
}

KernelCall lower_conv(const Node& node, const Graph& graph) {
  const ConvOperands ops = check_operands(node, graph, false);
  const WindowGeometry g = conv_window(node, ops);
  if (is_quantized(ops.x)) return lower_quantized_conv(node, graph, ops, g);
  KernelCall call("kiln_conv_f32");
  call.input(node.inputs[0])
      .input(node.inputs[1])
      .input(node.has_input(2) ? node.inputs[2] : "")
      .output(node.outputs[0])
      .i(ops.x.shape[0])
      .i(ops.x.shape[1])
      .i(ops.w.shape[0])
      .i(ops.group)
      .ints(to_window3(g.in, 1))
      .ints(to_window3(g.out, 1))
      .ints(to_window3(g.kernel, 1))
      .ints(to_window3(g.strides, 1))
      .ints(to_window3(g.dilations, 1))
      .ints(to_window3(g.pads_begin, 0));
  add_activation_args(call, node);
  return call;
}

int64_t conv_macs(const Node& node, const Graph& graph) {
  const Tensor& w = graph.tensor(node.inputs[1]);
  const Tensor& y = graph.tensor(node.outputs[0]);
  // N * Cout * prod(out spatial) * (Cin / group) * prod(kernel); W's dim 1 is Cin / group.
  return y.elements() * w.shape[1] * product(spatial_of(w.shape));
}

WindowGeometry transposed_conv_window(const Node& node, const ConvOperands& ops) {
  return transposed_window(node, spatial_of(ops.x.shape), spatial_of(ops.w.shape));
}

void infer_conv_transpose(const Node& node, Graph& graph) {
  const ConvOperands ops = check_operands(node, graph, true);
  const WindowGeometry g = transposed_conv_window(node, ops);
  Shape out = {ops.x.shape[0], ops.w.shape[1] * ops.group};
  out.insert(out.end(), g.out.begin(), g.out.end());
  set_output(node, graph, 0, DType::Float32, out);
}

KernelCall lower_conv_transpose(const Node& node, const Graph& graph) {
  const ConvOperands ops = check_operands(node, graph, true);
  const WindowGeometry g = transposed_conv_window(node, ops);
  KernelCall call("kiln_conv_transpose_f32");
  call.input(node.inputs[0])
      .input(node.inputs[1])
      .input(node.has_input(2) ? node.inputs[2] : "")
      .output(node.outputs[0])
      .i(ops.x.shape[0])
      .i(ops.x.shape[1])
      .i(ops.w.shape[1] * ops.group)
      .i(ops.group)
      .ints(to_window3(g.in, 1))
      .ints(to_window3(g.out, 1))
      .ints(to_window3(g.kernel, 1))
      .ints(to_window3(g.strides, 1))
      .ints(to_window3(g.dilations, 1))
      .ints(to_window3(g.pads_begin, 0));
  add_activation_args(call, node);
  return call;
}

int64_t conv_transpose_macs(const Node& node, const Graph& graph) {
  const Tensor& x = graph.tensor(node.inputs[0]);
  const Tensor& w = graph.tensor(node.inputs[1]);
  // Every input element meets (Cout / group) * prod(kernel) weights; W's dim 1 is Cout / group.
  return x.elements() * w.shape[1] * product(spatial_of(w.shape));
}

void register_conv_ops() {
  OpDef conv;
  conv.op_type = "Conv";
  conv.min_opset = 1;
  conv.infer = infer_conv;
  conv.lower = lower_conv;
  conv.macs = conv_macs;
  conv.accepts_activation = true;
  register_op(std::move(conv));

  OpDef transpose;
  transpose.op_type = "ConvTranspose";
  transpose.min_opset = 1;
  transpose.infer = infer_conv_transpose;
  transpose.lower = lower_conv_transpose;
  transpose.macs = conv_transpose_macs;
  transpose.accepts_activation = true;
  register_op(std::move(transpose));
}

}  // namespace

KILN_REGISTER_OPS(register_conv_ops);

}  // namespace kiln
