#include "quant/calibrate.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "quant/npy.hpp"
#include "verify/dataset.hpp"
#include "verify/tensor_io.hpp"

namespace kiln {

namespace fs = std::filesystem;

namespace {

bool is_test_data_dir(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.starts_with("test_data_set_")) return true;
    if (entry.is_regular_file() && name.starts_with("input_") && name.ends_with(".pb")) return true;
  }
  return false;
}

std::vector<fs::path> tensor_files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path& p = entry.path();
    if (entry.is_regular_file() && (p.extension() == ".pb" || p.extension() == ".npy"))
      files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Tensor file contents as float32 values, through the preprocessing when one is given.
std::vector<float> float_values(const Tensor& t, const Preprocess& pre, bool apply,
                                const std::string& where) {
  std::vector<float> out(static_cast<size_t>(t.elements()));
  if (static_cast<int64_t>(t.data.size()) != t.bytes())
    throw Error(where + ": tensor data does not match its shape");
  for (size_t i = 0; i < out.size(); ++i) {
    double v = 0.0;
    switch (t.dtype) {
      case DType::Float32: {
        float f;
        std::memcpy(&f, t.data.data() + i * 4, 4);
        v = f;
        break;
      }
      case DType::UInt8: v = t.data[i]; break;
      case DType::Int8: v = static_cast<int8_t>(t.data[i]); break;
      default:
        throw Error(where + ": calibration tensors must be float32, uint8 or int8, got " +
                    std::string(dtype_name(t.dtype)));
    }
    out[i] = static_cast<float>(apply ? (v * pre.scale - pre.mean) / pre.std : v);
  }
  return out;
}

Tensor input_from_values(const Tensor& input, std::span<const float> values) {
  Tensor t;
  t.name = input.name;
  t.dtype = DType::Float32;
  t.shape = input.shape;
  t.shape_known = true;
  t.data.resize(values.size() * sizeof(float));
  std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

// Splits one tensor file into samples for `input`: exactly one input's worth of values, or N of
// them when the first dim is N.
void add_file_samples(const Tensor& file_tensor, const Tensor& input, const Preprocess& pre,
                      bool apply, const std::string& where, int64_t max_samples,
                      std::vector<TensorMap>& samples) {
  const std::vector<float> values = float_values(file_tensor, pre, apply, where);
  const int64_t per_sample = input.elements();
  const auto total = static_cast<int64_t>(values.size());
  int64_t count = 0;
  if (total == per_sample) {
    count = 1;
  } else if (per_sample > 0 && total % per_sample == 0 && !file_tensor.shape.empty() &&
             file_tensor.shape[0] == total / per_sample) {
    count = total / per_sample;
  } else {
    throw Error(where + ": " + shape_to_string(file_tensor.shape) + " does not fit input " +
                quote_name(input.name) + " (" + shape_to_string(input.shape) + ", or N x that)");
  }
  for (int64_t k = 0; k < count && static_cast<int64_t>(samples.size()) < max_samples; ++k) {
    TensorMap sample;
    sample[input.name] = input_from_values(
        input, std::span<const float>(values).subspan(static_cast<size_t>(k * per_sample),
                                                      static_cast<size_t>(per_sample)));
    samples.push_back(std::move(sample));
  }
}

const Tensor& single_input(const Graph& graph, const std::string& where) {
  if (graph.inputs.size() != 1)
    throw Error(where + ": one tensor per file only works for single-input models (this one has " +
                std::to_string(graph.inputs.size()) +
                " inputs: use test_data_set_*/input_<k>.pb directories)");
  const Tensor& input = graph.tensor(graph.inputs[0]);
  if (input.dtype != DType::Float32)
    throw Error(where + ": model input " + quote_name(input.name) + " is " +
                std::string(dtype_name(input.dtype)) + ", calibration needs a float32 input");
  return input;
}

}  // namespace

