#pragma once
// Tile sizes for one convolution-like layer in a small memory (DORY's L2 -> L1 problem, see
// docs/tiling.md): choose how many output channels, output rows and output columns one tile
// computes so that the tile's input, weights and output, times the number of buffers (2 for
// double-buffered DMA), plus the kernel's scratch space, fit the memory. Input channels and the
// kernel window are never split (DORY's rule: no 32-bit partial sums leave the kernel).
//
// Solved as a constraint optimization with Gecode (branch and bound, a time limit per layer);
// when the limit stops the search before any solution, a greedy halving heuristic answers.
// Shared by the memory-hierarchy tiler and the accelerator back end: one tiler, not two.
#include <chrono>
#include <cstdint>
#include <string>

namespace kiln::tiling {

// The geometry of a Conv (standard or depthwise) or a fully connected layer (a 1x1 Conv over a
// 1x1 image). Sizes are in elements; the *_bytes fields give the element sizes.
struct LayerGeometry {
  std::string name;  // for messages: the node's name
  int64_t in_channels = 1, out_channels = 1;
  int64_t in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  bool depthwise = false;        // one filter per channel: in_channels == out_channels
  int64_t activation_bytes = 1;  // input and output elements
  int64_t weight_bytes = 1;
  int64_t bias_bytes = 4;  // per output channel (int32 bias; 0 when the layer has none)
};

// What a tile must fit and what the kernels prefer. DORY's objective: maximize the bytes the
// tiles use, plus large bonuses for kernel-friendly shapes.
struct TilingTarget {
  int64_t memory_bytes = 0;      // the memory the tiles live in (L1)
  int64_t buffers = 2;           // copies of each tile: 2 = double buffering
  int64_t channel_multiple = 4;  // output-channel tiles the inner loops like (SIMD width)
  int64_t im2col_pixels = 2;     // im2col scratch: this many patches of int16 (0: no im2col)
  std::chrono::milliseconds time_limit{500};  // per layer; then the best tile found so far
  int64_t memory_weight = 1;                  // alpha: per byte used
  int64_t shape_bonus = 1000000;              // beta: per heuristic met (see docs/tiling.md)
};

struct TileShape {
  int64_t out_channels = 0, out_h = 0, out_w = 0;  // what one tile computes
  int64_t in_channels = 0, in_h = 0, in_w = 0;     // what it reads (with the window's halo)
};

enum class TilingMethod {
  WholeLayer,       // the untiled layer fits: no tiling
  SolverOptimal,    // Gecode proved the tile optimal
  SolverTimeLimit,  // Gecode stopped at the time limit with a solution (best found)
  Heuristic,        // no solution within the time limit: greedy halving
};
const char* tiling_method_name(TilingMethod method);

struct LayerTiling {
  TileShape tile;
  int64_t input_bytes = 0, weight_bytes = 0, output_bytes = 0, scratch_bytes = 0;
  int64_t working_set_bytes = 0;  // buffers * (input + weight + output) + scratch
  int64_t tile_count = 0;         // tiles to cover the layer (border tiles included)
  TilingMethod method = TilingMethod::WholeLayer;
  bool channels_multiple = false;  // heuristics met by the chosen tile
  bool whole_rows = false;
  bool even_rows = false;
};

// Input rows (or columns) a window of `outputs` output positions reads: the interior tile's
// extent with the window's halo (padding only shrinks border tiles, so this is what to reserve).
int64_t input_extent(int64_t outputs, int64_t stride, int64_t kernel, int64_t dilation,
                     int64_t input_size);
int64_t ceil_div(int64_t a, int64_t b);

// Bytes of a tile of `tile` output size (input rows/columns derived from the window).
LayerTiling measure_tile(const LayerGeometry& layer, const TilingTarget& target,
                         int64_t out_channels, int64_t out_h, int64_t out_w);

// The smallest working set any tiling of the layer needs (one output channel, one pixel; for
// a standard convolution every input channel of the window).
int64_t smallest_working_set(const LayerGeometry& layer, const TilingTarget& target);

// The best tile for the layer. Throws kiln::Error naming the layer and the smallest working set
// when even that does not fit.
LayerTiling solve_layer_tiling(const LayerGeometry& layer, const TilingTarget& target);

// The greedy fallback alone (also what the solver is compared with in tests).
LayerTiling heuristic_layer_tiling(const LayerGeometry& layer, const TilingTarget& target);

}  // namespace kiln::tiling
