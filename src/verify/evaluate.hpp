#pragma once
// Accuracy of a classifier graph on a labelled Dataset (verify/dataset.hpp): the interpreter runs
// the graph on every sample and the first graph output is read as one score per class.
// Works for float graphs and for quantized ones with integer I/O: each float sample is quantized
// with the graph input's Tensor::quant (round half to even, saturate, like QuantizeLinear), and
// integer outputs are dequantized with the output's quant before ranking. Dequantization is
// monotonic (scale > 0), so the ranking equals the ranking of the raw integers.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ir/graph.hpp"
#include "verify/dataset.hpp"

namespace kiln {

struct ClassMetrics {
  int64_t support = 0;         // samples whose label is this class
  int64_t predicted = 0;       // samples predicted as this class
  int64_t true_positives = 0;  // both
  // nullopt when undefined (nothing predicted as / labelled with this class).
  std::optional<double> precision() const;
  std::optional<double> recall() const;
};

struct EvalResult {
  std::string name;  // which build ("float", "int8 per-channel", ...)
  int64_t samples = 0;
  int64_t num_classes = 0;  // the model's score count
  int64_t top1_correct = 0;
  int64_t top5_correct = 0;                     // meaningful only when has_top5()
  std::vector<std::vector<int64_t>> confusion;  // [label][prediction]
  std::vector<int64_t> predictions;             // per sample, in dataset order
  double seconds = 0;                           // wall time of the runs

  double top1() const;  // fraction in [0, 1]
  bool has_top5() const { return num_classes > 5; }
  double top5() const;
  std::vector<ClassMetrics> per_class() const;
};

struct EvalOptions {
  // Called after each sample with (done, total); e.g. a progress bar.
  std::function<void(int64_t, int64_t)> progress;
};

// Runs `graph` (one runtime input, shape-inferred) on every sample of `dataset` (which must have
// labels) and scores the predictions. Ties between equal scores go to the lower class index
// (numpy's argmax), for top-1 and for the top-5 rank alike. kiln::Error when the dataset has no
// labels, a sample does not fit the input, or a label is not below the model's score count.
EvalResult evaluate_graph(const Graph& graph, const Dataset& dataset, const std::string& name,
                          const EvalOptions& options = {});

// The graph input tensor fed from a float sample: copied for a float input, quantized with the
// input's quant parameters for an Int8/UInt8/Int16 input. Error for other input types.
Tensor model_input_from_sample(const Tensor& graph_input, const Tensor& sample);
// A graph output as float scores: dequantized when it carries quant parameters.
std::vector<float> output_scores(const Tensor& output);

// Reporting. `class_names` may be empty (classes are then numbered). The first result is the
// baseline that deltas are taken against.
nlohmann::json eval_to_json(const EvalResult& result, std::span<const std::string> class_names);
std::string format_summary_table(std::span<const EvalResult> results);
std::string format_summary_markdown(std::span<const EvalResult> results);
std::string format_per_class_table(std::span<const EvalResult> results,
                                   std::span<const std::string> class_names);
std::string format_confusion_matrix(const EvalResult& result,
                                    std::span<const std::string> class_names);

}  // namespace kiln
