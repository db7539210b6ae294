#pragma once
// Helpers for the real-model tests: run ONNX Runtime (tests/ort/run_ort.js) and the `kiln` CLI
// as subprocesses, exchange tensors as raw float32 files and ONNX TensorProto test data sets,
// and compare float outputs with one tolerance rule.
//
// ONNX Runtime comes from npm (scripts/setup_npm.sh). When it is missing the tests skip with a
// message locally and FAIL under CI=true, so a CI run can never pass without the reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ir/graph.hpp"
#include "ir/tensor.hpp"

namespace kiln::realmodel {

namespace fs = std::filesystem;

fs::path source_dir();   // the repository root
fs::path kiln_binary();  // the `kiln` CLI built alongside the tests
fs::path shared_dir();   // /work/shared-style directory beside the repository (models)

bool running_in_ci();  // CI=true in the environment

// Why ONNX Runtime cannot be used, or nullopt when it can. The first call runs
// scripts/setup_npm.sh if onnxruntime-node does not load yet; the answer is cached.
std::optional<std::string> ort_unavailable_reason();

// A fresh directory under the system temp dir, removed (with contents) on destruction unless
// KILN_KEEP_TEST_DIRS is set in the environment (then its path is printed for debugging).
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct CommandResult {
  int exit_code = -1;  // -1 when the process did not exit normally
  std::string output;  // stdout and stderr interleaved
};

// Runs argv (no shell interpretation of the arguments) with `working_dir` as cwd.
CommandResult run_command(const std::vector<std::string>& argv,
                          const fs::path& working_dir = fs::current_path());

// A named float32 tensor in host memory.
struct FloatTensor {
  std::string name;
  Shape shape;
  std::vector<float> values;
};

// The runtime (non-initializer) inputs and the outputs of an ONNX model with their declared
// shapes; symbolic or unknown dims become 1 (kiln's default too). Only float32 is supported.
struct ModelSignature {
  std::vector<FloatTensor> inputs;  // values empty
  std::vector<FloatTensor> outputs;
};
ModelSignature read_model_signature(const fs::path& model_path);

// Deterministic uniform floats in [low, high): std::mt19937's sequence is fixed by the standard,
// and the mapping to floats is done here (std::uniform_real_distribution is not portable).
std::vector<float> uniform_floats(std::mt19937& generator, int64_t count, float low, float high);

// Runs ONNX Runtime on every sample (one vector of inputs per sample) and returns its outputs
// per sample, in the model's output order. `work_dir` receives the exchange files.
std::vector<std::vector<FloatTensor>> run_onnx_runtime(
    const fs::path& model_path, const std::vector<std::vector<FloatTensor>>& samples,
    const fs::path& work_dir);

// Writes `dir`/test_data_set_<index>/input_<i>.pb and output_<j>.pb (ONNX TensorProto).
void write_test_data_set(const fs::path& dir, int index, const std::vector<FloatTensor>& inputs,
                         const std::vector<FloatTensor>& outputs);

// kiln's interpreter on the optimized graph (the same pipeline `kiln compile` runs).
class KilnInterpreter {
 public:
  explicit KilnInterpreter(const fs::path& model_path);
  ~KilnInterpreter();
  KilnInterpreter(const KilnInterpreter&) = delete;
  KilnInterpreter& operator=(const KilnInterpreter&) = delete;
  std::vector<FloatTensor> run(const std::vector<FloatTensor>& inputs) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Runs kiln's verify library (what `kiln verify MODEL --inputs DIR --rtol R` does): generated C
// bit-exact against the interpreter on the optimized graph, and both within rtol/atol of the
// expected outputs in DIR's test data sets. Returns whether it passed, with a report holding the
// worst errors against the expected outputs and the first failing lines of the summary.
struct VerifyOutcome {
  bool passed = false;
  int cases = 0;
  double max_abs_vs_expected = 0.0;  // generated C vs expected, over all cases and outputs
  double max_rel_vs_expected = 0.0;
  std::string report;
};
// `check_unoptimized` also runs the interpreter on the graph as loaded (kiln verify's default);
// turning it off saves a third of the time on thousands of cases.
VerifyOutcome verify_against_test_data(const fs::path& model_path, const fs::path& data_dir,
                                       double rtol, bool check_unoptimized = true);

// The tolerance rule of all real-model comparisons: |actual - expected| <= rtol * max(1,
// |expected|), i.e. relative for values above 1 and absolute below (softmax probabilities,
// small logits). scaled_error is the left side divided by max(1, |expected|).
inline double scaled_error(float actual, float expected) {
  const double magnitude = std::max(1.0, std::abs(static_cast<double>(expected)));
  return std::abs(static_cast<double>(actual) - static_cast<double>(expected)) / magnitude;
}

// Largest scaled_error over two tensors of equal shape; +infinity on a shape mismatch or NaN.
double max_scaled_error(const FloatTensor& actual, const FloatTensor& expected);

// ---- typed (integer) tensors ------------------------------------------------------------------

std::string read_text(const fs::path& path);
// ONNX Runtime's name for a kiln dtype in run_ort.js sidecars ("int8", "float32", ...).
std::string ort_dtype_name(DType dtype);
DType dtype_from_ort_name(const std::string& name);
// Runs ONNX Runtime on typed tensors (run_ort.js's "dtype" sidecar field); outputs per sample.
// `optimization` is ONNX Runtime's graph optimization level ("basic", "extended" or "all"); QDQ
// models need "all" (ONNX Runtime's default) to run through its integer kernels.
std::vector<std::vector<Tensor>> run_ort_typed(const fs::path& model,
                                               const std::vector<std::vector<Tensor>>& samples,
                                               const fs::path& work_dir,
                                               const std::string& optimization = "basic");
// The graph's runtime inputs as empty tensors (name, dtype, shape).
std::vector<Tensor> input_templates(const Graph& graph);
// Element `index` of an integer tensor.
int64_t element_as_int(const Tensor& tensor, int64_t index);

}  // namespace kiln::realmodel

// Skips (locally) or fails (CI=true) the current test when ONNX Runtime is unavailable.
#define KILN_REQUIRE_ORT()                                                          \
  do {                                                                              \
    if (const auto kiln_ort_reason = ::kiln::realmodel::ort_unavailable_reason()) { \
      if (::kiln::realmodel::running_in_ci()) {                                     \
        FAIL() << "ONNX Runtime is required under CI=true: " << *kiln_ort_reason;   \
      }                                                                             \
      GTEST_SKIP() << "ONNX Runtime unavailable (" << *kiln_ort_reason              \
                   << "); run scripts/setup_npm.sh";                                \
    }                                                                               \
  } while (false)
