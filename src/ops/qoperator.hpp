#pragma once
// QOperator form of quantized ONNX (QLinearConv, QLinearMatMul and the com.microsoft QLinear*
// contrib ops): each op is a float op whose quantized inputs carry their own scale and zero
// point inputs and whose output is quantized with y_scale / y_zero_point. passes/
// expand_qoperators rewrites each into DequantizeLinear -> float op -> QuantizeLinear, which
// passes/lower_qdq turns into the integer op; this header is the one description of where each
// op keeps those inputs, shared by the ops' shape rules and the pass.
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.hpp"

namespace kiln {

// One quantized input of a QOperator node: node input indices of the integer data, its scale
// and its zero point (the zero point input may be absent in the node).
struct QOperand {
  size_t data = 0;
  size_t scale = 0;
  size_t zero_point = 0;
  // Weight operands (QLinearConv w, QLinearMatMul b) must be constants (kiln quantizes weights
  // at compile time) and may be quantized per channel along this axis (-1: last axis).
  bool weight = false;
  int64_t channel_axis = 0;
};

struct QOperatorForm {
  std::string float_op;            // default-domain op computing on the dequantized values
  std::vector<QOperand> operands;  // in the float op's input order
  size_t y_scale = 0;
  size_t y_zero_point = 0;
  std::optional<size_t> bias;              // QLinearConv B: int32, scale x_scale * w_scale, zp 0
  std::vector<std::string> attrs_dropped;  // attributes the float op does not have
};

// The form of a QOperator node, or nullopt when the node is not one.
std::optional<QOperatorForm> qoperator_form(const Node& node);

}  // namespace kiln
