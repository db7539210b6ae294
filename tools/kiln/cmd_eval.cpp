// kiln eval MODEL --dataset PATH [--preprocess SPEC] [--skip N] [--limit N] [--class-names FILE]
//                 [--json FILE] [--markdown FILE] [--no-details] [--compare-schemes]
//                 [quantization options: --quantize int8|int16 --calibration SRC ...]
// Measures classification accuracy on a labelled dataset (verify/dataset.hpp) with the
// interpreter: the float model, and with --quantize also the quantized build, side by side.
// --compare-schemes evaluates float, int8 per-channel, int8 per-tensor, int16 activations and
// power-of-two requantization builds in one run (docs/quantization.md, "Accuracy").
// --preprocess (shared with the quantization options) describes the dataset's preprocessing and,
// unless the calibration data needs none, the calibration data's too.
#include <charconv>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "command.hpp"
#include "frontend/load_model.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ir/read_file.hpp"
#include "passes/pipeline.hpp"
#include "quant/calibrate.hpp"
#include "quant/quantize.hpp"
#include "quant_cli.hpp"
#include "verify/dataset.hpp"
#include "verify/evaluate.hpp"

namespace kiln::cli {
namespace {

struct EvalArgs {
  std::string model;
  std::string dataset;
  std::string skip;
  std::string limit;
  std::string class_names;
  std::string json;
  std::string markdown;
  std::vector<std::string> shapes;
  bool compare_schemes = false;
  bool no_details = false;
};

int64_t parse_count(const std::string& option, const std::string& text, bool allow_zero) {
  int64_t v = -1;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 0 || (!allow_zero && v == 0))
    throw UsageError(option + ": invalid value " + quote_name(text) + " (expected " +
                     (allow_zero ? "a non-negative" : "a positive") + " integer)");
  return v;
}

// Labels are class indices up to 1,000,000 (verify/dataset.hpp); 16 MiB holds that many names
// of 16 bytes.
constexpr uintmax_t kMaxClassNamesBytes = uintmax_t{16} << 20;

std::vector<std::string> read_class_names(const std::string& path) {
  std::istringstream in(read_bounded_file(path, kMaxClassNamesBytes, "--class-names"));
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  return names;
}

void write_text(const std::string& path, const std::string& text, const std::string& option) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw Error(option + ": cannot write " + path);
  out << text;
  out.close();
  if (!out) throw Error(option + ": error writing " + path);
}

// A short name for a quantized build, e.g. "int8 per-channel" or "int16 act, shift".
std::string scheme_name(const QuantizeOptions& q) {
  const LayerScheme& s = q.defaults;
  std::string name = s.activations == DType::Int16 ? "int16 act" : "int8";
  name += s.per_channel_weights ? " per-channel" : " per-tensor";
  if (s.weight_bits == 4) name += ", int4 weights";
  if (s.requant == Requant::Shift) name += ", power-of-two";
  if (s.symmetric_activations) name += ", sym act";
  if (q.bias_correction) name += ", bias corr";
  if (!q.rules.empty()) name += ", config";
  return name;
}

struct Build {
  std::string name;
  QuantizeOptions options;  // enabled == false: the float graph
};

// The builds --compare-schemes evaluates: each starts from the command line's quantization
// options and changes one thing.
std::vector<Build> comparison_builds(const QuantizeOptions& base) {
  std::vector<Build> builds;
  builds.push_back({"float", QuantizeOptions{}});
  QuantizeOptions per_channel = base;
  per_channel.defaults.activations = DType::Int8;
  per_channel.defaults.per_channel_weights = true;
  per_channel.defaults.requant = Requant::FixedPoint;
  builds.push_back({"int8 per-channel", per_channel});
  QuantizeOptions per_tensor = per_channel;
  per_tensor.defaults.per_channel_weights = false;
  builds.push_back({"int8 per-tensor", per_tensor});
  QuantizeOptions int16 = per_channel;
  int16.defaults.activations = DType::Int16;
  builds.push_back({"int16 activations", int16});
  QuantizeOptions shift = per_channel;
  shift.defaults.requant = Requant::Shift;
  builds.push_back({"int8 power-of-two", shift});
  return builds;
}

