#pragma once
// Rewrites a graph with QuantizeLinear/DequantizeLinear pairs (pre-quantized QDQ ONNX, or the
// output of post-training quantization) into integer ops on quantized tensors: DQ -> op -> Q
// patterns become the op on Int8/Int16 tensors with Tensor::quant set; DQ of constants that no
// integer op absorbs fold to float constants (hybrid models). See docs/quantization.md.
#include <string_view>

#include "ir/graph.hpp"

namespace kiln {

// Returns true if the graph changed (false for graphs without QuantizeLinear/DequantizeLinear).
// Each integer op takes its requantization strategy (ops/quantized.hpp kRequantAttr) from its own
// attribute, else from the QuantizeLinear it absorbs; a QuantizeLinear naming none means
// "single" (ONNX's QuantizeLinear rounds once, half to even: ONNX Runtime's arithmetic). A
// non-empty `requant_override` replaces what every QuantizeLinear names.
bool lower_qdq(Graph& graph, std::string_view requant_override = "");

}  // namespace kiln
