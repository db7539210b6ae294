#include "tiling/layer_tiling.hpp"

#include <algorithm>
#include <gecode/int.hh>
#include <gecode/minimodel.hh>
#include <gecode/search.hh>
#include <memory>

#include "ir/error.hpp"
#include "ir/messages.hpp"

namespace kiln::tiling {
namespace {

bool is_im2col_conv(const LayerGeometry& layer) {
  return !layer.depthwise && (layer.kernel_h > 1 || layer.kernel_w > 1);
}

int64_t scratch_bytes_of(const LayerGeometry& layer, const TilingTarget& target) {
  if (!is_im2col_conv(layer)) return 0;
  // One int16 patch (every input channel of the window) per pixel the kernel gathers at once.
  return target.im2col_pixels * layer.in_channels * layer.kernel_h * layer.kernel_w * 2;
}

void check_geometry(const LayerGeometry& layer, const TilingTarget& target) {
  const auto positive = {layer.in_channels,
                         layer.out_channels,
                         layer.in_h,
                         layer.in_w,
                         layer.out_h,
                         layer.out_w,
                         layer.kernel_h,
                         layer.kernel_w,
                         layer.stride_h,
                         layer.stride_w,
                         layer.dilation_h,
                         layer.dilation_w,
                         layer.activation_bytes,
                         layer.weight_bytes};
  if (std::any_of(positive.begin(), positive.end(), [](int64_t v) { return v <= 0; }))
    throw InternalError("tiling: layer '" + layer.name + "' has a non-positive dimension");
  if (layer.depthwise && layer.in_channels != layer.out_channels)
    throw InternalError("tiling: depthwise layer '" + layer.name +
                        "' with different input and output channels");
  if (target.memory_bytes <= 0 || target.buffers <= 0 || target.channel_multiple <= 0)
    throw InternalError("tiling: memory, buffers and channel multiple must be positive");
}

// DORY's objective, Eq. 7: alpha * bytes used + beta per kernel-friendly shape.
class TileSpace : public Gecode::IntMaximizeSpace {
 public:
  TileSpace(const LayerGeometry& layer, const TilingTarget& target) : dims_(*this, 3) {
    using namespace Gecode;
    IntVar channels(*this, 1, static_cast<int>(layer.out_channels));
    IntVar rows(*this, 1, static_cast<int>(layer.out_h));
    IntVar cols(*this, 1, static_cast<int>(layer.out_w));
    dims_[0] = channels;
    dims_[1] = rows;
    dims_[2] = cols;
    const int memory = static_cast<int>(target.memory_bytes);
    const int act = static_cast<int>(layer.activation_bytes);

    IntVar in_rows =
        expr(*this, min((rows - 1) * static_cast<int>(layer.stride_h) +
                            static_cast<int>((layer.kernel_h - 1) * layer.dilation_h + 1),
                        static_cast<int>(layer.in_h)));
    IntVar in_cols =
        expr(*this, min((cols - 1) * static_cast<int>(layer.stride_w) +
                            static_cast<int>((layer.kernel_w - 1) * layer.dilation_w + 1),
                        static_cast<int>(layer.in_w)));
    IntVar in_pixels = expr(*this, in_rows * in_cols);
    IntVar in_bytes(*this, 0, memory);
    if (layer.depthwise)
      rel(*this, in_bytes == expr(*this, channels * in_pixels) * act);
    else
      rel(*this,
          in_bytes == in_pixels * static_cast<int>(layer.in_channels * layer.activation_bytes));
    const int64_t weights_per_channel = (layer.depthwise ? 1 : layer.in_channels) * layer.kernel_h *
                                            layer.kernel_w * layer.weight_bytes +
                                        layer.bias_bytes;
    IntVar weight_bytes(*this, 0, memory);
    rel(*this, weight_bytes == channels * static_cast<int>(weights_per_channel));
    IntVar out_bytes(*this, 0, memory);
    rel(*this, out_bytes == expr(*this, expr(*this, channels * rows) * cols) * act);
    IntVar used = expr(*this, in_bytes + weight_bytes + out_bytes);
    rel(*this, used * static_cast<int>(target.buffers) +
                       static_cast<int>(scratch_bytes_of(layer, target)) <=
                   memory);

    BoolVar channels_multiple =
        expr(*this, (channels % static_cast<int>(target.channel_multiple) == 0) ||
                        (channels == static_cast<int>(layer.out_channels)));
    BoolVar whole_rows = expr(*this, cols == static_cast<int>(layer.out_w));
    IntVar out_h(*this, static_cast<int>(layer.out_h), static_cast<int>(layer.out_h));
    BoolVar even_rows = expr(*this, out_h % rows == 0);
    score_ = expr(*this, used * static_cast<int>(target.memory_weight) +
                             static_cast<int>(target.shape_bonus) *
                                 (channels_multiple + whole_rows + even_rows));
    // Large tiles first: the first solutions found are already good ones.
    branch(*this, channels, INT_VAL_MAX());
    branch(*this, cols, INT_VAL_MAX());
    branch(*this, rows, INT_VAL_MAX());
  }

