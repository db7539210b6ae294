// TFLite flatbuffer -> Graph (see tflite_loader.hpp for the representation chosen).
//
// Layout: every TFLite tensor is tracked with the kiln tensors holding its values, per layout
// (TFLite's own, or NCHW for rank-4 tensors). An op asks for its inputs in the layout it needs
// and a Transpose is inserted (once per tensor and layout) when the value only exists in the
// other one. Convolutions and pools work in NCHW, layout-agnostic ops (RESHAPE, TRANSPOSE,
// STRIDED_SLICE, FULLY_CONNECTED's flattening) in TFLite's layout, element-wise ops and
// CONCATENATION/PAD/MEAN/SOFTMAX in whatever layout their input already has (axes remapped).
//
// Quantization: a quantized input is read through a DequantizeLinear, the op computes in float
// and a QuantizeLinear writes the quantized output, TFLite's fused activation sitting between
// op and QuantizeLinear; lower_qdq later turns these patterns into integer kernels.
#include "frontend/tflite_loader.hpp"

#include <flatbuffers/flatbuffers.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/checked_math.hpp"
#include "ops/quantized.hpp"
#include "passes/graph_rewrite.hpp"
#include "passes/infer_shapes.hpp"
#include "tflite_schema_generated.h"

namespace kiln::tflite_frontend {

namespace tfl = kiln::tflite;

namespace {

constexpr uint32_t kSchemaVersion = 3;

enum class Layout { Tflite, Nchw };  // Nchw only applies to rank-4 tensors

const std::vector<int64_t> kToNchw = {0, 3, 1, 2};
const std::vector<int64_t> kToNhwc = {0, 2, 3, 1};
// NHWC axis -> its position in NCHW.
constexpr int64_t kNchwPosition[4] = {0, 2, 3, 1};

// A flatbuffers enum value for a message: its name, or "code N" for a value the schema does not
// name (flatc's EnumName* functions return "" then).
std::string enum_text(const char* name, int64_t value) {
  return name && *name ? std::string(name) : fmt::format("code {}", value);
}

const char* builtin_name(tfl::BuiltinOperator code) {
  const char* name = tfl::EnumNameBuiltinOperator(code);
  return name && *name ? name : nullptr;
}

// The op code's builtin: the larger of the byte-sized deprecated field and the int32 field
// (writers fill one or both).
int32_t builtin_code(const tfl::OperatorCode& code) {
  return std::max<int32_t>(code.deprecated_builtin_code(),
                           static_cast<int32_t>(code.builtin_code()));
}

std::string builtin_label(int32_t code) {
  if (code >= tfl::BuiltinOperator_MIN && code <= tfl::BuiltinOperator_MAX)
    if (const char* name = builtin_name(static_cast<tfl::BuiltinOperator>(code))) return name;
  return fmt::format("builtin {}", code);
}

const tfl::Model& verified_model(std::span<const uint8_t> bytes) {
  if (!is_tflite(bytes)) throw Error("not a TFLite model (no TFL3 file identifier)");
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  if (!tfl::VerifyModelBuffer(verifier))
    throw Error(
        "malformed TFLite flatbuffer (the flatbuffers verifier rejected it: truncated or "
        "corrupt file)");
  const tfl::Model* model = tfl::GetModel(bytes.data());
  if (model->version() != kSchemaVersion)
    throw UnsupportedError(
        fmt::format("TFLite schema version {} is not supported (kiln reads "
                    "version {})",
                    model->version(), kSchemaVersion));
  if (!model->subgraphs() || model->subgraphs()->size() == 0)
    throw Error("the TFLite model has no subgraph");
  return *model;
}

std::optional<DType> dtype_from_tflite(tfl::TensorType type) {
  switch (type) {
    case tfl::TensorType_FLOAT32: return DType::Float32;
    case tfl::TensorType_INT8: return DType::Int8;
    case tfl::TensorType_UINT8: return DType::UInt8;
    case tfl::TensorType_INT16: return DType::Int16;
    case tfl::TensorType_INT32: return DType::Int32;
    case tfl::TensorType_INT64: return DType::Int64;
    case tfl::TensorType_BOOL: return DType::Bool;
    default: return std::nullopt;
  }
}

bool is_quantized_type(DType t) {
  return t == DType::Int8 || t == DType::UInt8 || t == DType::Int16 || t == DType::Int32;
}

// Error context of one operator: "operator 3 (CONV_2D)".
struct OpContext {
  int index = -1;
  std::string builtin;
  const tfl::Operator* op = nullptr;
  std::string prefix;  // node name prefix, "op3_CONV_2D"

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(fmt::format("operator {} ({}): {}", index, builtin, what));
  }
  [[noreturn]] void unsupported(const std::string& what) const {
    throw UnsupportedError(fmt::format("operator {} ({}): {}", index, builtin, what));
  }
};

class Builder {
 public:
  Builder(const tfl::Model& model, const std::string& source, const LoadOptions& options)
      : model_(model), subgraph_(*model.subgraphs()->Get(0)), options_(options) {
    graph_.source = source;
    graph_.opset = 18;  // nodes are emitted in kiln's newest (opset 18) forms
    graph_.name = subgraph_.name() && subgraph_.name()->size() ? subgraph_.name()->str() : "main";
    tensor_count_ = subgraph_.tensors() ? static_cast<int>(subgraph_.tensors()->size()) : 0;
    values_.resize(static_cast<size_t>(tensor_count_));
  }

  Graph build() {
    add_inputs();
    check_supported_ops();
    if (subgraph_.operators())
      for (uint32_t i = 0; i < subgraph_.operators()->size(); ++i)
        convert_operator(static_cast<int>(i));
    add_outputs();
    graph_.topo_sort();
    graph_.remove_unused_tensors();
    infer_shapes(graph_);
    drop_folded_nodes(graph_);
    graph_.verify();
    return std::move(graph_);
  }

 private:
  // ---- TFLite tensors -------------------------------------------------------------------------

  const tfl::Tensor& tensor_at(int index, const OpContext* ctx) const {
    if (index < 0 || index >= tensor_count_) {
      std::string what = fmt::format(
          "tensor index {} is out of range (the subgraph has {} tensors)", index, tensor_count_);
      if (ctx) ctx->fail(what);
      throw Error(what);
    }
    const tfl::Tensor* t = subgraph_.tensors()->Get(static_cast<uint32_t>(index));
    if (!t) throw Error(fmt::format("tensor {} is missing", index));
    return *t;
  }

  std::string tensor_label(int index) const {
    const tfl::Tensor& t = tensor_at(index, nullptr);
    return t.name() && t.name()->size()
               ? fmt::format("tensor {} {}", index, quote_name(t.name()->str()))
               : fmt::format("tensor {}", index);
  }

  [[noreturn]] void fail_tensor(int index, const OpContext* ctx, const std::string& what) const {
    std::string text = fmt::format("{}: {}", tensor_label(index), what);
    if (ctx) ctx->fail(text);
    throw Error(text);
  }

  DType dtype_of(int index, const OpContext* ctx) const {
    const tfl::Tensor& t = tensor_at(index, ctx);
    auto dtype = dtype_from_tflite(t.type());
    if (!dtype) {
      std::string what = fmt::format("{}: tensor type {} is not supported", tensor_label(index),
                                     enum_text(tfl::EnumNameTensorType(t.type()), t.type()));
      if (ctx) ctx->unsupported(what);
      throw UnsupportedError(what);
    }
    return *dtype;
  }