std::vector<TensorMap> load_calibration_samples(const Graph& graph,
                                                const CalibrationSource& source) {
  if (source.path.empty())
    throw Error("quantization needs calibration data (--calibration DIR|FILE)");
  const fs::path path(source.path);
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(source.path + ": no such file or directory");
  if (!fs::is_directory(path, ec) && !fs::is_regular_file(path, ec))
    throw Error(source.path +
                ": calibration data is not a regular file or directory (a device, pipe or socket)");
  const Preprocess pre = parse_preprocess(source.preprocess);
  const bool apply = !source.preprocess.empty();
  const int64_t max_samples =
      source.max_samples < 0 ? std::numeric_limits<int64_t>::max() : source.max_samples;
  std::vector<TensorMap> samples;

  if (fs::is_directory(path) && is_test_data_dir(path)) {
    for (const TestDataSet& set : load_test_data(path)) {
      if (static_cast<int64_t>(samples.size()) >= max_samples) break;
      const std::string where = (path / set.label).string();
      if (set.inputs.size() != graph.inputs.size())
        throw Error(where + ": " + std::to_string(set.inputs.size()) + " input files for " +
                    std::to_string(graph.inputs.size()) + " model inputs");
      TensorMap sample;
      for (size_t k = 0; k < set.inputs.size(); ++k) {
        const Tensor& input = graph.tensor(graph.inputs[k]);
        const std::string file = where + "/input_" + std::to_string(k) + ".pb";
        if (input.dtype != DType::Float32) {
          if (set.inputs[k].dtype != input.dtype || set.inputs[k].elements() != input.elements())
            throw Error(file + ": does not match input " + quote_name(input.name) + " (" +
                        std::string(dtype_name(input.dtype)) + " " + shape_to_string(input.shape) +
                        ")");
          Tensor t = set.inputs[k];
          t.name = input.name;
          t.shape = input.shape;
          sample[input.name] = std::move(t);
          continue;
        }
        const std::vector<float> values = float_values(set.inputs[k], pre, apply, file);
        if (static_cast<int64_t>(values.size()) != input.elements())
          throw Error(file + ": " + shape_to_string(set.inputs[k].shape) + " does not fit input " +
                      quote_name(input.name) + " (" + shape_to_string(input.shape) + ")");
        sample[input.name] = input_from_values(input, values);
      }
      samples.push_back(std::move(sample));
    }
  } else if (fs::is_directory(path) && !tensor_files_in(path).empty()) {
    for (const fs::path& file : tensor_files_in(path)) {
      if (static_cast<int64_t>(samples.size()) >= max_samples) break;
      const Tensor& input = single_input(graph, file.string());
      const Tensor t = file.extension() == ".npy" ? read_npy(file) : read_tensor_pb(file);
      add_file_samples(t, input, pre, apply, file.string(), max_samples, samples);
    }
  } else if (fs::is_regular_file(path) &&
             (path.extension() == ".npy" || path.extension() == ".pb")) {
    const Tensor& input = single_input(graph, source.path);
    const Tensor t = path.extension() == ".npy" ? read_npy(path) : read_tensor_pb(path);
    add_file_samples(t, input, pre, apply, source.path, max_samples, samples);
  } else {
    const Tensor& input = single_input(graph, source.path);
    Dataset dataset = load_dataset(source.path, pre, input.shape, source.max_samples);
    for (Tensor& t : dataset.samples) {
      if (t.dtype != DType::Float32 || t.elements() != input.elements())
        throw Error(source.path + ": dataset samples (" + shape_to_string(t.shape) +
                    ") do not fit input " + quote_name(input.name) + " (" +
                    shape_to_string(input.shape) + ")");
      t.name = input.name;
      t.shape = input.shape;
      TensorMap sample;
      sample[input.name] = std::move(t);
      samples.push_back(std::move(sample));
    }
  }
  if (samples.empty()) throw Error(source.path + ": no calibration samples found");
  return samples;
}

// --- progress --------------------------------------------------------------------------------

ProgressBar::ProgressBar(std::string label, int64_t total, bool enabled)
    : label_(std::move(label)), total_(total), active_(enabled && isatty(STDERR_FILENO) != 0) {
  update(0);
}

ProgressBar::~ProgressBar() {
  if (active_) std::fputc('\n', stderr);
}

void ProgressBar::update(int64_t done) {
  if (!active_) return;
  const int percent = total_ > 0 ? static_cast<int>(100 * done / total_) : 100;
  if (percent == last_percent_ && done != total_) return;
  last_percent_ = percent;
  constexpr int kWidth = 30;
  const int filled = percent * kWidth / 100;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  std::fprintf(stderr, "\r%s [%s] %lld/%lld (%d%%)", label_.c_str(), bar.c_str(),
               static_cast<long long>(done), static_cast<long long>(total_), percent);
  std::fflush(stderr);
}

// --- calibration -----------------------------------------------------------------------------

namespace {

// A tensor that was NaN or infinite in every calibration value has no range to quantize with;
// any scale would be made up.
void check_finite_values(const std::string& name, const RangeObserver& observer, int64_t samples) {
  if (observer.count() > 0 || observer.nonfinite() == 0) return;
  throw Error("calibration: tensor '" + name + "' is NaN or infinite in all " +
              std::to_string(observer.nonfinite()) + " of its values over " +
              std::to_string(samples) +
              " calibration samples, so it has no range to quantize with (check the calibration "
              "data)");
}

}  // namespace

CalibrationResult calibrate(const Graph& graph, const std::vector<TensorMap>& samples,
                            const QuantizeOptions& options) {
  CalibrationResult result;
  std::vector<std::string> observed;  // in graph order, for the error below
  auto add = [&](const std::string& name) {
    const Tensor& t = graph.tensor(name);
    if (t.dtype == DType::Float32 && !t.constant && !result.observers.count(name)) {
      result.observers[name] = make_observer(options.observer, options.percentile);
      observed.push_back(name);
    }
  };
  for (const std::string& name : graph.inputs) add(name);
  for (const Node& node : graph.nodes)
    for (const std::string& out : node.outputs)
      if (!out.empty()) add(out);

  ProgressBar progress("calibrating", static_cast<int64_t>(samples.size()), options.progress);
  const ValueObserver observe = [&](const Tensor& value) {
    auto it = result.observers.find(value.name);
    if (it == result.observers.end()) return;
    it->second->observe(std::span<const float>(reinterpret_cast<const float*>(value.data.data()),
                                               value.data.size() / sizeof(float)));
  };
  for (const TensorMap& sample : samples) {
    run_graph(graph, sample, observe);
    ++result.samples;
    progress.update(result.samples);
  }
  for (const std::string& name : observed)
    check_finite_values(name, *result.observers.at(name), result.samples);
  return result;
}

}  // namespace kiln
