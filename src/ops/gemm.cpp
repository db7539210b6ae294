// Gemm and MatMul (float32), lowered to kiln_gemm_f32 (transposes and C broadcast become strides)
// and kiln_matmul_f32 (numpy batch broadcast becomes per-operand batch strides).
#include <string>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/conv_geometry.hpp"
#include "ops/op_registry.hpp"
#include "ops/quantized.hpp"

extern "C" {
#include "kiln_common.h"
}

namespace kiln {

namespace {

// ---- Gemm ---------------------------------------------------------------------------------

struct GemmDims {
  int64_t m, n, k;
  bool trans_a, trans_b;
};

GemmDims gemm_dims(const Node& node, const Graph& graph) {
  const Tensor& a = input_tensor(node, graph, 0);
  const Tensor& b = input_tensor(node, graph, 1);
  const bool quantized = is_quantized(a);
  if (quantized) {
    if (b.dtype != DType::Int8 || !b.quant)
      throw Error(node.describe() + ": B " + quote_name(b.name) +
                  " of a quantized Gemm must be quantized int8");
  } else {
    require_float32(node, a, "A");
    require_float32(node, b, "B");
  }
  if (a.shape.size() != 2 || b.shape.size() != 2)
    throw Error(node.describe() + ": A " + shape_to_string(a.shape) + " and B " +
                shape_to_string(b.shape) + " must both be 2-D");
  GemmDims d{};
  d.trans_a = node.attr_int("transA", 0) != 0;
  d.trans_b = node.attr_int("transB", 0) != 0;
  d.m = d.trans_a ? a.shape[1] : a.shape[0];
  d.k = d.trans_a ? a.shape[0] : a.shape[1];
  const int64_t kb = d.trans_b ? b.shape[1] : b.shape[0];
  d.n = d.trans_b ? b.shape[0] : b.shape[1];
  if (kb != d.k)
    throw Error(node.describe() + ": inner dimensions differ: A " + shape_to_string(a.shape) +
                (d.trans_a ? " (transposed)" : "") + " x B " + shape_to_string(b.shape) +
                (d.trans_b ? " (transposed)" : ""));
  if (node.has_input(2)) {
    const Tensor& c = graph.tensor(node.inputs[2]);
    if (quantized) {
      const DType bias_type = a.dtype == DType::Int16 ? DType::Int64 : DType::Int32;
      if (c.dtype != bias_type || c.elements() != d.n)
        throw Error(node.describe() + ": C " + quote_name(c.name) +
                    " of a quantized Gemm must be " + std::string(dtype_name(bias_type)) + " [" +
                    std::to_string(d.n) + "]");
      if (node.attr_float("alpha", 1.0f) != 1.0f || node.attr_float("beta", 1.0f) != 1.0f)
        throw UnsupportedError(node.describe() + ": quantized Gemm needs alpha = beta = 1");
    } else {
      require_float32(node, c, "C");
    }
    const Shape& cs = c.shape;
    bool ok = cs.size() <= 2;
    if (ok && cs.size() == 2) ok = (cs[0] == 1 || cs[0] == d.m) && (cs[1] == 1 || cs[1] == d.n);
    if (ok && cs.size() == 1) ok = cs[0] == 1 || cs[0] == d.n;
    if (!ok)
      throw Error(node.describe() + ": C " + shape_to_string(cs) + " cannot be broadcast to " +
                  std::to_string(d.m) + "x" + std::to_string(d.n));
  }
  return d;
}

void infer_gemm(const Node& node, Graph& graph) {
  const GemmDims d = gemm_dims(node, graph);
  if (is_quantized(input_tensor(node, graph, 0)))
    set_quantized_output(node, graph, 0, {d.m, d.n});
  else
    set_output(node, graph, 0, DType::Float32, {d.m, d.n});
}

// kiln_gemm_s8 / kiln_gemm_s16: a fully connected layer with per-output-channel requantization and
// weight zero points.
KernelCall lower_quantized_gemm(const Node& node, const Graph& graph, const GemmDims& d) {
  const Tensor& a = graph.tensor(node.inputs[0]);
  const Tensor& b = graph.tensor(node.inputs[1]);
  const Tensor& y = graph.tensor(node.outputs[0]);
  if (a.dtype == DType::UInt8 || y.dtype != a.dtype)
    throw UnsupportedError(node.describe() + ": quantized Gemm from " +
                           std::string(dtype_name(a.dtype)) + " to " +
                           std::string(dtype_name(y.dtype)) + " (kiln: int8->int8, int16->int16)");
  // B's output-channel axis: N is dim 0 of a transposed B, dim 1 otherwise.
  const int64_t channel_axis = d.trans_b ? 0 : 1;
  const std::vector<float> w_scales = channel_scales(node, b, channel_axis, d.n);
  const float a_scale = per_tensor_scale(node, a, "A");
  const float y_scale = per_tensor_scale(node, y, "output");
  std::vector<ScaleRatio> real;
  for (float ws : w_scales) real.push_back(scale_ratio(a_scale, ws, y_scale));
  const int64_t a_stride_m = d.trans_a ? 1 : d.k, a_stride_k = d.trans_a ? d.m : 1;
  const int64_t b_stride_k = d.trans_b ? 1 : d.n, b_stride_n = d.trans_b ? d.k : 1;
  KernelCall call(a.dtype == DType::Int16 ? "kiln_gemm_s16" : "kiln_gemm_s8");
  call.input(a.name)
      .input(b.name)
      .input(node.has_input(2) ? node.inputs[2] : "")
      .output(y.name)
      .i(d.m)
      .i(d.n)
      .i(d.k)
      .i(a_stride_m)
      .i(a_stride_k)
      .i(b_stride_k)
      .i(b_stride_n)
      .i(b.quant->bits)
      .i(per_tensor_zero_point(node, a, "A"))
      .ints(channel_zero_points(node, b, channel_axis, d.n))
      .i(per_tensor_zero_point(node, y, "output"));
  add_requant_args(call, requantization(node, real));
  add_activation_clamp(call, node, y);
  return call;
}

KernelCall lower_gemm(const Node& node, const Graph& graph) {
  const GemmDims d = gemm_dims(node, graph);
  if (is_quantized(graph.tensor(node.inputs[0]))) return lower_quantized_gemm(node, graph, d);
  // Element strides of A viewed as [M, K] and B viewed as [K, N].
  const int64_t a_stride_m = d.trans_a ? 1 : d.k, a_stride_k = d.trans_a ? d.m : 1;
  const int64_t b_stride_k = d.trans_b ? 1 : d.n, b_stride_n = d.trans_b ? d.k : 1;
  int64_t c_stride_m = 0, c_stride_n = 0;
  if (node.has_input(2)) {
    const Shape& cs = graph.tensor(node.inputs[2]).shape;
    const int64_t cm = cs.size() == 2 ? cs[0] : 1;
    const int64_t cn = cs.empty() ? 1 : cs.back();
    c_stride_n = cn == 1 ? 0 : 1;
    c_stride_m = cm == 1 ? 0 : cn;
  }
  KernelCall call("kiln_gemm_f32");
  call.input(node.inputs[0])
      .input(node.inputs[1])
      .input(node.has_input(2) ? node.inputs[2] : "")
      .output(node.outputs[0])
      .i(d.m)
      .i(d.n)
      .i(d.k)
      .i(a_stride_m)
      .i(a_stride_k)
      .i(b_stride_k)
      .i(b_stride_n)
      .i(c_stride_m)
      .i(c_stride_n)
      .f(node.attr_float("alpha", 1.0f))
      .f(node.attr_float("beta", 1.0f));
  add_activation_args(call, node);
  return call;
}

int64_t gemm_macs(const Node& node, const Graph& graph) {
  const GemmDims d = gemm_dims(node, graph);
  return d.m * d.n * d.k;
}

// ---- MatMul -------------------------------------------------------------------------------

struct MatMulPlan {
  int64_t m, n, k;
  Shape batch;                     // broadcast batch dims of the output
  std::vector<int64_t> a_strides;  // element stride per batch dim, 0 where broadcast
  std::vector<int64_t> b_strides;
  Shape out;
};

MatMulPlan matmul_plan(const Node& node, const Graph& graph) {
  const Tensor& a = input_tensor(node, graph, 0);
  const Tensor& b = input_tensor(node, graph, 1);
  if (is_quantized(a)) {
    if (b.dtype != DType::Int8 || !b.quant)
      throw Error(node.describe() + ": B " + quote_name(b.name) +
                  " of a quantized MatMul must be quantized int8");
  } else {
    require_float32(node, a, "A");
    require_float32(node, b, "B");
  }
  if (a.shape.empty() || b.shape.empty())
    throw Error(node.describe() + ": MatMul operands must have rank >= 1, got " +
                shape_to_string(a.shape) + " and " + shape_to_string(b.shape));
  // numpy: a 1-D A is a row vector [1, K], a 1-D B a column [K, 1]; the dim is dropped after.
  Shape as = a.shape, bs = b.shape;
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  MatMulPlan p;
  p.m = as[as.size() - 2];
  p.k = as.back();
  p.n = bs.back();
  if (bs[bs.size() - 2] != p.k)
    throw Error(node.describe() + ": inner dimensions differ: " + shape_to_string(a.shape) + " x " +
                shape_to_string(b.shape));
  const Shape a_batch(as.begin(), as.end() - 2), b_batch(bs.begin(), bs.end() - 2);
  p.batch = broadcast_shapes(node, a_batch, b_batch);
  if (p.batch.size() > KILN_MAX_RANK)
    throw Error(node.describe() + ": batch rank " + std::to_string(p.batch.size()) +
                " exceeds kiln's limit of " + std::to_string(KILN_MAX_RANK));
  // Strides of each operand's batch dims, right-aligned to the output's; broadcast dims get 0.
  auto strides_for = [&](const Shape& operand_batch, int64_t matrix_size) {
    std::vector<int64_t> strides(p.batch.size(), 0);
    int64_t stride = matrix_size;
    for (size_t i = 0; i < operand_batch.size(); ++i) {
      const size_t src = operand_batch.size() - 1 - i;
      const size_t dst = p.batch.size() - 1 - i;
      strides[dst] = operand_batch[src] == 1 ? 0 : stride;
      stride *= operand_batch[src];
    }
    return strides;
  };
  p.a_strides = strides_for(a_batch, p.m * p.k);
  p.b_strides = strides_for(b_batch, p.k * p.n);
  p.out = p.batch;
  if (a.shape.size() > 1) p.out.push_back(p.m);
  if (b.shape.size() > 1) p.out.push_back(p.n);
  return p;
}

void infer_matmul(const Node& node, Graph& graph) {
  if (is_quantized(input_tensor(node, graph, 0)))
    set_quantized_output(node, graph, 0, matmul_plan(node, graph).out);
  else
    set_output(node, graph, 0, DType::Float32, matmul_plan(node, graph).out);
}

// kiln_matmul_s8: per-tensor A, per-tensor or per-column (last axis) B scales and zero points.
KernelCall lower_quantized_matmul(const Node& node, const Graph& graph, const MatMulPlan& p) {
  const Tensor& a = graph.tensor(node.inputs[0]);
  const Tensor& b = graph.tensor(node.inputs[1]);
  const Tensor& y = graph.tensor(node.outputs[0]);
  if (a.dtype != DType::Int8 || y.dtype != DType::Int8)
    throw UnsupportedError(node.describe() + ": quantized MatMul from " +
                           std::string(dtype_name(a.dtype)) + " to " +
                           std::string(dtype_name(y.dtype)) + " (kiln: int8->int8)");
  if (b.quant->packed_int4())
    throw UnsupportedError(node.describe() + ": int4 weights are supported for Conv and Gemm");
  const auto b_rank = static_cast<int64_t>(b.shape.size());
  const std::vector<float> w_scales = channel_scales(node, b, b_rank - 1, p.n);
  const float a_scale = per_tensor_scale(node, a, "A");
  const float y_scale = per_tensor_scale(node, y, "output");
  std::vector<ScaleRatio> real;
  for (float ws : w_scales) real.push_back(scale_ratio(a_scale, ws, y_scale));
  KernelCall call("kiln_matmul_s8");
  call.input(a.name)
      .input(b.name)
      .output(y.name)
      .i(static_cast<int64_t>(p.batch.size()))
      .ints(p.batch)
      .ints(p.a_strides)
      .ints(p.b_strides)
      .i(p.m)
      .i(p.n)
      .i(p.k)
      .i(per_tensor_zero_point(node, a, "A"))
      .ints(channel_zero_points(node, b, b_rank - 1, p.n))
      .i(per_tensor_zero_point(node, y, "output"));
  add_requant_args(call, requantization(node, real));
  add_activation_clamp(call, node, y);
  return call;
}

KernelCall lower_matmul(const Node& node, const Graph& graph) {
  MatMulPlan p = matmul_plan(node, graph);
  if (p.batch.empty()) {  // a single matrix: one batch of one keeps the arrays non-empty
    p.batch = {1};
    p.a_strides = {0};
    p.b_strides = {0};
  }
  if (is_quantized(graph.tensor(node.inputs[0]))) return lower_quantized_matmul(node, graph, p);
  KernelCall call("kiln_matmul_f32");
  call.input(node.inputs[0])
      .input(node.inputs[1])
      .output(node.outputs[0])
      .i(static_cast<int64_t>(p.batch.size()))
      .ints(p.batch)
      .ints(p.a_strides)
      .ints(p.b_strides)
      .i(p.m)
      .i(p.n)
      .i(p.k);
  add_activation_args(call, node);
  return call;
}

int64_t matmul_macs(const Node& node, const Graph& graph) {
  const MatMulPlan p = matmul_plan(node, graph);
  return shape_elements(p.batch) * p.m * p.n * p.k;
}

void register_gemm_ops() {
  OpDef gemm;
  gemm.op_type = "Gemm";
  gemm.infer = infer_gemm;
  gemm.lower = lower_gemm;
  gemm.macs = gemm_macs;
  gemm.accepts_activation = true;
  register_op(std::move(gemm));

  OpDef matmul;
  matmul.op_type = "MatMul";
  matmul.min_opset = 1;
  matmul.infer = infer_matmul;
  matmul.lower = lower_matmul;
  matmul.macs = matmul_macs;
  matmul.accepts_activation = true;
  register_op(std::move(matmul));
}

}  // namespace

KILN_REGISTER_OPS(register_gemm_ops);

}  // namespace kiln