  Shape shape_of(int index, const OpContext* ctx) const {
    reject_sparse(index, ctx);
    const tfl::Tensor& t = tensor_at(index, ctx);
    Shape shape;
    if (t.shape())
      for (int32_t d : *t.shape()) {
        if (d < 0) fail_tensor(index, ctx, fmt::format("negative dimension {}", d));
        shape.push_back(d);
      }
    if (shape.size() > 8) fail_tensor(index, ctx, "rank above 8");
    check_shape_size(shape, dtype_of(index, ctx), index, ctx);
    return shape;
  }

  void check_shape_size(const Shape& shape, DType dtype, int index, const OpContext* ctx) const {
    int64_t elements = 1;
    for (int64_t d : shape) {
      if (d != 0 && elements > kMaxShapeElements / d)
        fail_tensor(index, ctx, "has too many elements");
      elements *= d;
    }
    if (elements * static_cast<int64_t>(dtype_size(dtype)) > kMaxShapeBytes)
      fail_tensor(index, ctx, "is larger than 1 GiB");
  }

  size_t rank_of(int index, const OpContext* ctx) const { return shape_of(index, ctx).size(); }

  // Sparse tensors (sparsity parameters: a compressed filter) are not supported: their buffer
  // holds only the nonzero values, so reading it as dense would compute wrong results.
  void reject_sparse(int index, const OpContext* ctx) const {
    if (!tensor_at(index, ctx).sparsity()) return;
    const std::string what = fmt::format(
        "{}: sparse tensors (sparsity parameters) are not supported", tensor_label(index));
    if (ctx) ctx->unsupported(what);
    throw UnsupportedError(what);
  }

  // The tensor's constant data, or an empty span if it has none (runtime tensor).
  std::span<const uint8_t> buffer_of(int index, const OpContext* ctx) const {
    reject_sparse(index, ctx);
    const tfl::Tensor& t = tensor_at(index, ctx);
    const uint32_t b = t.buffer();
    if (b == 0) return {};  // buffer 0 is the empty sentinel
    if (!model_.buffers() || b >= model_.buffers()->size())
      fail_tensor(index, ctx, fmt::format("buffer index {} is out of range", b));
    const tfl::Buffer* buffer = model_.buffers()->Get(b);
    if (!buffer) return {};
    if (buffer->offset() > 1)
      fail_tensor(index, ctx,
                  "data stored outside the flatbuffer (models over 2 GiB) is not "
                  "supported");
    if (!buffer->data()) return {};
    return {buffer->data()->data(), buffer->data()->size()};
  }

  bool is_constant(int index, const OpContext* ctx) const { return !buffer_of(index, ctx).empty(); }

  std::optional<QuantParams> quant_of(int index, const OpContext* ctx) const {
    const tfl::Tensor& t = tensor_at(index, ctx);
    const tfl::QuantizationParameters* q = t.quantization();
    if (!q || !q->scale() || q->scale()->size() == 0) return std::nullopt;
    if (q->details_type() != tfl::QuantizationDetails_NONE)
      fail_tensor(index, ctx, "custom quantization is not supported");
    QuantParams p;
    for (float s : *q->scale()) {
      if (!(s > 0.0f) || !std::isfinite(s))
        fail_tensor(index, ctx, fmt::format("quantization scale {} is not positive and finite", s));
      p.scales.push_back(s);
    }
    const size_t n = p.scales.size();
    // The verifier checks a vector's length prefix (4-byte aligned) but not that 8-byte
    // elements are 8-byte aligned; reading a misaligned int64 would be undefined behaviour.
    if (q->zero_point() &&
        reinterpret_cast<uintptr_t>(q->zero_point()->data()) % alignof(int64_t) != 0)
      fail_tensor(index, ctx, "malformed TFLite flatbuffer: misaligned zero_point vector");
    if (q->zero_point() && q->zero_point()->size() > 0) {
      if (q->zero_point()->size() != n)
        fail_tensor(index, ctx,
                    fmt::format("{} zero points for {} scales", q->zero_point()->size(), n));
      for (int64_t z : *q->zero_point()) {
        if (z < std::numeric_limits<int32_t>::min() || z > std::numeric_limits<int32_t>::max())
          fail_tensor(index, ctx, fmt::format("zero point {} is out of range", z));
        p.zero_points.push_back(static_cast<int32_t>(z));
      }
    } else {
      p.zero_points.assign(n, 0);
    }
    if (n > 1) {
      const Shape shape = shape_of(index, ctx);
      const int axis = q->quantized_dimension();
      if (axis < 0 || static_cast<size_t>(axis) >= shape.size() ||
          shape[static_cast<size_t>(axis)] != static_cast<int64_t>(n))
        fail_tensor(index, ctx,
                    fmt::format("{} per-channel scales do not match dimension {}", n, axis));
      p.axis = axis;
    }
    return p;
  }

  bool quantized(int index, const OpContext* ctx) const {
    return quant_of(index, ctx).has_value() && is_quantized_type(dtype_of(index, ctx));
  }

  std::string tflite_name(int index) const {
    const tfl::Tensor& t = tensor_at(index, nullptr);
    return t.name() && t.name()->size() ? t.name()->str() : fmt::format("tensor_{}", index);
  }

  // ---- kiln tensors and nodes ------------------------------------------------------------------

  std::string new_tensor(const std::string& base, DType dtype) {
    Tensor t;
    t.name = graph_.unique_name(base);
    t.dtype = dtype;
    const std::string name = t.name;
    graph_.add_tensor(std::move(t));
    return name;
  }

  // Appends a node; returns its single output (a new tensor of `dtype` named after `base`).
  std::string emit(const OpContext& ctx, const std::string& op_type,
                   std::vector<std::string> inputs, Attributes attrs = {},
                   DType dtype = DType::Float32, const std::string& base = "") {
    Node node;
    node.name = unique_node_name(graph_, ctx.prefix + "/" + op_type);
    node.op_type = op_type;
    node.inputs = std::move(inputs);
    node.attrs = std::move(attrs);
    node.outputs.push_back(new_tensor(base.empty() ? node.name + "_out" : base, dtype));
    const std::string out = node.outputs[0];
    graph_.nodes.push_back(std::move(node));
    return out;
  }

  std::string ints_constant(const std::string& base, const std::vector<int64_t>& values) {
    return add_int64_constant(graph_, base, {static_cast<int64_t>(values.size())}, values);
  }

  std::string float_scalar(const std::string& base, float value) {
    return add_float_constant(graph_, base, {}, {value});
  }

  // Constant scale / zero point tensors of a Q or DQ node.
  std::pair<std::string, std::string> qdq_constants(const OpContext& ctx, const QuantParams& q,
                                                    DType int_type) {
    const Shape shape =
        q.scales.size() > 1 ? Shape{static_cast<int64_t>(q.scales.size())} : Shape{};
    const std::string scale = add_float_constant(graph_, ctx.prefix + "_scale", shape, q.scales);
    Tensor zp;
    zp.name = graph_.unique_name(ctx.prefix + "_zero_point");
    zp.dtype = int_type;
    zp.shape = shape;
    zp.shape_known = true;
    zp.constant = true;
    const size_t size = dtype_size(int_type);
    zp.data.resize(q.zero_points.size() * size);
    for (size_t i = 0; i < q.zero_points.size(); ++i) {
      const int64_t v = q.zero_points[i];
      const int64_t lo = int_type == DType::Int8    ? -128
                         : int_type == DType::UInt8 ? 0
                         : int_type == DType::Int16 ? -32768
                                                    : std::numeric_limits<int32_t>::min();
      const int64_t hi = int_type == DType::Int8    ? 127
                         : int_type == DType::UInt8 ? 255
                         : int_type == DType::Int16 ? 32767
                                                    : std::numeric_limits<int32_t>::max();
      if (v < lo || v > hi)
        ctx.fail(fmt::format("zero point {} is out of range of {}", v, dtype_name(int_type)));
      const auto v32 = static_cast<int32_t>(v);
      const auto v16 = static_cast<int16_t>(v);
      const auto v8 = static_cast<int8_t>(v);
      const void* src = size == 4   ? static_cast<const void*>(&v32)
                        : size == 2 ? static_cast<const void*>(&v16)
                                    : static_cast<const void*>(&v8);
      std::memcpy(zp.data.data() + i * size, src, size);
    }
    const std::string zp_name = zp.name;
    graph_.add_tensor(std::move(zp));
    return {scale, zp_name};
  }

