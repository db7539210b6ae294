// Cast and CastLike between kiln's dtypes, lowered to kiln_cast (src/kernels/kiln_cast.c):
// float -> integer truncates toward zero and saturates at the target range (NaN -> 0),
// integer -> narrower integer wraps, anything -> bool is (x != 0). ONNX's `saturate`
// attribute only concerns float8 types, which kiln does not have.
#include <string>

#include "ir/error.hpp"
#include "ops/op_registry.hpp"

namespace kiln {

namespace {

DType cast_target(const Node& node, const Graph& graph) {
  if (node.op_type == "CastLike") return input_tensor(node, graph, 1).dtype;
  if (!node.has_attr("to")) throw Error(node.describe() + ": missing attribute 'to'");
  const int64_t onnx_type = node.attr_int("to", 0);
  const std::optional<DType> target = dtype_from_onnx(static_cast<int>(onnx_type));
  if (!target)
    throw UnsupportedError(node.describe() + ": cannot cast to ONNX type " +
                           std::to_string(onnx_type) +
                           " (kiln supports float32, int8, uint8, int16, int32, int64 and bool)");
  return *target;
}

void register_cast_ops() {
  for (const char* op_type : {"Cast", "CastLike"}) {
    OpDef def;
    def.op_type = op_type;
    def.min_opset = 6;
    def.infer = [](const Node& node, Graph& graph) {
      const Tensor& x = input_tensor(node, graph, 0);
      set_output(node, graph, 0, cast_target(node, graph), x.shape);
    };
    def.lower = [](const Node& node, const Graph& graph) {
      const Tensor& x = graph.tensor(node.inputs[0]);
      const Tensor& y = graph.tensor(node.outputs[0]);
      if (x.dtype == y.dtype)
        return KernelCall("kiln_copy").input(x.name).output(y.name).i(y.bytes());
      return KernelCall("kiln_cast")
          .input(x.name)
          .i(static_cast<int32_t>(x.dtype))
          .output(y.name)
          .i(static_cast<int32_t>(y.dtype))
          .i(y.elements());
    };
    def.macs = [](const Node&, const Graph&) { return int64_t{0}; };
    // Safe when the planner shares a buffer (same dtype only): each element is read before
    // it is written.
    def.in_place = InPlace::Elementwise;
    register_op(std::move(def));
  }
}

}  // namespace

KILN_REGISTER_OPS(register_cast_ops);

}  // namespace kiln
