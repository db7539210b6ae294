// The layer tiler (src/tiling/layer_tiling.hpp): tiles fit the memory with their buffers, the
// solver's tile is optimal for DORY's objective (checked against an exhaustive enumeration of
// every tile shape), the heuristic fallback is valid, and an impossible budget is one error
// naming the layer and the smallest working set.
#include <gtest/gtest.h>

#include <string>

#include "frontend/load_model.hpp"
#include "ir/error.hpp"
#include "passes/pipeline.hpp"
#include "tiling/graph_tiling.hpp"
#include "tiling/l3_staging.hpp"
#include "tiling/layer_tiling.hpp"

namespace kiln::tiling {
namespace {

LayerGeometry conv3x3(int64_t in_c, int64_t out_c, int64_t size) {
  LayerGeometry layer;
  layer.name = "conv3x3";
  layer.in_channels = in_c;
  layer.out_channels = out_c;
  layer.in_h = layer.in_w = size;
  layer.out_h = layer.out_w = size - 2;  // valid padding, stride 1
  layer.kernel_h = layer.kernel_w = 3;
  return layer;
}

// DORY's objective (Eq. 7) for a measured tile, as the documentation states it.
int64_t score(const LayerTiling& t, const TilingTarget& target) {
  return target.memory_weight * (t.input_bytes + t.weight_bytes + t.output_bytes) +
         target.shape_bonus *
             (int64_t{t.channels_multiple} + int64_t{t.whole_rows} + int64_t{t.even_rows});
}

// The best score over every tile shape that fits, by enumeration.
int64_t exhaustive_best_score(const LayerGeometry& layer, const TilingTarget& target) {
  int64_t best = -1;
  for (int64_t c = 1; c <= layer.out_channels; ++c)
    for (int64_t h = 1; h <= layer.out_h; ++h)
      for (int64_t w = 1; w <= layer.out_w; ++w) {
        const LayerTiling t = measure_tile(layer, target, c, h, w);
        if (t.working_set_bytes <= target.memory_bytes) best = std::max(best, score(t, target));
      }
  return best;
}

TilingTarget memory_of(int64_t bytes) {
  TilingTarget target;
  target.memory_bytes = bytes;
  target.time_limit = std::chrono::milliseconds(60000);  // small problems: solved to optimality
  return target;
}

TEST(LayerTiling, LayerThatFitsIsNotTiled) {
  const LayerGeometry layer = conv3x3(8, 16, 10);
  const LayerTiling t = solve_layer_tiling(layer, memory_of(1 << 20));
  EXPECT_EQ(t.method, TilingMethod::WholeLayer);
  EXPECT_EQ(t.tile.out_channels, 16);
  EXPECT_EQ(t.tile.out_h, 8);
  EXPECT_EQ(t.tile.out_w, 8);
  EXPECT_EQ(t.tile_count, 1);
}

TEST(LayerTiling, WorkingSetCountsEveryBufferAndTheHalo) {
  const LayerGeometry layer = conv3x3(8, 16, 10);
  const TilingTarget target = memory_of(1 << 20);
  const LayerTiling t = measure_tile(layer, target, 4, 2, 8);
  EXPECT_EQ(t.tile.in_h, 4);  // 2 output rows of a 3x3 window read 4 input rows
  EXPECT_EQ(t.tile.in_w, 10);
  EXPECT_EQ(t.input_bytes, 8 * 4 * 10);
  EXPECT_EQ(t.weight_bytes, 4 * (8 * 9 + 4));
  EXPECT_EQ(t.output_bytes, 4 * 2 * 8);
  EXPECT_EQ(t.scratch_bytes, 2 * 8 * 9 * 2);
  EXPECT_EQ(t.working_set_bytes, 2 * (320 + 304 + 64) + 288);
  EXPECT_EQ(t.tile_count, 4 * 4 * 1);
}

TEST(LayerTiling, SolverTileIsOptimalForConvolution) {
  const LayerGeometry layer = conv3x3(16, 32, 18);
  const TilingTarget target = memory_of(8 * 1024);
  const LayerTiling t = solve_layer_tiling(layer, target);
  EXPECT_EQ(t.method, TilingMethod::SolverOptimal);
  EXPECT_LE(t.working_set_bytes, target.memory_bytes);
  EXPECT_EQ(score(t, target), exhaustive_best_score(layer, target));
  EXPECT_TRUE(t.channels_multiple);
  EXPECT_TRUE(t.whole_rows);
}

TEST(LayerTiling, SolverTileIsOptimalForDepthwiseWithStride) {
  LayerGeometry layer;
  layer.name = "dw";
  layer.depthwise = true;
  layer.in_channels = layer.out_channels = 48;
  layer.in_h = layer.in_w = 17;
  layer.out_h = layer.out_w = 8;
  layer.kernel_h = layer.kernel_w = 3;
  layer.stride_h = layer.stride_w = 2;
  const TilingTarget target = memory_of(4 * 1024);
  const LayerTiling t = solve_layer_tiling(layer, target);
  EXPECT_EQ(t.method, TilingMethod::SolverOptimal);
  EXPECT_EQ(t.tile.in_channels, t.tile.out_channels);  // depthwise tiles split input channels too
  EXPECT_EQ(t.scratch_bytes, 0);
  EXPECT_LE(t.working_set_bytes, target.memory_bytes);
  EXPECT_EQ(score(t, target), exhaustive_best_score(layer, target));
}

TEST(LayerTiling, FullyConnectedSplitsOutputChannels) {
  LayerGeometry layer;
  layer.name = "fc";
  layer.in_channels = 640;
  layer.out_channels = 128;  // 82 KB of weights
  const TilingTarget target = memory_of(16 * 1024);
  const LayerTiling t = solve_layer_tiling(layer, target);
  EXPECT_EQ(t.method, TilingMethod::SolverOptimal);
  EXPECT_EQ(t.tile.out_h, 1);
  EXPECT_LE(t.working_set_bytes, target.memory_bytes);
  EXPECT_EQ(t.tile.out_channels % 4, 0);
  EXPECT_EQ(score(t, target), exhaustive_best_score(layer, target));
}

TEST(LayerTiling, HeuristicFallbackFitsAndTheSolverIsNoWorse) {
  const LayerGeometry layer = conv3x3(16, 32, 18);
  const TilingTarget target = memory_of(8 * 1024);
  const LayerTiling greedy = heuristic_layer_tiling(layer, target);
  EXPECT_EQ(greedy.method, TilingMethod::Heuristic);
  EXPECT_LE(greedy.working_set_bytes, target.memory_bytes);
  EXPECT_GE(score(solve_layer_tiling(layer, target), target), score(greedy, target));
}

TEST(LayerTiling, ImpossibleBudgetNamesTheLayerAndTheSmallestWorkingSet) {
  const LayerGeometry layer = conv3x3(64, 64, 10);
  const TilingTarget target = memory_of(1024);
  const int64_t smallest = smallest_working_set(layer, target);
  EXPECT_GT(smallest, 1024);
  try {
    solve_layer_tiling(layer, target);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'conv3x3'"), std::string::npos) << message;
    EXPECT_NE(message.find(std::to_string(smallest)), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  EXPECT_THROW(heuristic_layer_tiling(layer, target), Error);
}

TEST(LayerTiling, TripleBufferingNeedsMoreMemory) {
  const LayerGeometry layer = conv3x3(16, 32, 18);
  TilingTarget target = memory_of(8 * 1024);
  const LayerTiling doubled = solve_layer_tiling(layer, target);
  target.buffers = 3;
  const LayerTiling tripled = solve_layer_tiling(layer, target);
  EXPECT_LE(tripled.working_set_bytes, target.memory_bytes);
  EXPECT_GE(tripled.tile_count, doubled.tile_count);
}

}  // namespace
}  // namespace kiln::tiling

// ---- a whole model -----------------------------------------------------------------------------

namespace kiln::tiling {
namespace {

Graph optimized_kws() {
  Graph graph = load_model(std::string(KILN_SHARED_DIR) + "/models/mlperf-tiny/onnx/kws_int8.onnx");
  optimize(graph);
  return graph;
}

TEST(GraphTiling, EveryKwsLayerFitsSixteenKilobytes) {
  const Graph graph = optimized_kws();
  TilingTarget target;
  target.memory_bytes = 16 * 1024;
  const GraphTiling result = tile_graph(graph, target);
  ASSERT_EQ(result.layers.size(), 10u);  // 5 Conv, 4 depthwise Conv, 1 Gemm
  int depthwise = 0;
  for (const NodeTiling& layer : result.layers) {
    EXPECT_LE(layer.tiling.working_set_bytes, target.memory_bytes) << layer.node;
    EXPECT_EQ(layer.geometry.activation_bytes, 1) << layer.node;  // int8 after lowering
    depthwise += layer.geometry.depthwise ? 1 : 0;
  }
  EXPECT_EQ(depthwise, 4);
  EXPECT_EQ(
      result.whole_layers + result.solved_optimally + result.solver_time_limited + result.heuristic,
      10);
}

TEST(GraphTiling, MemoryNoLayerFitsNamesTheFirstLayer) {
  const Graph graph = optimized_kws();
  TilingTarget target;
  target.memory_bytes = 256;
  try {
    tile_graph(graph, target);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("layer '"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("256 bytes"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace kiln::tiling

// ---- L3 -> L2 staging --------------------------------------------------------------------------

namespace kiln::tiling {
namespace {

LayerGeometry fully_connected(int64_t in, int64_t out) {
  LayerGeometry layer;
  layer.name = "fc";
  layer.in_channels = in;
  layer.out_channels = out;
  return layer;
}

TEST(L3Staging, LayerThatFitsL2StreamsNothing) {
  const L3Staging s = stage_layer(conv3x3(8, 16, 10), 64 * 1024, false);
  EXPECT_EQ(s.stage, 0);
  EXPECT_FALSE(s.input_streamed || s.weights_streamed || s.output_streamed);
  EXPECT_EQ(s.l2_bytes, 8 * 10 * 10 + 16 * (8 * 9 + 4) + 16 * 8 * 8);
  EXPECT_EQ(s.l3_traffic_bytes, 16 * (8 * 9 + 4));  // the weights, once
  EXPECT_EQ(s.chunk.out_channels, 16);
}

TEST(L3Staging, WeightsLargerThanL2AreStreamedInChannelChunks) {
  const LayerGeometry layer = fully_connected(640, 128);  // 82,432 bytes of weights
  const L3Staging s = stage_layer(layer, 32 * 1024, false);
  EXPECT_EQ(s.stage, 2);
  EXPECT_TRUE(s.weights_streamed);
  EXPECT_FALSE(s.output_streamed);
  EXPECT_LE(s.l2_bytes, 32 * 1024);
  // Two buffers of (channels x 644 bytes) + 640 input + 128 output bytes.
  EXPECT_EQ(s.l2_bytes, 2 * s.output_channels_per_chunk * 644 + 640 + 128);
  EXPECT_EQ(2 * (s.output_channels_per_chunk + 1) * 644 + 640 + 128 > 32 * 1024, true);
  EXPECT_EQ(s.chunk.out_channels, s.output_channels_per_chunk);
  EXPECT_EQ(s.l3_traffic_bytes, 128 * 644);  // every weight once
}

TEST(L3Staging, LargeActivationsStreamTheOutputNotTheWeights) {
  LayerGeometry layer = conv3x3(8, 32, 66);  // output 32 x 64 x 64 = 131,072 bytes
  const L3Staging s = stage_layer(layer, 96 * 1024, false);
  EXPECT_EQ(s.stage, 3);
  EXPECT_TRUE(s.output_streamed);
  EXPECT_FALSE(s.weights_streamed);
  EXPECT_LE(s.l2_bytes, 96 * 1024);
  EXPECT_EQ(s.chunk.out_h, s.output_rows_per_stripe);
  EXPECT_EQ(s.chunk.in_h, s.output_rows_per_stripe + 2);
}

TEST(L3Staging, InputLeftInL3IsStreamedWithItsHalo) {
  const LayerGeometry layer = conv3x3(16, 16, 34);  // input 18,496 bytes
  const L3Staging s = stage_layer(layer, 24 * 1024, true);
  EXPECT_EQ(s.stage, 1);
  EXPECT_TRUE(s.input_streamed);
  EXPECT_LE(s.l2_bytes, 24 * 1024);
  const int64_t weights = 16 * (16 * 9 + 4);
  const int64_t stripes = (32 + s.output_rows_per_stripe - 1) / s.output_rows_per_stripe;
  // Every stripe re-reads the 2 halo rows of a 3x3 window: traffic grows with the stripe count.
  EXPECT_EQ(s.l3_traffic_bytes, weights + (32 + 2 * stripes) * 16 * 34);
}

TEST(L3Staging, ImpossibleL2NamesTheLayerAndWhatItNeeds) {
  try {
    stage_layer(conv3x3(64, 64, 10), 512, false);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'conv3x3'"), std::string::npos) << message;
    EXPECT_NE(message.find("at least"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace kiln::tiling