  // The kiln tensor holding TFLite tensor `index` in `want` layout (in its TFLite dtype).
  std::string value(int index, Layout want, const OpContext& ctx) {
    auto& held = values_[static_cast<size_t>(index)];
    if (held.empty() && is_constant(index, &ctx)) define_constant(index, ctx);
    if (held.empty())
      ctx.fail(fmt::format("{} is read before any operator writes it", tensor_label(index)));
    if (rank_of(index, &ctx) != 4) want = Layout::Tflite;
    if (auto it = held.find(want); it != held.end()) return it->second;
    const std::string& from = held.begin()->second;
    Attributes attrs{{"perm", want == Layout::Nchw ? kToNchw : kToNhwc}};
    const std::string out = emit(ctx, "Transpose", {from}, std::move(attrs), dtype_of(index, &ctx),
                                 tflite_name(index) + (want == Layout::Nchw ? "_nchw" : "_nhwc"));
    held[want] = out;
    return out;
  }

  void define_constant(int index, const OpContext& ctx) {
    const DType dtype = dtype_of(index, &ctx);
    const Shape shape = shape_of(index, &ctx);
    std::span<const uint8_t> data = buffer_of(index, &ctx);
    const int64_t bytes = shape_elements(shape) * static_cast<int64_t>(dtype_size(dtype));
    if (static_cast<int64_t>(data.size()) != bytes)
      fail_tensor(index, &ctx,
                  fmt::format("buffer holds {} bytes, its {} shape {} needs {}", data.size(),
                              dtype_name(dtype), shape_to_string(shape), bytes));
    Tensor t;
    t.name = graph_.unique_name(tflite_name(index));
    t.dtype = dtype;
    t.shape = shape;
    t.shape_known = true;
    t.constant = true;
    t.data.assign(data.begin(), data.end());
    const std::string name = t.name;
    graph_.add_tensor(std::move(t));
    values_[static_cast<size_t>(index)][Layout::Tflite] = name;
  }

  // Dequantizes `name` (holding TFLite tensor `index`'s values, its dims permuted by `perm`
  // relative to TFLite's order when non-empty) if the tensor is quantized; returns a float tensor.
  std::string dequantize(const std::string& name, int index, const std::vector<int64_t>& perm,
                         const OpContext& ctx) {
    const DType dtype = dtype_of(index, &ctx);
    if (dtype == DType::Float32) return name;
    std::optional<QuantParams> q = quant_of(index, &ctx);
    if (!q || !is_quantized_type(dtype))
      ctx.unsupported(
          fmt::format("{} is {} without quantization parameters; kiln reads float32 "
                      "and quantized tensors here",
                      tensor_label(index), dtype_name(dtype)));
    Attributes attrs;
    if (q->per_channel()) {
      int64_t axis = q->axis;
      if (!perm.empty()) axis = std::find(perm.begin(), perm.end(), axis) - perm.begin();
      attrs["axis"] = axis;
    }
    auto [scale, zp] = qdq_constants(ctx, *q, dtype);
    return emit(ctx, "DequantizeLinear", {name, scale, zp}, std::move(attrs), DType::Float32,
                name + "_dequant");
  }

  // Float view of input `index` in layout `want` (tensors whose rank is not 4 are always in
  // TFLite's layout), dequantized when the TFLite tensor is quantized.
  std::string float_input(int index, Layout want, const OpContext& ctx) {
    const std::string v = value(index, want, ctx);
    const bool nchw = want == Layout::Nchw && rank_of(index, &ctx) == 4;
    return dequantize(v, index, nchw ? kToNchw : std::vector<int64_t>{}, ctx);
  }

  // A constant weight permuted by `perm` (folded at load time), then dequantized.
  std::string weight_input(int index, const std::vector<int64_t>& perm, const OpContext& ctx) {
    if (!is_constant(index, &ctx))
      ctx.unsupported(
          fmt::format("{}: weights computed at run time are not supported", tensor_label(index)));
    std::string v = value(index, Layout::Tflite, ctx);
    if (!perm.empty())
      v = emit(ctx, "Transpose", {v}, Attributes{{"perm", perm}}, dtype_of(index, &ctx),
               v + "_kiln_layout");
    return dequantize(v, index, perm, ctx);
  }

  // The layout an op that works in either layout should use for input `index`: the one its
  // value already has (NCHW preferred), so no Transpose is needed.
  Layout current_layout(int index, const OpContext& ctx) {
    if (rank_of(index, &ctx) != 4) return Layout::Tflite;
    const auto& held = values_[static_cast<size_t>(index)];
    if (held.count(Layout::Nchw) || (held.empty() && !is_constant(index, &ctx)))
      return Layout::Nchw;
    return held.empty() ? Layout::Nchw : held.begin()->first;
  }

  // TFLite's fused activation applied to float `x`.
  std::string fused_activation(const OpContext& ctx, const std::string& x,
                               tfl::ActivationFunctionType act) {
    switch (act) {
      case tfl::ActivationFunctionType_NONE: return x;
      case tfl::ActivationFunctionType_RELU: return emit(ctx, "Relu", {x});
      case tfl::ActivationFunctionType_RELU6:
        return emit(
            ctx, "Clip",
            {x, float_scalar(ctx.prefix + "_min", 0.0f), float_scalar(ctx.prefix + "_max", 6.0f)});
      case tfl::ActivationFunctionType_RELU_N1_TO_1:
        return emit(
            ctx, "Clip",
            {x, float_scalar(ctx.prefix + "_min", -1.0f), float_scalar(ctx.prefix + "_max", 1.0f)});
      case tfl::ActivationFunctionType_TANH: return emit(ctx, "Tanh", {x});
      default:
        ctx.unsupported(fmt::format("fused activation {} is not supported",
                                    enum_text(tfl::EnumNameActivationFunctionType(act), act)));
    }
  }

