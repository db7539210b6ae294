#pragma once
// Entry point of every frontend: reads a model file into a Graph. The format is detected from
// the file's content (ONNX protobuf now; TFLite flatbuffers later), not only its extension.
#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "ir/graph.hpp"

namespace kiln {

struct LoadOptions {
  // Fixes dims of a named graph input: {"input": {1,3,96,96}}. Inputs not listed get their
  // symbolic/unknown dims set to 1.
  std::map<std::string, Shape> input_shapes;
};

// Loads the model, upgrades every node to the newest op form and runs shape inference
// (passes/infer_shapes), so the result satisfies Graph::verify() with shapes_inferred set.
// Throws kiln::Error with one line naming the file (and node, op, domain, opset where relevant).
Graph load_model(const std::string& path, const LoadOptions& options = {});

// Same as load_model for a model already in memory; `source` names it in error messages (the
// file path for load_model). Used by the fuzzer and by tests that build models in memory.
Graph load_model_from_memory(std::span<const uint8_t> bytes, const std::string& source,
                             const LoadOptions& options = {});

// Parses "NAME=1,3,96,96" into options.input_shapes; Error on malformed text.
void parse_shape_override(const std::string& text, LoadOptions& options);

}  // namespace kiln
