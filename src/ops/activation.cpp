// Stand-alone activation ops: Relu, LeakyRelu, Sigmoid, Tanh, HardSigmoid, HardSwish, Clip.
// They all lower to kiln_activation_f32, whose semantics are kiln_activate_f32 in
// src/kernels/kiln_activation.h, the same code fused activations run. Clip with bounds known
// only at run time (or on integers) has its own kernels built on the same definition.
#include <limits>
#include <string>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/op_registry.hpp"

namespace kiln {

namespace {

bool is_integer(DType type) {
  return type == DType::Int8 || type == DType::UInt8 || type == DType::Int16 ||
         type == DType::Int32 || type == DType::Int64;
}

void require_float(const Node& node, const Tensor& t) {
  if (t.dtype != DType::Float32)
    throw Error(node.describe() + ": input " + quote_name(t.name) + " has type " +
                std::string(dtype_name(t.dtype)) + ", expected float32");
}

KernelCall activation_call(const Node& node, const Graph& graph, Activation act, float alpha,
                           float beta) {
  const Tensor& y = graph.tensor(node.outputs[0]);
  return KernelCall("kiln_activation_f32")
      .input(node.inputs[0])
      .output(y.name)
      .i(y.elements())
      .i(static_cast<int32_t>(act))
      .f(alpha)
      .f(beta);
}

struct ActivationSpec {
  const char* op_type;
  Activation act;
  const char* alpha_attr = "";
  float alpha_default = 0.0f;
  const char* beta_attr = "";
  float beta_default = 0.0f;
};

void register_activation(const ActivationSpec& spec) {
  OpDef def;
  def.op_type = spec.op_type;
  def.min_opset = 6;
  def.infer = [](const Node& node, Graph& graph) {
    const Tensor& x = input_tensor(node, graph, 0);
    require_float(node, x);
    set_output(node, graph, 0, x.dtype, x.shape);
  };
  def.lower = [spec](const Node& node, const Graph& graph) {
    const float alpha = *spec.alpha_attr ? node.attr_float(spec.alpha_attr, spec.alpha_default)
                                         : spec.alpha_default;
    const float beta =
        *spec.beta_attr ? node.attr_float(spec.beta_attr, spec.beta_default) : spec.beta_default;
    return activation_call(node, graph, spec.act, alpha, beta);
  };
  def.macs = [](const Node&, const Graph&) { return int64_t{0}; };
  def.in_place = InPlace::Elementwise;
  register_op(std::move(def));
}

// ---- Clip ---------------------------------------------------------------------------------

// Clip-6 .. Clip-10 take min/max as float attributes; the newest form takes optional scalar
// inputs. An absent attribute becomes an absent input (unbounded on that side).
void upgrade_clip(Node& node, Graph& graph, int opset) {
  if (opset >= 11) return;
  node.inputs.resize(1);
  node.inputs.resize(3);
  for (const auto& [attr, slot] : {std::pair<const char*, size_t>{"min", 1}, {"max", 2}}) {
    if (!node.has_attr(attr)) continue;
    const float value = node.attr_float(attr, 0.0f);
    const std::string name = graph.unique_name(node.name + "_" + attr);
    graph.add_tensor(
        make_constant<float>(name, DType::Float32, {}, std::span<const float>(&value, 1)));
    node.inputs[slot] = name;
    node.attrs.erase(attr);
  }
  while (!node.inputs.empty() && node.inputs.back().empty()) node.inputs.pop_back();
}

void infer_clip(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  if (x.dtype != DType::Float32 && !is_integer(x.dtype))
    throw Error(node.describe() + ": input " + quote_name(x.name) + " has type " +
                std::string(dtype_name(x.dtype)) + ", expected float32 or an integer type");
  for (size_t i = 1; i < 3; ++i) {
    if (!node.has_input(i)) continue;
    const Tensor& bound = graph.tensor(node.inputs[i]);
    if (bound.dtype != x.dtype)
      throw Error(node.describe() + ": bound " + quote_name(bound.name) + " has type " +
                  std::string(dtype_name(bound.dtype)) + ", input has " +
                  std::string(dtype_name(x.dtype)));
    if (bound.elements() != 1)
      throw Error(node.describe() + ": bound " + quote_name(bound.name) +
                  " must be a scalar, has shape " + shape_to_string(bound.shape));
  }
  set_output(node, graph, 0, x.dtype, x.shape);
}

// A bound usable as a compile-time float: absent (unbounded) or constant.
bool bound_is_static(const Node& node, const Graph& graph, size_t index) {
  return !node.has_input(index) || graph.tensor(node.inputs[index]).constant;
}

float static_bound(const Node& node, const Graph& graph, size_t index, float unbounded) {
  if (!node.has_input(index)) return unbounded;
  return graph.tensor(node.inputs[index]).as_float().at(0);
}

KernelCall lower_clip(const Node& node, const Graph& graph) {
  const Tensor& x = graph.tensor(node.inputs[0]);
  const Tensor& y = graph.tensor(node.outputs[0]);
  const std::string lo = node.has_input(1) ? node.inputs[1] : std::string();
  const std::string hi = node.has_input(2) ? node.inputs[2] : std::string();
  if (x.dtype != DType::Float32)
    return KernelCall("kiln_activation_clip_int")
        .i(static_cast<int32_t>(x.dtype))
        .input(x.name)
        .input(lo)
        .input(hi)
        .output(y.name)
        .i(y.elements());
  if (bound_is_static(node, graph, 1) && bound_is_static(node, graph, 2)) {
    const float inf = std::numeric_limits<float>::infinity();
    return activation_call(node, graph, Activation::Clip, static_bound(node, graph, 1, -inf),
                           static_bound(node, graph, 2, inf));
  }
  return KernelCall("kiln_activation_clip_f32")
      .input(x.name)
      .input(lo)
      .input(hi)
      .output(y.name)
      .i(y.elements());
}

void register_activation_ops() {
  register_activation({"Relu", Activation::Relu});
  register_activation({"LeakyRelu", Activation::LeakyRelu, "alpha", 0.01f});
  register_activation({"Sigmoid", Activation::Sigmoid});
  register_activation({"Tanh", Activation::Tanh});
  register_activation({"HardSigmoid", Activation::HardSigmoid, "alpha", 0.2f, "beta", 0.5f});
  register_activation({"HardSwish", Activation::HardSwish});

  OpDef clip;
  clip.op_type = "Clip";
  clip.min_opset = 6;
  clip.upgrade = upgrade_clip;
  clip.infer = infer_clip;
  clip.lower = lower_clip;
  clip.macs = [](const Node&, const Graph&) { return int64_t{0}; };
  clip.in_place = InPlace::Elementwise;
  register_op(std::move(clip));
}

}  // namespace

KILN_REGISTER_OPS(register_activation_ops);

}  // namespace kiln
