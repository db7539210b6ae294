// Timings of memory planning (scheduling + in-place + packing), kept out of the test suite: a
// test asserts behaviour, never speed. plan_memory/<model> loads and optimizes a model once, then
// times plan_memory() on a fresh copy of the optimized graph (models missing from this checkout,
// e.g. the shared MLPerf Tiny directory, are reported as skipped); plan_memory/random_dags times
// 30 random DAGs of up to 41 nodes, the workload of the unit test
// MemorySchedule.RandomGraphsGetValidSchedulesNoWorseThanTheGivenOrder, where the exact search
// runs into its state limit.
//   build/benchmarks/kiln_benchmarks [--benchmark_filter=REGEX]
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "frontend/load_model.hpp"
#include "ir/graph.hpp"
#include "memory/memory_plan.hpp"
#include "ops/op_registry.hpp"
#include "passes/pipeline.hpp"

namespace kiln {
namespace {

namespace fs = std::filesystem;

void plan_model(benchmark::State& state, const fs::path& model) {
  if (!fs::exists(model)) {
    state.SkipWithError(("model not found: " + model.string()).c_str());
    return;
  }
  Graph optimized = load_model(model.string());
  optimize(optimized);
  for (auto _ : state) {
    state.PauseTiming();
    Graph graph = optimized;
    state.ResumeTiming();
    benchmark::DoNotOptimize(plan_memory(graph));
  }
  state.counters["nodes"] = static_cast<double>(optimized.nodes.size());
}

// The node of the random DAGs: an op with an output buffer of its own (no in-place execution)
// whose output size is free, so the DAGs can mix large and small values. Planned, never run.
void register_bench_ops() {
  OpDef def;
  def.op_type = "Node";
  def.domain = "bench.schedule";
  def.infer = [](const Node&, Graph&) {};
  def.lower = [](const Node& node, const Graph&) {  // the planner asks which kernel runs
    KernelCall call("kiln_copy");
    for (const std::string& in : node.inputs) call.input(in);
    call.output(node.outputs[0]);
    return call;
  };
  register_op(def);
}
KILN_REGISTER_OPS(register_bench_ops);

// Each node reads one or two earlier values and writes a float vector of 1 to 500 elements.
Graph random_dag(std::mt19937& random) {
  Graph g;
  g.name = "random_dag";
  const auto vector_tensor = [&](const std::string& name, int64_t elements) {
    Tensor t;
    t.name = name;
    t.shape = {elements};
    t.shape_known = true;
    g.add_tensor(t);
  };
  std::vector<std::string> values = {"x"};
  vector_tensor("x", 4);
  const int nodes = 2 + static_cast<int>(random() % 40);
  for (int i = 0; i < nodes; ++i) {
    Node node;
    node.name = "n" + std::to_string(i);
    node.op_type = "Node";
    node.domain = "bench.schedule";
    node.inputs = {values[random() % values.size()]};
    const std::string second = values[random() % values.size()];
    if (random() % 3 == 0 && second != node.inputs[0]) node.inputs.push_back(second);
    node.outputs = {node.name};
    vector_tensor(node.name, 1 + static_cast<int64_t>(random() % 500));
    values.push_back(node.name);
    g.nodes.push_back(std::move(node));
  }
  g.inputs = {"x"};
  g.outputs = {values.back()};
  g.shapes_inferred = true;
  g.verify();
  return g;
}

void plan_random_dags(benchmark::State& state) {
  for (auto _ : state) {
    std::mt19937 random(20261204);
    for (int trial = 0; trial < 30; ++trial) {
      state.PauseTiming();
      Graph graph = random_dag(random);
      state.ResumeTiming();
      benchmark::DoNotOptimize(plan_memory(graph));
    }
  }
}
BENCHMARK(plan_random_dags)->Name("plan_memory/random_dags")->Unit(benchmark::kMillisecond);

int register_models() {
  const fs::path repo = KILN_SOURCE_DIR;
  const fs::path tiny = repo / ".." / "shared" / "models" / "mlperf-tiny";
  const std::vector<fs::path> models = {
      repo / "examples" / "mnist" / "mnist.onnx",
      repo / "tests" / "data" / "memory" / "branches.onnx",
      tiny / "onnx" / "kws_int8.onnx",
      tiny / "onnx" / "resnet8_fp32.onnx",
      tiny / "onnx" / "vww96_fp32.onnx",
      tiny / "tflite" / "str_ww_ref_model.tflite",
      tiny / "tflite" / "pretrainedResnet_quant.tflite",
  };
  for (const fs::path& model : models)
    benchmark::RegisterBenchmark(("plan_memory/" + model.stem().string()).c_str(), plan_model,
                                 model)
        ->Unit(benchmark::kMillisecond);
  return 0;
}
const int registered = register_models();

}  // namespace
}  // namespace kiln
