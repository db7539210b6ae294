// `kiln tile MODEL --memory BYTES`: loads and optimizes a model as `kiln compile` does and tiles
// every convolution-like layer for a memory of BYTES (DORY's L2 -> L1 problem, src/tiling/):
// per layer the tile shape, the working set with its buffers, the tile count and how the tile
// was found (whole layer, solver optimal, solver at its time limit, heuristic), then totals.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "frontend/load_model.hpp"
#include "ir/error.hpp"
#include "passes/pipeline.hpp"
#include "targets/target.hpp"
#include "tiling/graph_tiling.hpp"

namespace kiln::cli {
namespace {

struct TileOptions {
  std::string model;
  std::vector<std::string> shapes;
  int64_t memory_bytes = 0;
  std::string target;
  std::string level = "L1";
  int64_t buffers = 2;
  int64_t channel_multiple = 4;
  int64_t time_limit_ms = 500;
};

void run_tile(const TileOptions& options) {
  LoadOptions load_options;
  for (const std::string& s : options.shapes) parse_shape_override(s, load_options);
  Graph graph = load_model(options.model, load_options);
  naming_model(options.model, [&] { optimize(graph); });
  tiling::TilingTarget target;
  target.memory_bytes = options.memory_bytes;
  std::string budget_source = "--memory";
  if (!options.target.empty()) {
    const Target board = resolve_target(options.target);
    const TargetMemoryLevel* level = board.memory_level(options.level);
    if (!level)
      throw Error("target '" + board.name + "' describes no memory level '" + options.level +
                  "' (memory.levels in its description)");
    if (options.memory_bytes == 0) {
      target.memory_bytes = static_cast<int64_t>(level->bytes);
      budget_source = board.name + " " + level->name + " (" + level->region + ")";
    }
  }
  if (target.memory_bytes == 0)
    throw CLI::ValidationError("--memory", "give --memory BYTES or --target with memory levels");
  target.buffers = options.buffers;
  target.channel_multiple = options.channel_multiple;
  target.time_limit = std::chrono::milliseconds(options.time_limit_ms);
  const tiling::GraphTiling result =
      naming_model(options.model, [&] { return tiling::tile_graph(graph, target); });

  fmt::print("tiling {} for {} bytes ({}), {} buffers per tile, channel multiple {}\n\n",
             options.model, target.memory_bytes, budget_source, options.buffers,
             options.channel_multiple);
  fmt::print("{:<28} {:<6} {:>18} {:>18} {:>10} {:>6}  {}\n", "layer", "op", "layer CoxHxW",
             "tile CoxHxW", "bytes", "tiles", "found by");
  for (const tiling::NodeTiling& layer : result.layers) {
    const tiling::LayerGeometry& g = layer.geometry;
    const tiling::LayerTiling& t = layer.tiling;
    std::string name =
        layer.node.size() > 28 ? "..." + layer.node.substr(layer.node.size() - 25) : layer.node;
    fmt::print("{:<28} {:<6} {:>18} {:>18} {:>10} {:>6}  {}\n", name,
               g.depthwise ? "DwConv" : layer.op,
               fmt::format("{}x{}x{}", g.out_channels, g.out_h, g.out_w),
               fmt::format("{}x{}x{}", t.tile.out_channels, t.tile.out_h, t.tile.out_w),
               t.working_set_bytes, t.tile_count, tiling::tiling_method_name(t.method));
  }
  fmt::print("\nlayers: {} ({} whole, {} solver optimal, {} solver at time limit, {} heuristic)\n",
             result.layers.size(), result.whole_layers, result.solved_optimally,
             result.solver_time_limited, result.heuristic);
  fmt::print("solver time: {:.1f} ms\n", result.solve_ms);
}

void setup_tile(CLI::App& app) {
  auto options = std::make_shared<TileOptions>();
  CLI::App* cmd = app.add_subcommand(
      "tile", "Tile every convolution-like layer of a model for a small memory (L1)");
  cmd->add_option("model", options->model, "Model file (ONNX or TFLite)")->required();
  cmd->add_option("--shape", options->shapes,
                  "Fix the dims of a graph input, e.g. --shape input=1,3,96,96 (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--memory", options->memory_bytes,
                  "Bytes of the memory the tiles live in (default: --target's level)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  cmd->add_option("--target", options->target,
                  "Target whose memory level sizes the tiles (name or .json description)");
  cmd->add_option("--level", options->level, "Memory level of --target the tiles live in")
      ->capture_default_str();
  cmd->add_option("--buffers", options->buffers, "Copies of each tile (2: double buffering)")
      ->check(CLI::Range(1, 8));
  cmd->add_option("--channel-multiple", options->channel_multiple,
                  "Output-channel tile multiple the kernels prefer")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--time-limit-ms", options->time_limit_ms,
                  "Solver time per layer before the best tile found so far is taken")
      ->check(CLI::Range(1, 3600000));
  cmd->callback([options] { run_tile(*options); });
}

KILN_CLI_COMMAND(setup_tile);

}  // namespace
}  // namespace kiln::cli
