// `kiln inspect MODEL [--shape NAME=dims]...`: loads a model the way the compiler does and prints
// one row per layer (output shapes, parameters, MACs, activation bytes) plus totals, so users can
// see what kiln understood before compiling.
#include <fmt/format.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "command.hpp"
#include "frontend/load_model.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/op_registry.hpp"

namespace kiln::cli {

namespace {

struct InspectOptions {
  std::string model;
  std::vector<std::string> shapes;
};

std::string describe_value(const Tensor& t) {
  return fmt::format("{}[{}]", dtype_name(t.dtype), shape_to_string(t.shape));
}

// Exporters such as tf2onnx produce node names of 150+ characters; keep the table readable by
// eliding the middle (start and end are what tell layers apart).
// Control bytes are escaped first (a name must not move the cursor or clear the terminal).
std::string short_name(const std::string& raw_name) {
  const std::string name = one_line(raw_name);
  constexpr size_t kMaxWidth = 48;
  if (name.size() <= kMaxWidth) return name;
  constexpr size_t kHead = 20;
  return name.substr(0, kHead) + "..." + name.substr(name.size() - (kMaxWidth - kHead - 3));
}

struct LayerRow {
  std::string name, op, shapes, params, macs, activation_bytes;
};

// Groups digits so large counts stay readable: 1234567 -> "1,234,567".
std::string grouped(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

void print_table(const std::vector<LayerRow>& rows) {
  LayerRow header{"layer", "op", "output shape", "params", "MACs", "act bytes"};
  auto width = [&](auto field) {
    size_t w = (header.*field).size();
    for (const LayerRow& r : rows) w = std::max(w, (r.*field).size());
    return w;
  };
  size_t wn = width(&LayerRow::name), wo = width(&LayerRow::op), ws = width(&LayerRow::shapes),
         wp = width(&LayerRow::params), wm = width(&LayerRow::macs),
         wa = width(&LayerRow::activation_bytes);
  auto print_row = [&](const LayerRow& r) {
    fmt::print("{:<{}}  {:<{}}  {:<{}}  {:>{}}  {:>{}}  {:>{}}\n", r.name, wn, r.op, wo, r.shapes,
               ws, r.params, wp, r.macs, wm, r.activation_bytes, wa);
  };
  print_row(header);
  fmt::print("{}\n", std::string(wn + wo + ws + wp + wm + wa + 10, '-'));
  for (const LayerRow& r : rows) print_row(r);
}

void run_inspect(const InspectOptions& options) {
  LoadOptions load_options;
  for (const std::string& s : options.shapes) parse_shape_override(s, load_options);
  Graph graph = load_model(options.model, load_options);

  fmt::print("model:   {} (graph {}, opset {})\n", options.model, quote_name(graph.name),
             graph.opset);
  for (const std::string& in : graph.inputs)
    fmt::print("input:   {} {}\n", one_line(in), describe_value(graph.tensor(in)));
  for (const std::string& out : graph.outputs)
    fmt::print("output:  {} {}{}\n", one_line(out), describe_value(graph.tensor(out)),
               graph.tensor(out).constant ? " (constant)" : "");
  fmt::print("\n");

  std::vector<LayerRow> rows;
  std::set<std::string> counted_constants;
  int64_t total_params = 0, total_weight_bytes = 0, total_macs = 0, total_activation_bytes = 0;
  for (const Node& node : graph.nodes) {
    int64_t params = 0;
    for (const std::string& in : node.inputs) {
      if (in.empty()) continue;
      const Tensor& t = graph.tensor(in);
      if (!t.constant) continue;
      params += t.elements();
      // A weight shared by several layers is stored once.
      if (counted_constants.insert(in).second) {
        total_params += t.elements();
        total_weight_bytes += t.bytes();
      }
    }
    std::vector<std::string> shapes;
    int64_t activation_bytes = 0;
    for (const std::string& out : node.outputs) {
      if (out.empty()) continue;
      const Tensor& t = graph.tensor(out);
      shapes.push_back(t.dtype == DType::Float32 ? shape_to_string(t.shape) : describe_value(t));
      activation_bytes += t.bytes();
    }
    const OpDef& op = op_for(node);
    const int64_t macs =
        op.macs ? naming_model(options.model, [&] { return op.macs(node, graph); }) : 0;
    total_macs += macs;
    total_activation_bytes += activation_bytes;
    std::string op_name = node.domain.empty() ? node.op_type : node.domain + "." + node.op_type;
    if (node.activation.kind != Activation::None) op_name += "+act";
    rows.push_back({short_name(node.name), op_name, fmt::format("{}", fmt::join(shapes, ", ")),
                    grouped(params), grouped(macs), grouped(activation_bytes)});
  }
  print_table(rows);
  fmt::print("\n");
  fmt::print("layers:            {}\n", graph.nodes.size());
  fmt::print("parameters:        {}\n", grouped(total_params));
  fmt::print("weight bytes:      {}\n", grouped(total_weight_bytes));
  fmt::print("MACs:              {}\n", grouped(total_macs));
  fmt::print("activation bytes:  {} (sum of all layer outputs, before memory planning)\n",
             grouped(total_activation_bytes));
}

void setup_inspect(CLI::App& app) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Load a model and print its layers, shapes, parameters and MACs");
  cmd->add_option("model", options->model, "ONNX model file")->required();
  cmd->add_option("--shape", options->shapes,
                  "Fix the dims of a graph input, e.g. --shape input=1,3,96,96 (repeatable)")
      ->allow_extra_args(false);
  cmd->callback([options] { run_inspect(*options); });
}

}  // namespace

}  // namespace kiln::cli

KILN_CLI_COMMAND(kiln::cli::setup_inspect);
