#pragma once
// Rewrites a graph with QuantizeLinear/DequantizeLinear pairs (pre-quantized QDQ ONNX, or the
// output of post-training quantization) into integer ops on quantized tensors: DQ -> op -> Q
// patterns become the op on Int8/Int16 tensors with Tensor::quant set; DQ of constants that no
// integer op absorbs fold to float constants (hybrid models). See docs/quantization.md.
#include "ir/graph.hpp"

namespace kiln {

// Returns true if the graph changed (false for graphs without QuantizeLinear/DequantizeLinear).
bool lower_qdq(Graph& graph);

}  // namespace kiln