  // Records float `x` (in `layout`) as the value of output `index`, quantizing it when the
  // TFLite output is quantized. With `reshape`, the value is then reshaped to the TFLite shape
  // (ops whose natural kiln output differs only by size-1 or flattened dims).
  void set_output(const OpContext& ctx, int index, const std::string& x, Layout layout,
                  bool reshape = false) {
    auto& held = values_[static_cast<size_t>(index)];
    if (!held.empty() || is_constant(index, &ctx))
      ctx.fail(fmt::format("{} is written twice (or is a constant or graph input)",
                           tensor_label(index)));
    const DType dtype = dtype_of(index, &ctx);
    const Shape shape = shape_of(index, &ctx);
    std::string out = x;
    if (dtype != DType::Float32) {
      std::optional<QuantParams> q = quant_of(index, &ctx);
      if (!q || !is_quantized_type(dtype))
        ctx.unsupported(fmt::format("output {} is {} without quantization parameters",
                                    tensor_label(index), dtype_name(dtype)));
      if (q->per_channel())
        ctx.unsupported(fmt::format("output {} is quantized per channel", tensor_label(index)));
      auto [scale, zp] = qdq_constants(ctx, *q, dtype);
      // TFLite's arithmetic: the integer op lower_qdq makes of this requantizes like TFLite
      // Micro (fixed-point multiplier and shift), not like ONNX Runtime.
      out = emit(ctx, "QuantizeLinear", {x, scale, zp}, {{kRequantAttr, std::string("fixed")}},
                 dtype, reshape ? tflite_name(index) + "_q" : tflite_name(index));
    }
    if (reshape) {
      out = emit(ctx, "Reshape", {out, ints_constant(ctx.prefix + "_shape", shape)}, {}, dtype,
                 tflite_name(index));
      layout = Layout::Tflite;
    }
    if (shape.size() != 4) layout = Layout::Tflite;
    held[layout] = out;
  }

  // ---- model structure -------------------------------------------------------------------------

  void add_inputs() {
    if (!subgraph_.inputs()) return;
    for (int32_t index : *subgraph_.inputs()) {
      tensor_at(index, nullptr);
      if (!input_indices_.insert(index).second)
        throw Error(fmt::format("{} is listed twice as a subgraph input", tensor_label(index)));
      if (!buffer_of(index, nullptr).empty()) continue;  // a constant listed as input
      Tensor t;
      t.name = graph_.unique_name(tflite_name(index));
      t.dtype = dtype_of(index, nullptr);
      t.shape = shape_of(index, nullptr);
      // Every TFLite tensor has a static shape and the converters rely on them (RESHAPE's
      // target, FULLY_CONNECTED's rows): a --shape can only restate the input's own shape.
      if (auto it = options_.input_shapes.find(t.name); it != options_.input_shapes.end())
        if (it->second != t.shape)
          throw UnsupportedError(
              fmt::format("--shape {}: TFLite models have static shapes; this input is {}, not {}",
                          t.name, shape_to_string(t.shape), shape_to_string(it->second)));
      t.shape_known = true;
      if (quantized(index, nullptr)) {
        QuantParams q = *quant_of(index, nullptr);
        if (q.per_channel())
          throw UnsupportedError(
              fmt::format("graph input {} is quantized per channel", tensor_label(index)));
        t.quant = q;
      }
      graph_.inputs.push_back(t.name);
      values_[static_cast<size_t>(index)][Layout::Tflite] = t.name;
      graph_.add_tensor(std::move(t));
    }
    for (const auto& [name, shape] : options_.input_shapes)
      if (!graph_.is_graph_input(name))
        throw Error(fmt::format("--shape {}: the model has no runtime input of that name", name));
  }

  void add_outputs() {
    if (!subgraph_.outputs() || subgraph_.outputs()->size() == 0)
      throw Error("the subgraph has no outputs");
    OpContext ctx{-1, "graph output", nullptr, "output"};
    for (int32_t index : *subgraph_.outputs()) {
      tensor_at(index, nullptr);
      const std::string wanted = tflite_name(index);
      std::string name = value(index, Layout::Tflite, ctx);
      if (name != wanted && !graph_.find_tensor(wanted) && graph_.producer(name) >= 0 &&
          !graph_.is_graph_output(name)) {
        // Keep TFLite's output name: the producer writes it directly.
        Tensor t = graph_.tensor(name);
        t.name = wanted;
        graph_.add_tensor(std::move(t));
        rename_produced_tensor(graph_, name, wanted);
        values_[static_cast<size_t>(index)][Layout::Tflite] = wanted;
        name = wanted;
      }
      if (!graph_.is_graph_output(name)) graph_.outputs.push_back(name);
    }
  }

  const tfl::OperatorCode& op_code(const tfl::Operator& op, int index) const {
    const auto* codes = model_.operator_codes();
    if (!codes || op.opcode_index() >= codes->size() || !codes->Get(op.opcode_index()))
      throw Error(
          fmt::format("operator {}: opcode index {} is out of range", index, op.opcode_index()));
    return *codes->Get(op.opcode_index());
  }

  std::string op_label(const tfl::Operator& op, int index) const {
    const tfl::OperatorCode& code = op_code(op, index);
    const int32_t b = builtin_code(code);
    if (b == tfl::BuiltinOperator_CUSTOM)
      return "CUSTOM " + quote_name(code.custom_code() ? code.custom_code()->str() : "");
    return builtin_label(b);
  }

  static bool supported_builtin(int32_t code) {
    static const std::set<int32_t> kSupported = {tfl::BuiltinOperator_CONV_2D,
                                                 tfl::BuiltinOperator_DEPTHWISE_CONV_2D,
                                                 tfl::BuiltinOperator_FULLY_CONNECTED,
                                                 tfl::BuiltinOperator_ADD,
                                                 tfl::BuiltinOperator_SUB,
                                                 tfl::BuiltinOperator_MUL,
                                                 tfl::BuiltinOperator_AVERAGE_POOL_2D,
                                                 tfl::BuiltinOperator_MAX_POOL_2D,
                                                 tfl::BuiltinOperator_MEAN,
                                                 tfl::BuiltinOperator_RESHAPE,
                                                 tfl::BuiltinOperator_SOFTMAX,
                                                 tfl::BuiltinOperator_LOGISTIC,
                                                 tfl::BuiltinOperator_TANH,
                                                 tfl::BuiltinOperator_RELU,
                                                 tfl::BuiltinOperator_RELU6,
                                                 tfl::BuiltinOperator_HARD_SWISH,
                                                 tfl::BuiltinOperator_CONCATENATION,
                                                 tfl::BuiltinOperator_PAD,
                                                 tfl::BuiltinOperator_QUANTIZE,
                                                 tfl::BuiltinOperator_DEQUANTIZE,
                                                 tfl::BuiltinOperator_TRANSPOSE,
                                                 tfl::BuiltinOperator_STRIDED_SLICE};
    return kSupported.count(code) != 0;
  }

  // Names every unsupported op of the model in the first error, so one run shows the whole gap.
  void check_supported_ops() const {
    if (!subgraph_.operators()) return;
    std::vector<std::string> missing;
    int first = -1;
    for (uint32_t i = 0; i < subgraph_.operators()->size(); ++i) {
      const tfl::Operator* op = subgraph_.operators()->Get(i);
      if (!op) throw Error(fmt::format("operator {} is missing", i));
      const int32_t code = builtin_code(op_code(*op, static_cast<int>(i)));
      if (supported_builtin(code)) continue;
      const std::string label = op_label(*op, static_cast<int>(i));
      if (first < 0) first = static_cast<int>(i);
      if (std::find(missing.begin(), missing.end(), label) == missing.end())
        missing.push_back(label);
    }
    if (first < 0) return;
    std::string also;
    if (missing.size() > 1)
      also = fmt::format(" (the model also uses unsupported {})",
                         fmt::join(missing.begin() + 1, missing.end(), ", "));
    throw UnsupportedError(
        fmt::format("operator {} ({}): unsupported TFLite op{}", first, missing.front(), also));
  }

  // ---- operators -------------------------------------------------------------------------------

  // Operator input k (-1 when absent or the optional marker -1).
  static int input_index(const tfl::Operator& op, size_t k) {
    if (!op.inputs() || k >= op.inputs()->size()) return -1;
    return op.inputs()->Get(static_cast<uint32_t>(k));
  }

