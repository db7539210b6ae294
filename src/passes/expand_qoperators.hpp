#pragma once
// Rewrites QOperator ops into the QDQ form every quantized model goes through (see
// docs/quantization.md): QLinearConv, QLinearMatMul and the com.microsoft QLinear* ops become
// DequantizeLinear on each quantized input (with that input's scale and zero point) -> the float
// op -> QuantizeLinear(y_scale, y_zero_point), which passes/lower_qdq turns into the integer op.
// ConvInteger / MatMulInteger keep their op but get int8 operands: uint8 constants and zero
// points shift by -128, runtime uint8 operands pass through a kiln.Requantize (uint8 -> int8,
// scale 1), which leaves every difference x - zero_point unchanged.
#include "ir/graph.hpp"

namespace kiln {

// Returns true if the graph changed (false when it has none of these ops).
bool expand_qoperators(Graph& graph);

}  // namespace kiln
