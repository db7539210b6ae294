// `kiln inspect MODEL [--shape NAME=dims]...`: loads a model the way the compiler does and prints
// one row per layer (output shapes, parameters, MACs, activation bytes) plus totals, so users can
// see what kiln understood before compiling. ONNX: one row per node. TFLite: one row per operator
// of the file (CONV_2D...) with the kiln ops it was lowered to beside it.
#include <fmt/format.h>

#include <array>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "command.hpp"
#include "frontend/load_model.hpp"
#include "frontend/tflite_loader.hpp"
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
  std::string name, op, shapes, params, macs, activation_bytes, lowered;
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

// `lowered`: add the column of kiln ops each row became (TFLite operators).
void print_table(const std::vector<LayerRow>& rows, bool lowered) {
  LayerRow header{"layer", "op", "output shape", "params", "MACs", "act bytes", "kiln ops"};
  auto width = [&](auto field) {
    size_t w = (header.*field).size();
    for (const LayerRow& r : rows) w = std::max(w, (r.*field).size());
    return w;
  };
  size_t wn = width(&LayerRow::name), wo = width(&LayerRow::op), ws = width(&LayerRow::shapes),
         wp = width(&LayerRow::params), wm = width(&LayerRow::macs),
         wa = width(&LayerRow::activation_bytes);
  auto print_row = [&](const LayerRow& r) {
    fmt::print("{:<{}}  {:<{}}  {:<{}}  {:>{}}  {:>{}}  {:>{}}", r.name, wn, r.op, wo, r.shapes, ws,
               r.params, wp, r.macs, wm, r.activation_bytes, wa);
    fmt::print("{}\n", lowered ? "  " + r.lowered : "");
  };
  print_row(header);
  const size_t rule =
      wn + wo + ws + wp + wm + wa + 10 + (lowered ? width(&LayerRow::lowered) + 2 : 0);
  fmt::print("{}\n", std::string(rule, '-'));
  for (const LayerRow& r : rows) print_row(r);
}

// True when the file carries TFLite's identifier (the loader detects the format the same way).
bool is_tflite_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<uint8_t, 8> head{};
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  return in.gcount() == static_cast<std::streamsize>(head.size()) &&
         tflite_frontend::is_tflite(head);
}

// One table row: a node of an ONNX model, or a TFLite operator with the kiln nodes it became.
struct Layer {
  std::string name, op;
  std::vector<const Node*> nodes;
  int tflite_operator = -1;  // index of the TFLite operator, -1 for an ONNX node
};

// ONNX: one layer per node. TFLite: one layer per operator of the file (operators folded away
// at load time, e.g. constant QUANTIZE, have no nodes and no row).
std::vector<Layer> layers_of(const Graph& graph, bool tflite) {
  std::vector<Layer> layers;
  for (const Node& node : graph.nodes) {
    std::optional<tflite_frontend::TfliteOperatorRef> origin;
    if (tflite) origin = tflite_frontend::tflite_operator_of(node.name);
    if (!origin) {
      std::string op = node.domain.empty() ? node.op_type : node.domain + "." + node.op_type;
      if (node.activation.kind != Activation::None) op += "+act";
      layers.push_back({node.name, op, {&node}});
      continue;
    }
    if (layers.empty() || layers.back().tflite_operator != origin->index)
      layers.push_back({"", origin->builtin, {}, origin->index});
    layers.back().nodes.push_back(&node);
    // Named after its result, the TFLite tensor the operator writes (its last node's output).
    layers.back().name = node.outputs.empty() ? node.name : node.outputs.front();
  }
  return layers;
}

// "3x DequantizeLinear, Conv, QuantizeLinear": the kiln ops a TFLite operator was lowered to,
// in order, repeats counted.
std::string lowered_ops(const Layer& layer) {
  std::vector<std::pair<std::string, int>> runs;
  for (const Node* node : layer.nodes) {
    const std::string op =
        node->domain.empty() ? node->op_type : node->domain + "." + node->op_type;
    if (!runs.empty() && runs.back().first == op)
      ++runs.back().second;
    else
      runs.emplace_back(op, 1);
  }
  std::vector<std::string> parts;
  for (const auto& [op, count] : runs)
    parts.push_back(count > 1 ? fmt::format("{}x {}", count, op) : op);
  return fmt::format("{}", fmt::join(parts, ", "));
}

void run_inspect(const InspectOptions& options) {
  LoadOptions load_options;
  for (const std::string& s : options.shapes) parse_shape_override(s, load_options);
  Graph graph = load_model(options.model, load_options);
  const bool tflite = is_tflite_file(options.model);

  if (tflite)
    fmt::print(
        "model:   {} (TFLite, subgraph {}; operators shown with the kiln ops they "
        "lower to)\n",
        options.model, quote_name(graph.name));
  else
    fmt::print("model:   {} (ONNX, graph {}, opset {})\n", options.model, quote_name(graph.name),
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
  const std::vector<Layer> layers = layers_of(graph, tflite);
  for (const Layer& layer : layers) {
    int64_t params = 0, macs = 0, activation_bytes = 0;
    for (const Node* node : layer.nodes) {
      for (const std::string& in : node->inputs) {
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
      for (const std::string& out : node->outputs)
        if (!out.empty()) activation_bytes += graph.tensor(out).bytes();
      const OpDef& op = op_for(*node);
      if (op.macs) macs += naming_model(options.model, [&] { return op.macs(*node, graph); });
    }
    // The layer's result: the outputs of its last node.
    std::vector<std::string> shapes;
    for (const std::string& out : layer.nodes.back()->outputs) {
      if (out.empty()) continue;
      const Tensor& t = graph.tensor(out);
      shapes.push_back(t.dtype == DType::Float32 ? shape_to_string(t.shape) : describe_value(t));
    }
    total_macs += macs;
    total_activation_bytes += activation_bytes;
    rows.push_back({short_name(layer.name), layer.op, fmt::format("{}", fmt::join(shapes, ", ")),
                    grouped(params), grouped(macs), grouped(activation_bytes),
                    tflite ? lowered_ops(layer) : ""});
  }
  print_table(rows, tflite);
  fmt::print("\n");
  if (tflite)
    fmt::print("operators:         {} ({} kiln nodes)\n", layers.size(), graph.nodes.size());
  else
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
  cmd->add_option("model", options->model, "Model file (.onnx or .tflite)")->required();
  cmd->add_option("--shape", options->shapes,
                  "Fix the dims of a graph input, e.g. --shape input=1,3,96,96 (repeatable)")
      ->allow_extra_args(false);
  cmd->callback([options] { run_inspect(*options); });
}

}  // namespace

}  // namespace kiln::cli

KILN_CLI_COMMAND(kiln::cli::setup_inspect);