  void require_io(const OpContext& ctx, size_t min_inputs, size_t max_inputs) const {
    const size_t n = ctx.op->inputs() ? ctx.op->inputs()->size() : 0;
    if (n < min_inputs || n > max_inputs)
      ctx.fail(min_inputs == max_inputs
                   ? fmt::format("expects {} inputs, has {}", min_inputs, n)
                   : fmt::format("expects {} to {} inputs, has {}", min_inputs, max_inputs, n));
    for (size_t k = 0; k < n; ++k) {
      const int idx = ctx.op->inputs()->Get(static_cast<uint32_t>(k));
      if (idx == -1 && k < min_inputs) ctx.fail(fmt::format("input {} is missing", k));
      if (idx != -1) tensor_at(idx, &ctx);
    }
    if (!ctx.op->outputs() || ctx.op->outputs()->size() != 1)
      ctx.fail(fmt::format("expects 1 output, has {}",
                           ctx.op->outputs() ? ctx.op->outputs()->size() : 0));
    tensor_at(ctx.op->outputs()->Get(0), &ctx);
  }

  template <typename Options>
  const Options& options(const OpContext& ctx, const Options* opts) const {
    if (!opts) ctx.fail("its builtin options are missing");
    return *opts;
  }

  // Integer values of a constant int32/int64 tensor (shapes, axes, paddings, permutations).
  std::vector<int64_t> constant_ints(int index, const OpContext& ctx, const char* role) const {
    if (index < 0) ctx.fail(fmt::format("{} input is missing", role));
    const DType dtype = dtype_of(index, &ctx);
    std::span<const uint8_t> data = buffer_of(index, &ctx);
    if (data.empty())
      ctx.unsupported(fmt::format("{} ({}) must be a constant", role, tensor_label(index)));
    const Shape shape = shape_of(index, &ctx);
    const int64_t n = shape_elements(shape);
    if (dtype != DType::Int32 && dtype != DType::Int64)
      ctx.fail(fmt::format("{} ({}) must be int32 or int64", role, tensor_label(index)));
    const size_t size = dtype_size(dtype);
    if (static_cast<int64_t>(data.size()) != n * static_cast<int64_t>(size))
      fail_tensor(index, &ctx, "buffer size does not match its shape");
    std::vector<int64_t> values(static_cast<size_t>(n));
    for (size_t i = 0; i < values.size(); ++i) {
      if (size == 4) {
        int32_t v;
        std::memcpy(&v, data.data() + i * 4, 4);
        values[i] = v;
      } else {
        std::memcpy(&values[i], data.data() + i * 8, 8);
      }
    }
    return values;
  }

  // TFLite SAME/VALID padding of one spatial dim as (before, after).
  static std::pair<int64_t, int64_t> window_padding(const OpContext& ctx, tfl::Padding padding,
                                                    int64_t in, int64_t kernel, int64_t stride,
                                                    int64_t dilation) {
    if (stride < 1 || dilation < 1 || kernel < 1)
      ctx.fail(fmt::format("stride {}, dilation {} and window {} must be positive", stride,
                           dilation, kernel));
    if (padding == tfl::Padding_VALID) return {0, 0};
    if (padding != tfl::Padding_SAME) ctx.fail("unknown padding");
    const int64_t out = (in + stride - 1) / stride;
    const int64_t effective = (kernel - 1) * dilation + 1;
    const int64_t total = std::max<int64_t>((out - 1) * stride + effective - in, 0);
    return {total / 2, total - total / 2};
  }

  void convert_operator(int i) {
    const tfl::Operator& op = *subgraph_.operators()->Get(static_cast<uint32_t>(i));
    OpContext ctx;
    ctx.index = i;
    ctx.op = &op;
    ctx.builtin = op_label(op, i);
    ctx.prefix = operator_node_prefix(i, ctx.builtin);
    if (op.mutating_variable_inputs() && op.mutating_variable_inputs()->size() > 0)
      for (bool m : *op.mutating_variable_inputs())
        if (m) ctx.unsupported("variable (stateful) inputs are not supported");
    switch (builtin_code(op_code(op, i))) {
      case tfl::BuiltinOperator_CONV_2D: return conv(ctx, false);
      case tfl::BuiltinOperator_DEPTHWISE_CONV_2D: return conv(ctx, true);
      case tfl::BuiltinOperator_FULLY_CONNECTED: return fully_connected(ctx);
      case tfl::BuiltinOperator_ADD:
        return binary(ctx, "Add",
                      op.builtin_options_as_AddOptions()
                          ? op.builtin_options_as_AddOptions()->fused_activation_function()
                          : tfl::ActivationFunctionType_NONE);
      case tfl::BuiltinOperator_SUB:
        return binary(ctx, "Sub",
                      op.builtin_options_as_SubOptions()
                          ? op.builtin_options_as_SubOptions()->fused_activation_function()
                          : tfl::ActivationFunctionType_NONE);
      case tfl::BuiltinOperator_MUL:
        return binary(ctx, "Mul",
                      op.builtin_options_as_MulOptions()
                          ? op.builtin_options_as_MulOptions()->fused_activation_function()
                          : tfl::ActivationFunctionType_NONE);
      case tfl::BuiltinOperator_AVERAGE_POOL_2D: return pool(ctx, "AveragePool");
      case tfl::BuiltinOperator_MAX_POOL_2D: return pool(ctx, "MaxPool");
      case tfl::BuiltinOperator_MEAN: return mean(ctx);
      case tfl::BuiltinOperator_RESHAPE: return reshape(ctx);
      case tfl::BuiltinOperator_SOFTMAX: return softmax(ctx);
      case tfl::BuiltinOperator_LOGISTIC: return unary(ctx, "Sigmoid");
      case tfl::BuiltinOperator_TANH: return unary(ctx, "Tanh");
      case tfl::BuiltinOperator_RELU: return unary(ctx, "Relu");
      case tfl::BuiltinOperator_RELU6: return unary(ctx, "Relu6");
      case tfl::BuiltinOperator_HARD_SWISH: return unary(ctx, "HardSwish");
      case tfl::BuiltinOperator_CONCATENATION: return concatenation(ctx);
      case tfl::BuiltinOperator_PAD: return pad(ctx);
      case tfl::BuiltinOperator_QUANTIZE:
      case tfl::BuiltinOperator_DEQUANTIZE: return convert_type(ctx);
      case tfl::BuiltinOperator_TRANSPOSE: return transpose(ctx);
      case tfl::BuiltinOperator_STRIDED_SLICE: return strided_slice(ctx);
      default: ctx.unsupported("unsupported TFLite op");
    }
  }

  int output_index(const OpContext& ctx) const { return ctx.op->outputs()->Get(0); }

