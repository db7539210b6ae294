#include "tiling/l3_staging.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

#include "ir/error.hpp"
#include "ir/messages.hpp"

namespace kiln::tiling {
namespace {

struct Choice {
  bool stream_x = false, stream_w = false, stream_y = false;
};

// Sizes and traffic of one (stripe rows, chunk channels) candidate of a stage.
struct Candidate {
  int64_t rows = 0, channels = 0, l2 = 0, traffic = 0;
};

class Stager {
 public:
  Stager(const LayerGeometry& layer, bool input_in_l3, int64_t buffers)
      : layer_(layer), input_in_l3_(input_in_l3), buffers_(buffers) {
    per_channel_weights_ = (layer.depthwise ? 1 : layer.in_channels) * layer.kernel_h *
                               layer.kernel_w * layer.weight_bytes +
                           layer.bias_bytes;
    x_ = layer.in_channels * layer.in_h * layer.in_w * layer.activation_bytes;
    w_ = layer.out_channels * per_channel_weights_;
    y_ = layer.out_channels * layer.out_h * layer.out_w * layer.activation_bytes;
  }

  int64_t input_rows(int64_t out_rows) const {
    return input_extent(out_rows, layer_.stride_h, layer_.kernel_h, layer_.dilation_h, layer_.in_h);
  }

  // Input bytes read when the output is computed in stripes of `rows` (halos read twice).
  int64_t striped_input_traffic(int64_t rows) const {
    int64_t total_rows = 0;
    for (int64_t start = 0; start < layer_.out_h; start += rows)
      total_rows += input_rows(std::min(rows, layer_.out_h - start));
    return total_rows * layer_.in_channels * layer_.in_w * layer_.activation_bytes;
  }

  Candidate evaluate(const Choice& c, int64_t rows, int64_t channels) const {
    const bool striped = c.stream_x || c.stream_y;
    const int64_t x_stripe =
        layer_.in_channels * input_rows(rows) * layer_.in_w * layer_.activation_bytes;
    const int64_t w_chunk = channels * per_channel_weights_;
    const int64_t y_tile = (c.stream_w ? channels : layer_.out_channels) * rows * layer_.out_w *
                           layer_.activation_bytes;
    Candidate k;
    k.rows = rows;
    k.channels = channels;
    k.l2 = (c.stream_x ? buffers_ * x_stripe : x_) + (c.stream_w ? buffers_ * w_chunk : w_) +
           (c.stream_y ? buffers_ * y_tile : y_);
    const int64_t input_once = c.stream_x ? striped_input_traffic(rows) : (input_in_l3_ ? x_ : 0);
    const int64_t output_once = c.stream_y ? y_ : 0;
    const int64_t stripes = striped ? ceil_div(layer_.out_h, rows) : 1;
    const int64_t chunks = c.stream_w ? ceil_div(layer_.out_channels, channels) : 1;
    // Weights come from L3 once per layer unless both loops exist; then the cheaper loop order:
    // channel chunks outside (input re-read per chunk) or stripes outside (weights re-read).
    if (c.stream_w && striped)
      k.traffic = output_once + std::min(w_ + input_once * chunks, w_ * stripes + input_once);
    else
      k.traffic = w_ + input_once + output_once;
    return k;
  }

  // The best candidate of a stage: least traffic, then most L2 used (fewer, larger transfers).
  std::optional<Candidate> best(const Choice& c, int64_t l2_bytes) const {
    const bool striped = c.stream_x || c.stream_y;
    std::optional<Candidate> found;
    for (int64_t rows = striped ? 1 : layer_.out_h; rows <= layer_.out_h; ++rows)
      for (int64_t channels = c.stream_w ? 1 : layer_.out_channels; channels <= layer_.out_channels;
           ++channels) {
        const Candidate k = evaluate(c, rows, channels);
        if (k.l2 > l2_bytes) continue;
        if (!found || k.traffic < found->traffic ||
            (k.traffic == found->traffic && k.l2 > found->l2))
          found = k;
      }
    return found;
  }

  int64_t smallest_l2(const Choice& c) const { return evaluate(c, 1, 1).l2; }

  LayerGeometry chunk(const Choice& c, const Candidate& k) const {
    LayerGeometry g = layer_;
    if (c.stream_w) {
      g.out_channels = k.channels;
      if (layer_.depthwise) g.in_channels = k.channels;
    }
    if (c.stream_x || c.stream_y) {
      g.out_h = k.rows;
      g.in_h = input_rows(k.rows);
    }
    return g;
  }

 private:
  const LayerGeometry& layer_;
  bool input_in_l3_;
  int64_t buffers_;
  int64_t per_channel_weights_ = 0, x_ = 0, w_ = 0, y_ = 0;
};

}  // namespace

L3Staging stage_layer(const LayerGeometry& layer, int64_t l2_bytes, bool input_in_l3,
                      int64_t buffers) {
  if (l2_bytes <= 0 || buffers <= 0)
    throw InternalError("stage_layer: L2 bytes and buffers must be positive");
  const Stager stager(layer, input_in_l3, buffers);
  // DORY's order. An input left in L3 by the previous layer is always streamed.
  struct Stage {
    int number;
    Choice choice;
  };
  std::vector<Stage> stages;
  if (input_in_l3) {
    stages = {{1, {true, false, false}},
              {2, {true, true, false}},
              {3, {true, false, true}},
              {4, {true, true, true}}};
  } else {
    stages = {{0, {false, false, false}},
              {2, {false, true, false}},
              {3, {false, false, true}},
              {4, {false, true, true}}};
  }
  int64_t smallest = std::numeric_limits<int64_t>::max();
  for (const Stage& stage : stages) {
    smallest = std::min(smallest, stager.smallest_l2(stage.choice));
    const std::optional<Candidate> found = stager.best(stage.choice, l2_bytes);
    if (!found) continue;
    L3Staging result;
    result.stage = stage.number;
    result.input_streamed = stage.choice.stream_x;
    result.weights_streamed = stage.choice.stream_w;
    result.output_streamed = stage.choice.stream_y;
    result.output_channels_per_chunk = found->channels;
    result.output_rows_per_stripe = found->rows;
    result.l2_bytes = found->l2;
    result.l3_traffic_bytes = found->traffic;
    result.chunk = stager.chunk(stage.choice, *found);
    return result;
  }
  throw Error("layer " + quote_name(layer.name) + ": does not fit " + std::to_string(l2_bytes) +
              " bytes of L2 even with input, weights and output streamed from L3; it needs at "
              "least " +
              std::to_string(smallest) + " bytes");
}

}  // namespace kiln::tiling
