#pragma once
#include "ir/graph.hpp"

namespace kiln {

// Folds an explicit Pad into the window op reading it, when the Pad has mode "constant",
// constant non-negative pads on spatial dims only (N and C unpadded), and its output has that
// one reader and is not a graph output:
//  - Conv with auto_pad NOTSET and pad value 0;
//  - AveragePool with auto_pad NOTSET, count_include_pad=1, ceil_mode=0 and pad value 0
//    (padded zeros then count in the divisor exactly as the explicit zeros did);
//  - MaxPool (one output) with auto_pad NOTSET and pad value -inf (implicit pads never win).
// The pads are added to the op's `pads` attribute and the Pad node is removed.
bool fold_pad(Graph& graph);

}  // namespace kiln