  void conv(const OpContext& ctx, bool depthwise) {
    require_io(ctx, 2, 3);
    const int x = input_index(*ctx.op, 0), w = input_index(*ctx.op, 1), b = input_index(*ctx.op, 2),
              y = output_index(ctx);
    const Shape xs = shape_of(x, &ctx), ws = shape_of(w, &ctx);
    if (xs.size() != 4 || ws.size() != 4)
      ctx.fail(fmt::format("input {} and filter {} must have rank 4", shape_to_string(xs),
                           shape_to_string(ws)));
    tfl::Padding padding;
    int64_t sh, sw, dh, dw;
    tfl::ActivationFunctionType act;
    if (depthwise) {
      const auto& o = options(ctx, ctx.op->builtin_options_as_DepthwiseConv2DOptions());
      padding = o.padding();
      sh = o.stride_h(), sw = o.stride_w(), dh = o.dilation_h_factor(), dw = o.dilation_w_factor();
      act = o.fused_activation_function();
    } else {
      const auto& o = options(ctx, ctx.op->builtin_options_as_Conv2DOptions());
      padding = o.padding();
      sh = o.stride_h(), sw = o.stride_w(), dh = o.dilation_h_factor(), dw = o.dilation_w_factor();
      act = o.fused_activation_function();
    }
    // Filter layouts: CONV_2D [O, KH, KW, I] -> OIHW; DEPTHWISE_CONV_2D [1, KH, KW, C*M] ->
    // [C*M, 1, KH, KW] with one group per input channel.
    const int64_t kh = ws[1], kw = ws[2];
    int64_t group = 1;
    if (depthwise) {
      if (ws[0] != 1)
        ctx.fail(fmt::format("depthwise filter {} must start with 1", shape_to_string(ws)));
      if (xs[3] == 0 || ws[3] % xs[3] != 0)
        ctx.fail(
            fmt::format("filter channels {} are not a multiple of the input's {}", ws[3], xs[3]));
      group = xs[3];
    } else {
      if (ws[3] == 0 || xs[3] % ws[3] != 0)
        ctx.fail(
            fmt::format("input channels {} are not a multiple of the filter's {}", xs[3], ws[3]));
      group = xs[3] / ws[3];
    }
    const auto [pt, pb] = window_padding(ctx, padding, xs[1], kh, sh, dh);
    const auto [pl, pr] = window_padding(ctx, padding, xs[2], kw, sw, dw);
    std::vector<std::string> inputs = {
        float_input(x, Layout::Nchw, ctx),
        weight_input(w, depthwise ? std::vector<int64_t>{3, 0, 1, 2} : kToNchw, ctx)};
    if (b >= 0) inputs.push_back(float_input(b, Layout::Tflite, ctx));
    Attributes attrs{{"kernel_shape", std::vector<int64_t>{kh, kw}},
                     {"strides", std::vector<int64_t>{sh, sw}},
                     {"dilations", std::vector<int64_t>{dh, dw}},
                     {"pads", std::vector<int64_t>{pt, pl, pb, pr}},
                     {"group", group}};
    const std::string conv_out = emit(ctx, "Conv", std::move(inputs), std::move(attrs));
    set_output(ctx, y, fused_activation(ctx, conv_out, act), Layout::Nchw);
  }

  void fully_connected(const OpContext& ctx) {
    require_io(ctx, 2, 3);
    const auto& o = options(ctx, ctx.op->builtin_options_as_FullyConnectedOptions());
    if (o.weights_format() != tfl::FullyConnectedOptionsWeightsFormat_DEFAULT)
      ctx.unsupported("shuffled weights are not supported");
    const int x = input_index(*ctx.op, 0), w = input_index(*ctx.op, 1), b = input_index(*ctx.op, 2),
              y = output_index(ctx);
    const Shape xs = shape_of(x, &ctx), ws = shape_of(w, &ctx);
    if (ws.size() != 2 || ws[1] == 0)
      ctx.fail(fmt::format("weights {} must be [units, input size]", shape_to_string(ws)));
    const int64_t elements = shape_elements(xs);
    if (elements % ws[1] != 0)
      ctx.fail(
          fmt::format("input {} does not flatten into rows of {}", shape_to_string(xs), ws[1]));
    // TFLite flattens the input in its own (NHWC) order into [batch, input size].
    std::string in = value(x, Layout::Tflite, ctx);
    const Shape rows = {elements / ws[1], ws[1]};
    if (xs != rows)
      in = emit(ctx, "Reshape", {in, ints_constant(ctx.prefix + "_rows", rows)}, {},
                dtype_of(x, &ctx), in + "_rows");
    std::vector<std::string> inputs = {dequantize(in, x, {}, ctx), weight_input(w, {}, ctx)};
    if (b >= 0) inputs.push_back(float_input(b, Layout::Tflite, ctx));
    const std::string gemm =
        emit(ctx, "Gemm", std::move(inputs), Attributes{{"transB", int64_t{1}}});
    const Shape ys = shape_of(y, &ctx);
    set_output(ctx, y, fused_activation(ctx, gemm, o.fused_activation_function()), Layout::Tflite,
               ys != Shape{rows[0], ws[0]});
  }

  // An operand of an element-wise op producing a rank-`rank` output in `layout`: lower-rank
  // operands broadcast against TFLite's trailing dims, so in NCHW they are first given the full
  // rank (leading 1s) and permuted like the output.
  std::string broadcast_operand(int index, size_t rank, Layout layout, const OpContext& ctx) {
    const Shape shape = shape_of(index, &ctx);
    if (shape.size() == rank || layout == Layout::Tflite) return float_input(index, layout, ctx);
    if (rank != 4 || shape.size() > 4) ctx.fail("operand ranks are not broadcastable");
    Shape full(4 - shape.size(), 1);
    full.insert(full.end(), shape.begin(), shape.end());
    std::string v = value(index, Layout::Tflite, ctx);
    v = emit(ctx, "Reshape", {v, ints_constant(ctx.prefix + "_rank4", full)}, {},
             dtype_of(index, &ctx), v + "_rank4");
    v = emit(ctx, "Transpose", {v}, Attributes{{"perm", kToNchw}}, dtype_of(index, &ctx),
             v + "_nchw");
    if (quant_of(index, &ctx) && quant_of(index, &ctx)->per_channel())
      ctx.unsupported("per-channel quantized broadcast operands are not supported");
    return dequantize(v, index, {}, ctx);
  }

  void binary(const OpContext& ctx, const char* op_type, tfl::ActivationFunctionType act) {
    require_io(ctx, 2, 2);
    const int a = input_index(*ctx.op, 0), b = input_index(*ctx.op, 1), y = output_index(ctx);
    const size_t rank = std::max(rank_of(a, &ctx), rank_of(b, &ctx));
    if (rank_of(y, &ctx) != rank) ctx.fail("output rank differs from the inputs'");
    Layout layout = Layout::Tflite;
    if (rank == 4) {
      const int lead = rank_of(a, &ctx) == 4 && !is_constant(a, &ctx) ? a : b;
      layout = rank_of(lead, &ctx) == 4 ? current_layout(lead, ctx) : Layout::Tflite;
    }
    const std::string lhs = broadcast_operand(a, rank, layout, ctx);
    const std::string rhs = broadcast_operand(b, rank, layout, ctx);
    const std::string out = emit(ctx, op_type, {lhs, rhs});
    set_output(ctx, y, fused_activation(ctx, out, act), layout);
  }

  void unary(const OpContext& ctx, const std::string& kind) {
    require_io(ctx, 1, 1);
    const int x = input_index(*ctx.op, 0), y = output_index(ctx);
    const Layout layout = current_layout(x, ctx);
    const std::string in = float_input(x, layout, ctx);
    std::string out;
    // Quantized, these run TFLite's integer forms (tables from quant/tflite_lut).
    Attributes attrs{{kArithmeticAttr, std::string("tflite")}};
    if (kind == "Relu6")
      out = emit(
          ctx, "Clip",
          {in, float_scalar(ctx.prefix + "_min", 0.0f), float_scalar(ctx.prefix + "_max", 6.0f)},
          std::move(attrs));
    else
      out = emit(ctx, kind, {in}, std::move(attrs));
    set_output(ctx, y, out, layout);
  }

