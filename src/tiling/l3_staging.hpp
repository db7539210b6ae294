#pragma once
// L3 -> L2 staging of one layer (DORY section 4.2.1, its five-stage cascade): when a layer's
// input, weights and output do not fit the on-chip L2 together, stream some of them from the
// external L3 in chunks, double-buffered, trying in order the choices that cost the least
// traffic. Output activations are kept in L2 whenever possible: tiling them to L3 doubles their
// transfers (written out now, read back by the next layer).
//
//   stage 0  nothing streamed: input + weights + output fit L2
//   stage 1  input streamed in row stripes (only when the previous layer left it in L3)
//   stage 2  weights streamed in output-channel chunks (input in L2)
//   stage 3  output streamed in row stripes, weights whole
//   stage 4  weights in channel chunks and output in row stripes
//
// The L2 -> L1 tiles are then solved on the chunk (solve_layer_tiling) by the caller.
#include <cstdint>
#include <string>

#include "tiling/layer_tiling.hpp"

namespace kiln::tiling {

struct L3Staging {
  int stage = 0;
  bool input_streamed = false, weights_streamed = false, output_streamed = false;
  int64_t output_channels_per_chunk = 0;  // weights: output channels per L2 chunk
  int64_t output_rows_per_stripe = 0;     // input/output: output rows per L2 stripe
  int64_t l2_bytes = 0;                   // L2 the layer occupies (with its buffers)
  int64_t l3_traffic_bytes = 0;           // bytes moved between L3 and L2 for this layer
  LayerGeometry chunk;  // the sub-layer one chunk/stripe computes: what L1 tiling sees
};

// `input_in_l3`: the previous layer's output was left in L3. `buffers`: copies of each
// streamed chunk in L2 (2 = double buffering). Throws kiln::Error naming the layer and the
// smallest L2 it needs when no stage fits.
L3Staging stage_layer(const LayerGeometry& layer, int64_t l2_bytes, bool input_in_l3,
                      int64_t buffers = 2);

}  // namespace kiln::tiling
