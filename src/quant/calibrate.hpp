#pragma once
// Calibration: the sample inputs a float graph is run on, and the range observers fed with every
// float activation tensor (graph inputs and every node output) during those runs.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "interpreter/interpreter.hpp"
#include "ir/graph.hpp"
#include "quant/observers.hpp"
#include "quant/quantize_options.hpp"

namespace kiln {

// Loads up to source.max_samples input sets for `graph` from source.path:
//  - a directory of ONNX test data sets (test_data_set_*/input_<k>.pb) or one such set: one
//    sample per set, input k feeding graph input k (any number of inputs);
//  - a directory of *.pb / *.npy files (sorted by name) or one such file: for single-input
//    graphs; a file holding exactly the input's element count is one sample, a .npy file of N
//    times that (first dim N) is N samples;
//  - anything else (an IDX images file, a directory with IDX files): verify/dataset's
//    load_dataset() with source.preprocess.
// Tensor files are converted to float32 and go through source.preprocess when one is given, then
// take the input's shape. kiln::Error naming the file on unusable data.
std::vector<TensorMap> load_calibration_samples(const Graph& graph,
                                                const CalibrationSource& source);

struct CalibrationResult {
  int64_t samples = 0;
  // One observer per float tensor that is a graph input or a runtime node output.
  std::map<std::string, std::unique_ptr<RangeObserver>> observers;
};

// Runs `graph` in the interpreter on each sample and feeds the observers. Shows a one-line
// progress bar on stderr when options.progress is set and stderr is a terminal.
CalibrationResult calibrate(const Graph& graph, const std::vector<TensorMap>& samples,
                            const QuantizeOptions& options);

// One-line progress bar on stderr ("\r" updates); inactive unless `enabled` and stderr is a TTY.
class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  void update(int64_t done);
  bool active() const { return active_; }

 private:
  std::string label_;
  int64_t total_;
  bool active_;
  int last_percent_ = -1;
};

}  // namespace kiln