  TileSpace(TileSpace& other) : Gecode::IntMaximizeSpace(other) {
    dims_.update(*this, other.dims_);
    score_.update(*this, other.score_);
  }
  Gecode::Space* copy() override { return new TileSpace(*this); }  // Gecode owns spaces
  Gecode::IntVar cost() const override { return score_; }

  int64_t channels() const { return dims_[0].val(); }
  int64_t rows() const { return dims_[1].val(); }
  int64_t cols() const { return dims_[2].val(); }

 private:
  Gecode::IntVarArray dims_;
  Gecode::IntVar score_;
};

}  // namespace

int64_t input_extent(int64_t outputs, int64_t stride, int64_t kernel, int64_t dilation,
                     int64_t input_size) {
  return std::min((outputs - 1) * stride + (kernel - 1) * dilation + 1, input_size);
}

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

const char* tiling_method_name(TilingMethod method) {
  switch (method) {
    case TilingMethod::WholeLayer: return "whole layer";
    case TilingMethod::SolverOptimal: return "solver (optimal)";
    case TilingMethod::SolverTimeLimit: return "solver (time limit, best found)";
    case TilingMethod::Heuristic: return "heuristic";
  }
  return "?";
}

LayerTiling measure_tile(const LayerGeometry& layer, const TilingTarget& target,
                         int64_t out_channels, int64_t out_h, int64_t out_w) {
  LayerTiling t;
  t.tile.out_channels = out_channels;
  t.tile.out_h = out_h;
  t.tile.out_w = out_w;
  t.tile.in_channels = layer.depthwise ? out_channels : layer.in_channels;
  t.tile.in_h = input_extent(out_h, layer.stride_h, layer.kernel_h, layer.dilation_h, layer.in_h);
  t.tile.in_w = input_extent(out_w, layer.stride_w, layer.kernel_w, layer.dilation_w, layer.in_w);
  t.input_bytes = t.tile.in_channels * t.tile.in_h * t.tile.in_w * layer.activation_bytes;
  t.weight_bytes = out_channels * ((layer.depthwise ? 1 : layer.in_channels) * layer.kernel_h *
                                       layer.kernel_w * layer.weight_bytes +
                                   layer.bias_bytes);
  t.output_bytes = out_channels * out_h * out_w * layer.activation_bytes;
  t.scratch_bytes = scratch_bytes_of(layer, target);
  t.working_set_bytes =
      target.buffers * (t.input_bytes + t.weight_bytes + t.output_bytes) + t.scratch_bytes;
  t.tile_count = ceil_div(layer.out_channels, out_channels) * ceil_div(layer.out_h, out_h) *
                 ceil_div(layer.out_w, out_w);
  t.channels_multiple =
      out_channels % target.channel_multiple == 0 || out_channels == layer.out_channels;
  t.whole_rows = out_w == layer.out_w;
  t.even_rows = layer.out_h % out_h == 0;
  return t;
}

int64_t smallest_working_set(const LayerGeometry& layer, const TilingTarget& target) {
  return measure_tile(layer, target, 1, 1, 1).working_set_bytes;
}

LayerTiling heuristic_layer_tiling(const LayerGeometry& layer, const TilingTarget& target) {
  check_geometry(layer, target);
  // Halve rows first (keeps whole rows and all channels), then channels (in SIMD multiples
  // while possible), then columns.
  int64_t channels = layer.out_channels, rows = layer.out_h, cols = layer.out_w;
  auto fits = [&] {
    return measure_tile(layer, target, channels, rows, cols).working_set_bytes <=
           target.memory_bytes;
  };
  while (!fits() && rows > 1) rows = ceil_div(rows, 2);
  while (!fits() && channels > 1) {
    const int64_t half = ceil_div(channels, 2);
    const int64_t multiple = half / target.channel_multiple * target.channel_multiple;
    channels = multiple > 0 ? multiple : half;
  }
  while (!fits() && cols > 1) cols = ceil_div(cols, 2);
  if (!fits())
    throw Error("layer " + quote_name(layer.name) + ": no tiling fits " +
                std::to_string(target.memory_bytes) + " bytes; the smallest tile needs " +
                std::to_string(smallest_working_set(layer, target)) + " bytes");
  LayerTiling result = measure_tile(layer, target, channels, rows, cols);
  result.method = TilingMethod::Heuristic;
  return result;
}

LayerTiling solve_layer_tiling(const LayerGeometry& layer, const TilingTarget& target) {
  check_geometry(layer, target);
  const LayerTiling whole =
      measure_tile(layer, target, layer.out_channels, layer.out_h, layer.out_w);
  if (whole.working_set_bytes <= target.memory_bytes) return whole;
  const int64_t smallest = smallest_working_set(layer, target);
  if (smallest > target.memory_bytes)
    throw Error("layer " + quote_name(layer.name) + ": no tiling fits " +
                std::to_string(target.memory_bytes) + " bytes; the smallest tile (1 output " +
                "channel, 1 output pixel, " + std::to_string(target.buffers) + " buffers) needs " +
                std::to_string(smallest) + " bytes");
  // Gecode's integers are 32-bit: a memory that large is never the tight level.
  constexpr int64_t kSolverLimit = int64_t{1} << 29;
  if (target.memory_bytes >= kSolverLimit || whole.working_set_bytes >= kSolverLimit * 4)
    return heuristic_layer_tiling(layer, target);

  std::unique_ptr<Gecode::Search::Stop> stop(
      Gecode::Search::Stop::time(static_cast<unsigned long>(target.time_limit.count())));
  Gecode::Search::Options options;
  options.threads = 1;  // deterministic
  options.stop = stop.get();
  std::unique_ptr<TileSpace> best;
  bool stopped = false;
  try {
    TileSpace root(layer, target);
    Gecode::BAB<TileSpace> search(&root, options);
    while (TileSpace* next = search.next()) best.reset(next);
    stopped = search.stopped();
  } catch (const Gecode::Exception&) {
    return heuristic_layer_tiling(layer, target);  // outside Gecode's integer limits
  }
  if (!best) return heuristic_layer_tiling(layer, target);
  LayerTiling result = measure_tile(layer, target, best->channels(), best->rows(), best->cols());
  if (result.working_set_bytes > target.memory_bytes)
    throw InternalError("tiling: the solver's tile for '" + layer.name + "' does not fit");
  result.method = stopped ? TilingMethod::SolverTimeLimit : TilingMethod::SolverOptimal;
  return result;
}

}  // namespace kiln::tiling
