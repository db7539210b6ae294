#include "frontend/load_model.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "frontend/onnx_loader.hpp"
#include "frontend/tflite_loader.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"

namespace kiln {

namespace {

// protobuf cannot parse messages of 2 GiB or more, and no model kiln targets comes close.
constexpr uintmax_t kMaxModelFileBytes = uintmax_t{2} << 30;

std::vector<uint8_t> read_model_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw Error(path + ": no such file");
  if (fs::is_directory(status)) throw Error(path + ": is a directory, not a model file");
  if (!fs::is_regular_file(status))
    throw Error(path + ": is not a regular file (a device, pipe or socket), not a model file");
  uintmax_t size = fs::file_size(path, ec);
  if (ec) throw Error(fmt::format("{}: cannot read file ({})", path, ec.message()));
  if (size == 0) throw Error(path + ": empty file");
  if (size >= kMaxModelFileBytes)
    throw Error(path + ": file is larger than 2 GiB (the most a protobuf model can hold)");

  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open file ({})", path, std::strerror(errno)));
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (in.gcount() != static_cast<std::streamsize>(bytes.size()))
    throw Error(path + ": cannot read file (it changed size while being read)");
  return bytes;
}

// Names end up in the JSON report and in messages: they must be UTF-8 (ONNX and TFLite both
// declare them as such, but neither parser checks).
void check_names(const Graph& graph) {
  if (!is_valid_utf8(graph.name))
    throw Error("graph name " + quote_name(graph.name) + " is not UTF-8");
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    for (const std::string* text : {&node.name, &node.op_type, &node.domain})
      if (!is_valid_utf8(*text))
        throw Error(
            fmt::format("node {} {}: name, op or domain is not UTF-8", i, quote_name(node.name)));
  }
  for (const auto& [name, tensor] : graph.tensors)
    if (!is_valid_utf8(name)) throw Error("tensor " + quote_name(name) + ": name is not UTF-8");
}

Graph load_detected_format(std::span<const uint8_t> bytes, const std::string& source,
                           const LoadOptions& options) {
  if (bytes.empty()) throw Error("empty file");
  if (bytes.size() >= kMaxModelFileBytes) throw Error("file is larger than 2 GiB");
  // Detected by content: TFLite flatbuffers carry the identifier "TFL3" at bytes 4..7.
  if (tflite_frontend::is_tflite(bytes)) {
    Graph graph = tflite_frontend::graph_from_tflite(bytes, source, options);
    check_names(graph);
    return graph;
  }
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw Error("not an ONNX model (protobuf parsing failed; truncated or not a model file)");
  if (!model.has_graph()) throw Error("not an ONNX model (the protobuf has no graph)");
  Graph graph = onnx_frontend::graph_from_onnx(model, source, options);
  check_names(graph);
  return graph;
}

// Some IR steps (topo_sort) already name the source; avoid "f.onnx: f.onnx: ...".
std::string with_source(const std::string& source, const char* message) {
  std::string prefix = source + ": ";
  std::string_view text(message);
  return text.starts_with(prefix) ? std::string(text) : prefix + std::string(text);
}

}  // namespace

Graph load_model_from_memory(std::span<const uint8_t> bytes, const std::string& source,
                             const LoadOptions& options) {
  try {
    return load_detected_format(bytes, source, options);
  } catch (const UnsupportedError& e) {
    throw UnsupportedError(with_source(source, e.what()));
  } catch (const Error& e) {
    throw Error(with_source(source, e.what()));
  }
}

Graph load_model(const std::string& path, const LoadOptions& options) {
  std::vector<uint8_t> bytes = read_model_file(path);
  return load_model_from_memory(bytes, path, options);
}

std::vector<std::string> declared_runtime_inputs(const std::string& path) {
  std::vector<uint8_t> bytes = read_model_file(path);
  if (tflite_frontend::is_tflite(bytes)) {
    try {
      return tflite_frontend::tflite_runtime_inputs(bytes);
    } catch (const Error& e) {
      throw Error(with_source(path, e.what()));
    }
  }
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw Error(path + ": not an ONNX model (protobuf parsing failed)");
  std::set<std::string> initializers;
  for (const auto& init : model.graph().initializer()) initializers.insert(init.name());
  std::vector<std::string> names;
  for (const auto& input : model.graph().input())
    if (!initializers.count(input.name())) names.push_back(input.name());
  return names;
}

void parse_shape_override(const std::string& text, LoadOptions& options) {
  auto fail = [&](const std::string& why) {
    throw UsageError(fmt::format("--shape {}: {} (expected NAME=d0,d1,..., e.g. input=1,3,96,96)",
                                 quote_name(text), why));
  };
  size_t eq = text.rfind('=');
  if (eq == std::string::npos) fail("missing '='");
  std::string name = text.substr(0, eq);
  if (name.empty()) fail("missing input name");
  std::string_view dims(text);
  dims.remove_prefix(eq + 1);
  if (dims.empty()) fail("missing dimensions");
  Shape shape;
  while (true) {
    size_t comma = dims.find(',');
    std::string_view item = dims.substr(0, comma);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size())
      fail(fmt::format("{} is not a dimension", quote_name(item)));
    if (value <= 0) fail(fmt::format("dimension {} must be positive", value));
    shape.push_back(value);
    if (comma == std::string_view::npos) break;
    dims.remove_prefix(comma + 1);
  }
  if (!options.input_shapes.emplace(name, std::move(shape)).second)
    fail(fmt::format("input {} is given twice", quote_name(name)));
}

}  // namespace kiln
