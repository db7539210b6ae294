#pragma once
#include "ir/graph.hpp"

namespace kiln {

// Simplifies data-movement chains (needs shape inference):
//  - Transpose of a Transpose composes into one Transpose (an identity result is removed);
//  - a Transpose of a constant is evaluated;
//  - a Transpose that only moves size-1 dims (the bytes do not move) becomes a Reshape, which
//    the memory planner treats as a free view. This turns the NHWC->NCHW Transpose tf2onnx puts
//    in front of a one-channel input (e.g. 1x49x10x1 keyword spotting) into a view. With more
//    than one channel the Transpose is a real copy and is kept;
//  - a Reshape/Flatten/Squeeze/Unsqueeze reading another one collapses into a single Reshape
//    of the first one's input to the final shape; one whose output shape equals its input
//    shape is removed.
// Returns true if anything changed.
bool simplify_layout(Graph& graph);

}  // namespace kiln