  void pool(const OpContext& ctx, const char* op_type) {
    require_io(ctx, 1, 1);
    const auto& o = options(ctx, ctx.op->builtin_options_as_Pool2DOptions());
    const int x = input_index(*ctx.op, 0), y = output_index(ctx);
    const Shape xs = shape_of(x, &ctx);
    if (xs.size() != 4) ctx.fail(fmt::format("input {} must have rank 4", shape_to_string(xs)));
    const int64_t kh = o.filter_height(), kw = o.filter_width();
    const auto [pt, pb] = window_padding(ctx, o.padding(), xs[1], kh, o.stride_h(), 1);
    const auto [pl, pr] = window_padding(ctx, o.padding(), xs[2], kw, o.stride_w(), 1);
    // TFLite averages over the window cells inside the input (padding not counted), which is
    // ONNX's count_include_pad = 0.
    Attributes attrs{{"kernel_shape", std::vector<int64_t>{kh, kw}},
                     {"strides", std::vector<int64_t>{o.stride_h(), o.stride_w()}},
                     {"pads", std::vector<int64_t>{pt, pl, pb, pr}}};
    const std::string out =
        emit(ctx, op_type, {float_input(x, Layout::Nchw, ctx)}, std::move(attrs));
    set_output(ctx, y, fused_activation(ctx, out, o.fused_activation_function()), Layout::Nchw);
  }

  // Normalized axes of a rank-`rank` tensor, each once.
  std::vector<int64_t> normalized_axes(const OpContext& ctx, std::vector<int64_t> axes,
                                       size_t rank) const {
    const auto r = static_cast<int64_t>(rank);
    for (int64_t& a : axes) {
      if (a < -r || a >= r) ctx.fail(fmt::format("axis {} is out of range for rank {}", a, r));
      if (a < 0) a += r;
    }
    std::sort(axes.begin(), axes.end());
    axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
    return axes;
  }

  void mean(const OpContext& ctx) {
    require_io(ctx, 2, 2);
    const int x = input_index(*ctx.op, 0), y = output_index(ctx);
    const bool keep = ctx.op->builtin_options_as_ReducerOptions() &&
                      ctx.op->builtin_options_as_ReducerOptions()->keep_dims();
    const size_t rank = rank_of(x, &ctx);
    const std::vector<int64_t> axes =
        normalized_axes(ctx, constant_ints(input_index(*ctx.op, 1), ctx, "axes"), rank);
    const bool height_and_width = rank == 4 && axes == std::vector<int64_t>{1, 2};
    if (height_and_width && keep) {
      // The mean over height and width with keep_dims: TFLite Micro's special case, its own
      // integer kernel (requantize the sum, then divide: kiln_mean_tflm_s8).
      const std::string out = emit(ctx, "GlobalAveragePool", {float_input(x, Layout::Nchw, ctx)},
                                   Attributes{{kArithmeticAttr, std::string("tflite")}});
      set_output(ctx, y, out, Layout::Nchw);
      return;
    }
    // Every other MEAN: TFLite Micro's generic integer mean (ReduceMean with kiln_arithmetic
    // "tflite", see ops/reduce.cpp). Over height and width the [N, C] result is the same in both
    // layouts, so the input stays NCHW.
    Layout layout = height_and_width ? Layout::Nchw : current_layout(x, ctx);
    std::vector<int64_t> kiln_axes = axes;
    if (layout == Layout::Nchw && !keep && !height_and_width)
      layout = Layout::Tflite;  // dims keep TFLite's order
    if (layout == Layout::Nchw)
      for (int64_t& a : kiln_axes) a = kNchwPosition[a];
    std::sort(kiln_axes.begin(), kiln_axes.end());
    const std::string out = emit(
        ctx, "ReduceMean",
        {float_input(x, layout, ctx), ints_constant(ctx.prefix + "_axes", kiln_axes)},
        Attributes{{"keepdims", int64_t{keep ? 1 : 0}}, {kArithmeticAttr, std::string("tflite")}});
    set_output(ctx, y, out, keep ? layout : Layout::Tflite);
  }

  void reshape(const OpContext& ctx) {
    require_io(ctx, 1, 2);
    const int x = input_index(*ctx.op, 0), y = output_index(ctx);
    // The output tensor's static shape is the new shape (the optional shape input and
    // ReshapeOptions::new_shape only repeat it, possibly with a -1).
    const Shape ys = shape_of(y, &ctx);
    if (shape_elements(ys) != shape_elements(shape_of(x, &ctx)))
      ctx.fail(fmt::format("cannot reshape {} into {}", shape_to_string(shape_of(x, &ctx)),
                           shape_to_string(ys)));
    const std::string out =
        emit(ctx, "Reshape",
             {float_input(x, Layout::Tflite, ctx), ints_constant(ctx.prefix + "_shape", ys)});
    set_output(ctx, y, out, Layout::Tflite);
  }

  void softmax(const OpContext& ctx) {
    require_io(ctx, 1, 1);
    const auto& o = options(ctx, ctx.op->builtin_options_as_SoftmaxOptions());
    const int x = input_index(*ctx.op, 0), y = output_index(ctx);
    const Layout layout = current_layout(x, ctx);
    const std::string in = float_input(x, layout, ctx);
    if (!(o.beta() > 0.0f) || !std::isfinite(o.beta()))
      ctx.unsupported(fmt::format("beta {} (kiln needs a finite beta > 0)", o.beta()));
    // TFLite normalizes over the last axis, which is C (axis 1) in NCHW.
    const int64_t axis = layout == Layout::Nchw ? 1 : -1;
    // Quantized, it runs TFLite's own fixed-point softmax (kiln_softmax_tflm_s8), beta folded
    // into the input scale.
    Attributes attrs{{"axis", axis}, {kArithmeticAttr, std::string("tflite")}};
    if (o.beta() != 1.0f) attrs[kSoftmaxBetaAttr] = o.beta();
    set_output(ctx, y, emit(ctx, "Softmax", {in}, std::move(attrs)), layout);
  }

  void concatenation(const OpContext& ctx) {
    const size_t n = ctx.op->inputs() ? ctx.op->inputs()->size() : 0;
    if (n < 1) ctx.fail("expects at least 1 input");
    if (n > kMaxNodeInputs)
      ctx.fail(
          fmt::format("has {} inputs, more than kiln accepts per node ({})", n, kMaxNodeInputs));
    require_io(ctx, n, n);
    const auto& o = options(ctx, ctx.op->builtin_options_as_ConcatenationOptions());
    const int y = output_index(ctx);
    const size_t rank = rank_of(y, &ctx);
    int lead = input_index(*ctx.op, 0);
    for (size_t k = 0; k < n; ++k) {
      const int idx = input_index(*ctx.op, k);
      if (rank_of(idx, &ctx) != rank) ctx.fail("inputs and output must have the same rank");
      if (!is_constant(idx, &ctx)) {
        lead = idx;
        break;
      }
    }
    const Layout layout = current_layout(lead, ctx);
    int64_t axis = normalized_axes(ctx, {o.axis()}, rank)[0];
    if (layout == Layout::Nchw) axis = kNchwPosition[axis];
    std::vector<std::string> inputs;
    for (size_t k = 0; k < n; ++k)
      inputs.push_back(float_input(input_index(*ctx.op, k), layout, ctx));
    const std::string out = emit(ctx, "Concat", std::move(inputs), Attributes{{"axis", axis}});
    set_output(ctx, y, fused_activation(ctx, out, o.fused_activation_function()), layout);
  }

