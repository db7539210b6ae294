#pragma once
#include "ir/graph.hpp"

namespace kiln {

// Folds an inference-mode BatchNormalization (constant scale, B, mean, var) into the Conv,
// ConvTranspose, Gemm or MatMul (with a constant 2-D weight and a 2-D result) producing its
// input, when that intermediate value has no other reader and is not a graph output:
//   y = (x - mean) * scale / sqrt(var + epsilon) + B  =  x * a + b
// scales the weights' output channels by `a` and the bias by `a`, then adds `b` (a bias is
// created if absent). MatMul becomes Gemm (or MatMul + Add if Gemm is not registered). The
// arithmetic runs in double; new weight tensors are created, so shared weights stay intact.
// The producer takes over the BatchNormalization's output name. Returns true if one folded.
bool fold_batch_norm(Graph& graph);

}  // namespace kiln