void setup_eval(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Measure classification accuracy on a labelled dataset (float and quantized)");
  cmd->add_option("model", args->model, "Model file (.onnx or .tflite)")->required();
  cmd->add_option("--dataset", args->dataset,
                  "Labelled data: an IDX images file (labels from the sibling labels file, .gz "
                  "or plain), a directory with IDX files (t10k split), or a directory of "
                  ".pb/.npy tensors or test_data_set_* dirs with labels.txt")
      ->required();
  cmd->add_option("--skip", args->skip, "Skip the first N samples of the dataset");
  cmd->add_option("--limit", args->limit, "Evaluate at most N samples");
  cmd->add_option("--class-names", args->class_names, "Text file with one class name per line");
  cmd->add_option("--json", args->json, "Write all metrics as JSON to this file");
  cmd->add_option("--markdown", args->markdown, "Write the summary table as Markdown to this file");
  cmd->add_option("--shape", args->shapes, "Fix an input's dims, e.g. --shape input=1,1,28,28");
  cmd->add_flag("--compare-schemes", args->compare_schemes,
                "Evaluate float, int8 per-channel, int8 per-tensor, int16 activations and "
                "power-of-two builds (needs --calibration)");
  cmd->add_flag("--no-details", args->no_details,
                "Print only the summary (no per-class table, no confusion matrices)");
  auto quant_args = add_quantize_options(cmd);
  cmd->callback([args, quant_args] {
    // --preprocess belongs to the quantization options but describes the dataset here, so it is
    // valid without --quantize; calibration data uses it too.
    QuantCliArgs quant_cli = *quant_args;
    const std::string preprocess_spec = quant_cli.preprocess;
    const bool quantizing =
        !quant_cli.quantize.empty() || !quant_cli.config.empty() || args->compare_schemes;
    if (!quantizing) quant_cli.preprocess.clear();
    if (args->compare_schemes && quant_cli.quantize.empty() && quant_cli.config.empty())
      quant_cli.quantize = "int8";
    const QuantizeOptions quant = quantize_options_from(quant_cli);
    Preprocess preprocess;
    try {
      preprocess = parse_preprocess(preprocess_spec);
    } catch (const Error& e) {
      std::string message = e.what();
      if (message.starts_with("preprocess: ")) message.erase(0, 12);
      throw UsageError("--preprocess: " + message);
    }
    SampleRange range;
    if (!args->skip.empty()) range.first_sample = parse_count("--skip", args->skip, true);
    if (!args->limit.empty()) range.max_samples = parse_count("--limit", args->limit, false);
    std::vector<std::string> class_names;
    if (!args->class_names.empty()) class_names = read_class_names(args->class_names);

    LoadOptions load;
    for (const std::string& text : args->shapes) parse_shape_override(text, load);
    Graph float_graph = load_model(args->model, load);
    PipelineOptions pipeline;
    apply_qdq_requant(quant_cli, pipeline);
    naming_model(args->model, [&] { optimize(float_graph, pipeline); });
    if (float_graph.inputs.size() != 1)
      throw Error(args->model + ": has " + std::to_string(float_graph.inputs.size()) +
                  " runtime inputs; kiln eval needs exactly one");
    const Tensor& input = float_graph.tensor(float_graph.inputs.front());
    const Dataset dataset = load_dataset(args->dataset, preprocess, input.shape, range);
    if (dataset.labels.empty())
      throw Error(args->dataset + ": the dataset has no labels (IDX labels file or labels.txt)");

    std::vector<Build> builds;
    if (args->compare_schemes) {
      builds = comparison_builds(quant);
    } else {
      builds.push_back({"float", QuantizeOptions{}});
      if (quant.enabled) builds.push_back({scheme_name(quant), quant});
    }

    std::cout << "model    " << args->model << "\n"
              << "dataset  " << dataset.source << ": " << dataset.samples.size() << " samples"
              << (range.first_sample ? " from #" + std::to_string(range.first_sample) : "") << ", "
              << dataset.num_classes << " classes\n";
    if (quant.enabled)
      std::cout << "calibration  " << quant.calibration.path << " (up to "
                << quant.calibration.max_samples << " samples)\n";
    std::cout << std::flush;

    const bool progress = !quant_cli.no_progress;
    std::vector<EvalResult> results;
    nlohmann::json quantization = nlohmann::json::object();
    for (const Build& build : builds) {
      Graph graph = float_graph;
      if (build.options.enabled) {
        QuantizeOptions options = build.options;
        if (options.calibration.preprocess.empty())
          options.calibration.preprocess = preprocess_spec;
        const QuantizeReport report =
            naming_model(args->model, [&] { return quantize_graph(graph, options); });
        int64_t quantized_nodes = 0;
        for (const auto& [name, node] : report.nodes.items())
          if (node.value("quantized", false)) ++quantized_nodes;
        quantization[build.name] = {
            {"calibration_samples", report.calibration_samples},
            {"quantized_nodes", quantized_nodes},
            {"nodes", report.nodes.size()},
            {"input_dtype", dtype_name(graph.tensor(graph.inputs.front()).dtype)},
            {"output_dtype", dtype_name(graph.tensor(graph.outputs.front()).dtype)}};
      }
      ProgressBar bar("evaluating " + build.name, static_cast<int64_t>(dataset.samples.size()),
                      progress);
      EvalOptions options;
      options.progress = [&bar](int64_t done, int64_t) { bar.update(done); };
      results.push_back(naming_model(
          args->model, [&] { return evaluate_graph(graph, dataset, build.name, options); }));
    }

    std::cout << "\n" << format_summary_table(results);
    if (!args->no_details) {
      std::cout << "\nper-class precision / recall\n"
                << format_per_class_table(results, class_names);
      for (const EvalResult& r : results)
        std::cout << "\n" << format_confusion_matrix(r, class_names);
    }
    if (!args->json.empty()) {
      nlohmann::json j;
      j["model"] = args->model;
      j["dataset"] = dataset.source;
      j["first_sample"] = range.first_sample;
      j["samples"] = dataset.samples.size();
      j["preprocess"] = preprocess_spec;
      if (quant.enabled) {
        j["calibration"] = {{"path", quant.calibration.path},
                            {"max_samples", quant.calibration.max_samples}};
        j["quantization"] = quantization;
      }
      nlohmann::json list = nlohmann::json::array();
      for (const EvalResult& r : results) list.push_back(eval_to_json(r, class_names));
      j["results"] = list;
      write_text(args->json, j.dump(2) + "\n", "--json");
    }
    if (!args->markdown.empty())
      write_text(args->markdown, format_summary_markdown(results), "--markdown");
  });
}

}  // namespace
}  // namespace kiln::cli

KILN_CLI_COMMAND(kiln::cli::setup_eval);