  void pad(const OpContext& ctx) {
    require_io(ctx, 2, 2);
    const int x = input_index(*ctx.op, 0), y = output_index(ctx);
    const size_t rank = rank_of(x, &ctx);
    const std::vector<int64_t> paddings = constant_ints(input_index(*ctx.op, 1), ctx, "paddings");
    if (paddings.size() != 2 * rank)
      ctx.fail(fmt::format("paddings hold {} values, expected [{}, 2]", paddings.size(), rank));
    const Layout layout = current_layout(x, ctx);
    std::vector<int64_t> pads(2 * rank);
    for (size_t d = 0; d < rank; ++d) {
      const size_t to = layout == Layout::Nchw ? static_cast<size_t>(kNchwPosition[d]) : d;
      if (paddings[2 * d] < 0 || paddings[2 * d + 1] < 0) ctx.fail("negative padding");
      pads[to] = paddings[2 * d];
      pads[to + rank] = paddings[2 * d + 1];
    }
    // Padding with real 0, which a quantized tensor represents exactly (its zero point).
    const std::string out =
        emit(ctx, "Pad", {float_input(x, layout, ctx), ints_constant(ctx.prefix + "_pads", pads)});
    set_output(ctx, y, out, layout);
  }

  // QUANTIZE (float -> int, or int -> int with new parameters) and DEQUANTIZE (int -> float).
  void convert_type(const OpContext& ctx) {
    require_io(ctx, 1, 1);
    const int x = input_index(*ctx.op, 0), y = output_index(ctx);
    const Layout layout = current_layout(x, ctx);
    std::string in = float_input(x, layout, ctx);
    if (in == value(x, layout, ctx) && dtype_of(y, &ctx) == DType::Float32)
      in = emit(ctx, "Identity", {in});  // float -> float: keep one producer per tensor
    set_output(ctx, y, in, layout);
  }

  void transpose(const OpContext& ctx) {
    require_io(ctx, 2, 2);
    const int x = input_index(*ctx.op, 0), y = output_index(ctx);
    const size_t rank = rank_of(x, &ctx);
    std::vector<int64_t> perm = constant_ints(input_index(*ctx.op, 1), ctx, "perm");
    if (perm.size() != rank) ctx.fail("perm length differs from the input rank");
    std::vector<int64_t> sorted = normalized_axes(ctx, perm, rank);
    if (sorted.size() != rank) ctx.fail("perm is not a permutation");
    for (int64_t& p : perm)
      if (p < 0) p += static_cast<int64_t>(rank);
    const std::string out =
        emit(ctx, "Transpose", {float_input(x, Layout::Tflite, ctx)}, Attributes{{"perm", perm}});
    set_output(ctx, y, out, Layout::Tflite);
  }

  void strided_slice(const OpContext& ctx) {
    require_io(ctx, 4, 4);
    const auto& o = options(ctx, ctx.op->builtin_options_as_StridedSliceOptions());
    if (o.ellipsis_mask() != 0 || o.new_axis_mask() != 0)
      ctx.unsupported("ellipsis_mask and new_axis_mask are not supported");
    if (o.offset()) ctx.unsupported("offset = true is not supported");
    const int x = input_index(*ctx.op, 0), y = output_index(ctx);
    const Shape xs = shape_of(x, &ctx);
    const size_t rank = xs.size();
    const std::vector<int64_t> begin = constant_ints(input_index(*ctx.op, 1), ctx, "begin");
    const std::vector<int64_t> end = constant_ints(input_index(*ctx.op, 2), ctx, "end");
    const std::vector<int64_t> strides = constant_ints(input_index(*ctx.op, 3), ctx, "strides");
    if (begin.size() != end.size() || begin.size() != strides.size() || begin.size() > rank)
      ctx.fail("begin, end and strides must have one value per sliced dimension");
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
    std::vector<int64_t> starts, ends, axes, steps;
    for (size_t d = 0; d < begin.size(); ++d) {
      const int64_t stride = strides[d];
      if (stride == 0) ctx.fail("stride 0");
      int64_t s = begin[d], e = end[d];
      if (o.shrink_axis_mask() & (1 << d)) {
        // One element at `begin`: normalize it here, the slice is then [s, s + 1).
        if (s < 0) s += xs[d];
        if (s < 0 || s >= xs[d]) ctx.fail(fmt::format("shrunk index {} is out of range", begin[d]));
        e = s + 1;
        starts.push_back(s), ends.push_back(e), axes.push_back(static_cast<int64_t>(d)),
            steps.push_back(1);
        continue;
      }
      if (o.begin_mask() & (1 << d)) s = stride > 0 ? 0 : kMax;
      if (o.end_mask() & (1 << d)) e = stride > 0 ? kMax : kMin;
      starts.push_back(s), ends.push_back(e), axes.push_back(static_cast<int64_t>(d)),
          steps.push_back(stride);
    }
    std::string out =
        emit(ctx, "Slice",
             {float_input(x, Layout::Tflite, ctx), ints_constant(ctx.prefix + "_starts", starts),
              ints_constant(ctx.prefix + "_ends", ends), ints_constant(ctx.prefix + "_axes", axes),
              ints_constant(ctx.prefix + "_steps", steps)});
    // Shrunk axes disappear: the output's static shape says which dims remain.
    const Shape ys = shape_of(y, &ctx);
    if (o.shrink_axis_mask() != 0)
      out = emit(ctx, "Reshape", {out, ints_constant(ctx.prefix + "_shape", ys)});
    set_output(ctx, y, out, Layout::Tflite);
  }

  const tfl::Model& model_;
  const tfl::SubGraph& subgraph_;
  const LoadOptions& options_;
  Graph graph_;
  int tensor_count_ = 0;
  std::set<int> input_indices_;
  // Per TFLite tensor: the kiln tensors holding its values, by layout.
  std::vector<std::map<Layout, std::string>> values_;
};

}  // namespace

std::string operator_node_prefix(int index, const std::string& builtin) {
  return fmt::format("op{}_{}", index, builtin);
}

std::optional<TfliteOperatorRef> tflite_operator_of(const std::string& node_name) {
  const size_t slash = node_name.find('/');
  if (slash == std::string::npos || !node_name.starts_with("op")) return std::nullopt;
  size_t pos = 2;
  int index = 0;
  while (pos < slash && std::isdigit(static_cast<unsigned char>(node_name[pos])) &&
         index < 100000000)
    index = index * 10 + (node_name[pos++] - '0');
  if (pos == 2 || pos >= slash || node_name[pos] != '_' || pos + 1 == slash) return std::nullopt;
  return TfliteOperatorRef{index, node_name.substr(pos + 1, slash - pos - 1)};
}

bool is_tflite(std::span<const uint8_t> bytes) {
  return bytes.size() >= 8 && std::memcmp(bytes.data() + 4, "TFL3", 4) == 0;
}

Graph graph_from_tflite(std::span<const uint8_t> bytes, const std::string& source,
                        const LoadOptions& options) {
  // Flatbuffer alignment is relative to the buffer start: read from a 16-byte aligned copy when
  // the caller's bytes are not (heap vectors are).
  if (reinterpret_cast<uintptr_t>(bytes.data()) % 16 != 0) {
    const std::vector<uint8_t> aligned(bytes.begin(), bytes.end());
    return graph_from_tflite(aligned, source, options);
  }
  const tfl::Model& model = verified_model(bytes);
  return Builder(model, source, options).build();
}

std::vector<std::string> tflite_runtime_inputs(std::span<const uint8_t> bytes) {
  return graph_from_tflite(bytes, "", {}).inputs;
}

}  // namespace kiln::tflite_frontend
