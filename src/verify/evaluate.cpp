#include "verify/evaluate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#include "interpreter/interpreter.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"

namespace kiln {

namespace {

template <typename T>
T read_element(const Tensor& t, int64_t i) {
  T v;
  std::memcpy(&v, t.data.data() + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return v;
}

template <typename T>
void write_element(Tensor& t, int64_t i, T v) {
  std::memcpy(t.data.data() + i * static_cast<int64_t>(sizeof(T)), &v, sizeof(T));
}

// Index of the quantization channel of flat element i (0 for per-tensor).
size_t channel_of(const QuantParams& q, const Shape& shape, int64_t i) {
  if (!q.per_channel()) return 0;
  const int rank = static_cast<int>(shape.size());
  const int axis = q.axis < 0 ? q.axis + rank : q.axis;
  int64_t inner = 1;
  for (int d = axis + 1; d < rank; ++d) inner *= shape[d];
  return static_cast<size_t>((i / inner) % shape[axis]);
}

void check_quant(const Tensor& t, const char* role) {
  if (!t.quant || t.quant->scales.empty())
    throw Error(std::string("graph ") + role + " " + quote_name(t.name) + " is " +
                std::string(dtype_name(t.dtype)) +
                " without quantization parameters; cannot convert float samples");
  const QuantParams& q = *t.quant;
  if (q.zero_points.size() != q.scales.size() && !q.zero_points.empty())
    throw Error(std::string("graph ") + role + " " + quote_name(t.name) +
                ": quantization scales and zero points differ in count");
  if (q.per_channel()) {
    const int rank = static_cast<int>(t.shape.size());
    const int axis = q.axis < 0 ? q.axis + rank : q.axis;
    if (axis < 0 || axis >= rank || t.shape[axis] != static_cast<int64_t>(q.scales.size()))
      throw Error(std::string("graph ") + role + " " + quote_name(t.name) +
                  ": per-channel quantization axis does not match its shape");
  }
}

int32_t zero_point(const QuantParams& q, size_t channel) {
  return q.zero_points.empty() ? 0 : q.zero_points[channel];
}

template <typename T>
void quantize_into(const Tensor& sample, Tensor& out) {
  const QuantParams& q = *out.quant;
  const float* x = reinterpret_cast<const float*>(sample.data.data());
  const double lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  for (int64_t i = 0; i < out.elements(); ++i) {
    const size_t c = channel_of(q, out.shape, i);
    // As QuantizeLinear: float32 division, round half to even (default rounding mode), + zp.
    // NaN has no integer value: it becomes the zero point (real 0) instead of undefined behaviour.
    const float scaled = x[i] / q.scales[c];
    const double v =
        (std::isnan(scaled) ? 0.0 : static_cast<double>(std::nearbyint(scaled))) + zero_point(q, c);
    write_element<T>(out, i, static_cast<T>(std::clamp(v, lo, hi)));
  }
}

template <typename T>
void dequantize_into(const Tensor& t, std::vector<float>& scores) {
  for (int64_t i = 0; i < t.elements(); ++i) {
    const double v = static_cast<double>(read_element<T>(t, i));
    if (t.quant) {
      const size_t c = channel_of(*t.quant, t.shape, i);
      scores[i] = static_cast<float>(t.quant->scales[c] * (v - zero_point(*t.quant, c)));
    } else {
      scores[i] = static_cast<float>(v);
    }
  }
}

std::string percent(double fraction) {
  return fmt::format("{:.2f}%", 100.0 * fraction);
}

std::string class_label(std::span<const std::string> names, int64_t c) {
  if (c < static_cast<int64_t>(names.size())) return names[c];
  return std::to_string(c);
}

std::string metric_text(const std::optional<double>& v) {
  return v ? fmt::format("{:.3f}", *v) : std::string("-");
}

}  // namespace

std::optional<double> ClassMetrics::precision() const {
  if (predicted == 0) return std::nullopt;
  return static_cast<double>(true_positives) / static_cast<double>(predicted);
}

std::optional<double> ClassMetrics::recall() const {
  if (support == 0) return std::nullopt;
  return static_cast<double>(true_positives) / static_cast<double>(support);
}

double EvalResult::top1() const {
  return samples ? static_cast<double>(top1_correct) / static_cast<double>(samples) : 0.0;
}

double EvalResult::top5() const {
  return samples ? static_cast<double>(top5_correct) / static_cast<double>(samples) : 0.0;
}

std::vector<ClassMetrics> EvalResult::per_class() const {
  std::vector<ClassMetrics> metrics(static_cast<size_t>(num_classes));
  for (int64_t label = 0; label < num_classes; ++label)
    for (int64_t predicted = 0; predicted < num_classes; ++predicted) {
      const int64_t n = confusion[label][predicted];
      metrics[label].support += n;
      metrics[predicted].predicted += n;
      if (label == predicted) metrics[label].true_positives += n;
    }
  return metrics;
}

Tensor model_input_from_sample(const Tensor& graph_input, const Tensor& sample) {
  if (sample.dtype != DType::Float32)
    throw Error("sample " + quote_name(sample.name) + " is " +
                std::string(dtype_name(sample.dtype)) + ", not float32");
  if (sample.elements() != graph_input.elements())
    throw Error("sample " + quote_name(sample.name) + " (" + shape_to_string(sample.shape) +
                ") does not fit graph input " + quote_name(graph_input.name) + " (" +
                shape_to_string(graph_input.shape) + ")");
  Tensor out;
  out.name = graph_input.name;
  out.dtype = graph_input.dtype;
  out.shape = graph_input.shape;
  out.shape_known = true;
  out.quant = graph_input.quant;
  switch (graph_input.dtype) {
    case DType::Float32: out.data = sample.data; return out;
    case DType::Int8:
    case DType::UInt8:
    case DType::Int16: break;
    default:
      throw Error("graph input " + quote_name(graph_input.name) + " is " +
                  std::string(dtype_name(graph_input.dtype)) +
                  "; evaluation feeds float32 or quantized int8/uint8/int16 inputs");
  }
  check_quant(graph_input, "input");
  if (graph_input.quant->packed_int4())
    throw Error("graph input " + quote_name(graph_input.name) +
                " is packed int4; not a valid input type");
  out.data.resize(static_cast<size_t>(out.bytes()));
  if (out.dtype == DType::Int8) quantize_into<int8_t>(sample, out);
  if (out.dtype == DType::UInt8) quantize_into<uint8_t>(sample, out);
  if (out.dtype == DType::Int16) quantize_into<int16_t>(sample, out);
  return out;
}

std::vector<float> output_scores(const Tensor& output) {
  std::vector<float> scores(static_cast<size_t>(output.elements()));
  if (output.quant) check_quant(output, "output");
  switch (output.dtype) {
    case DType::Float32:  // already real values, whatever quant says
      std::memcpy(scores.data(), output.data.data(), scores.size() * sizeof(float));
      break;
    case DType::Int8: dequantize_into<int8_t>(output, scores); break;
    case DType::UInt8: dequantize_into<uint8_t>(output, scores); break;
    case DType::Int16: dequantize_into<int16_t>(output, scores); break;
    case DType::Int32: dequantize_into<int32_t>(output, scores); break;
    case DType::Int64: dequantize_into<int64_t>(output, scores); break;
    case DType::Bool: dequantize_into<uint8_t>(output, scores); break;
  }
  return scores;
}

EvalResult evaluate_graph(const Graph& graph, const Dataset& dataset, const std::string& name,
                          const EvalOptions& options) {
  const std::string source = dataset.source.empty() ? std::string("dataset") : dataset.source;
  if (dataset.labels.empty())
    throw Error(source + ": the dataset has no labels; accuracy needs them");
  if (dataset.labels.size() != dataset.samples.size())
    throw Error(source + ": " + std::to_string(dataset.labels.size()) + " labels for " +
                std::to_string(dataset.samples.size()) + " samples");
  if (graph.inputs.size() != 1)
    throw Error("graph " + quote_name(graph.name) + " has " + std::to_string(graph.inputs.size()) +
                " runtime inputs; evaluation needs exactly one");
  if (graph.outputs.empty()) throw Error("graph " + quote_name(graph.name) + " has no outputs");
  const Tensor& input = graph.tensor(graph.inputs.front());
  const Tensor& output_decl = graph.tensor(graph.outputs.front());

  EvalResult result;
  result.name = name;
  result.num_classes = output_decl.elements();
  if (result.num_classes < 1)
    throw Error("graph output " + quote_name(output_decl.name) +
                " is empty; expected class scores");
  if (dataset.num_classes > result.num_classes)
    throw Error(source + ": labels go up to " + std::to_string(dataset.num_classes - 1) +
                " but graph output " + quote_name(output_decl.name) + " has only " +
                std::to_string(result.num_classes) + " scores");
  const auto classes = static_cast<size_t>(result.num_classes);
  result.confusion.assign(classes, std::vector<int64_t>(classes, 0));
  result.predictions.reserve(dataset.samples.size());

  const auto started = std::chrono::steady_clock::now();
  const auto total = static_cast<int64_t>(dataset.samples.size());
  for (int64_t k = 0; k < total; ++k) {
    TensorMap inputs;
    inputs.emplace(input.name, model_input_from_sample(input, dataset.samples[k]));
    const TensorMap outputs = run_graph(graph, inputs);
    const std::vector<float> scores = output_scores(outputs.at(output_decl.name));
    const int64_t label = dataset.labels[k];
    // Lowest index wins ties, as numpy.argmax.
    const auto best =
        static_cast<int64_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
    // Rank of the true class: classes scoring higher, plus equal ones with a lower index.
    int64_t rank = 0;
    for (int64_t c = 0; c < result.num_classes; ++c)
      if (scores[c] > scores[label] || (scores[c] == scores[label] && c < label)) ++rank;
    result.predictions.push_back(best);
    result.confusion[label][best] += 1;
    if (best == label) ++result.top1_correct;
    if (rank < 5) ++result.top5_correct;
    ++result.samples;
    if (options.progress) options.progress(k + 1, total);
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

nlohmann::json eval_to_json(const EvalResult& result, std::span<const std::string> class_names) {
  nlohmann::json j;
  j["name"] = result.name;
  j["samples"] = result.samples;
  j["num_classes"] = result.num_classes;
  j["top1"] = result.top1();
  j["top1_correct"] = result.top1_correct;
  if (result.has_top5()) {
    j["top5"] = result.top5();
    j["top5_correct"] = result.top5_correct;
  }
  j["seconds"] = result.seconds;
  nlohmann::json classes = nlohmann::json::array();
  const std::vector<ClassMetrics> metrics = result.per_class();
  for (int64_t c = 0; c < result.num_classes; ++c) {
    nlohmann::json entry;
    entry["class"] = c;
    entry["name"] = class_label(class_names, c);
    entry["support"] = metrics[c].support;
    entry["predicted"] = metrics[c].predicted;
    entry["true_positives"] = metrics[c].true_positives;
    const auto precision = metrics[c].precision();
    const auto recall = metrics[c].recall();
    entry["precision"] = precision ? nlohmann::json(*precision) : nlohmann::json(nullptr);
    entry["recall"] = recall ? nlohmann::json(*recall) : nlohmann::json(nullptr);
    classes.push_back(entry);
  }
  j["per_class"] = classes;
  j["confusion"] = result.confusion;      // rows: label, columns: prediction
  j["predictions"] = result.predictions;  // top-1 class per sample, in dataset order
  return j;
}

std::string format_summary_table(std::span<const EvalResult> results) {
  if (results.empty()) return "";
  const EvalResult& base = results.front();
  size_t width = 5;
  for (const EvalResult& r : results) width = std::max(width, r.name.size());
  std::string out = fmt::format("{:<{}}  {:>20}  {:>8}  {:>12}  {:>8}\n", "build", width, "top-1",
                                "top-5", "top-1 delta", "time");
  for (const EvalResult& r : results) {
    const std::string top1 =
        fmt::format("{} ({}/{})", percent(r.top1()), r.top1_correct, r.samples);
    const std::string top5 = r.has_top5() ? percent(r.top5()) : std::string("-");
    const std::string delta = &r == &base
                                  ? std::string("baseline")
                                  : fmt::format("{:+.2f} pp", 100.0 * (r.top1() - base.top1()));
    out += fmt::format("{:<{}}  {:>20}  {:>8}  {:>12}  {:>7.1f}s\n", r.name, width, top1, top5,
                       delta, r.seconds);
  }
  return out;
}

std::string format_summary_markdown(std::span<const EvalResult> results) {
  if (results.empty()) return "";
  const EvalResult& base = results.front();
  std::string out =
      "| build | top-1 | top-5 | top-1 vs " + base.name + " |\n| --- | ---: | ---: | ---: |\n";
  for (const EvalResult& r : results) {
    const std::string delta = &r == &base
                                  ? std::string("—")
                                  : fmt::format("{:+.2f} pp", 100.0 * (r.top1() - base.top1()));
    out += fmt::format("| {} | {} ({}/{}) | {} | {} |\n", r.name, percent(r.top1()), r.top1_correct,
                       r.samples, r.has_top5() ? percent(r.top5()) : "-", delta);
  }
  return out;
}

std::string format_per_class_table(std::span<const EvalResult> results,
                                   std::span<const std::string> class_names) {
  if (results.empty()) return "";
  const int64_t classes = results.front().num_classes;
  size_t name_width = 5;
  for (int64_t c = 0; c < classes; ++c)
    name_width = std::max(name_width, class_label(class_names, c).size());
  std::vector<std::vector<ClassMetrics>> metrics;
  for (const EvalResult& r : results) metrics.push_back(r.per_class());

  // Two header lines: build names over "precision recall" column pairs.
  std::string out = fmt::format("{:<{}}  {:>7}", "", name_width, "");
  for (const EvalResult& r : results) {
    std::string title = r.name.size() > 19 ? r.name.substr(0, 19) : r.name;
    out += fmt::format("  {:^19}", title);
  }
  out += "\n" + fmt::format("{:<{}}  {:>7}", "class", name_width, "support");
  for (size_t i = 0; i < results.size(); ++i)
    out += fmt::format("  {:>9} {:>9}", "precision", "recall");
  out += "\n";
  for (int64_t c = 0; c < classes; ++c) {
    out += fmt::format("{:<{}}  {:>7}", class_label(class_names, c), name_width,
                       metrics.front()[c].support);
    for (size_t i = 0; i < results.size(); ++i) {
      const ClassMetrics& m =
          c < static_cast<int64_t>(metrics[i].size()) ? metrics[i][c] : ClassMetrics{};
      out += fmt::format("  {:>9} {:>9}", metric_text(m.precision()), metric_text(m.recall()));
    }
    out += "\n";
  }
  return out;
}

std::string format_confusion_matrix(const EvalResult& result,
                                    std::span<const std::string> class_names) {
  const int64_t classes = result.num_classes;
  size_t name_width = 5;
  int64_t largest = 0;
  for (int64_t c = 0; c < classes; ++c) {
    name_width = std::max(name_width, class_label(class_names, c).size());
    for (int64_t p = 0; p < classes; ++p) largest = std::max(largest, result.confusion[c][p]);
  }
  const size_t cell =
      std::max<size_t>(std::to_string(largest).size(), std::to_string(classes - 1).size()) + 1;
  std::string out =
      fmt::format("confusion matrix, {} (rows: label, columns: prediction)\n", result.name);
  out += fmt::format("{:<{}}", "", name_width);
  for (int64_t p = 0; p < classes; ++p) out += fmt::format(" {:>{}}", p, cell);
  out += "\n";
  for (int64_t c = 0; c < classes; ++c) {
    out += fmt::format("{:<{}}", class_label(class_names, c), name_width);
    for (int64_t p = 0; p < classes; ++p)
      out += fmt::format(" {:>{}}", result.confusion[c][p], cell);
    out += "\n";
  }
  return out;
}

}  // namespace kiln
