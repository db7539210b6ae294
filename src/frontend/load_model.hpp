#pragma once
// Entry point of every frontend: reads a model file into a Graph. The format is detected from
// the file's content (ONNX protobuf, or TFLite flatbuffer: "TFL3" at bytes 4..7), not only its
// extension.
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "ir/graph.hpp"

namespace kiln {

struct LoadOptions {
  // Fixes dims of a named graph input: {"input": {1,3,96,96}}. Inputs not listed get their
  // symbolic/unknown dims set to 1.
  std::map<std::string, Shape> input_shapes;
  // Freezes named graph inputs to these values: they become constants and leave
  // Graph::inputs. For models that feed shape parameters (Reshape's shape, Pad's pads, Resize's
  // scales...) as runtime inputs, which kiln must know at compile time; the dtype and the
  // model's fixed dims must match.
  std::map<std::string, Tensor> constant_inputs;
};

// Loads the model, upgrades every node to the newest op form and runs shape inference
// (passes/infer_shapes), so the result satisfies Graph::verify() with shapes_inferred set.
// Throws kiln::Error with one line naming the file (and node, op, domain, opset where relevant).
Graph load_model(const std::string& path, const LoadOptions& options = {});

// Same as load_model for a model already in memory; `source` names it in error messages (the
// file path for load_model). Used by the fuzzer and by tests that build models in memory.
Graph load_model_from_memory(std::span<const uint8_t> bytes, const std::string& source,
                             const LoadOptions& options = {});

// The model's runtime inputs (graph inputs that are not initializers) in declaration order,
// i.e. the order of ONNX test data's input_0.pb, input_1.pb, ... Reads only the protobuf.
std::vector<std::string> declared_runtime_inputs(const std::string& path);

// Parses "NAME=1,3,96,96" into options.input_shapes; Error on malformed text.
void parse_shape_override(const std::string& text, LoadOptions& options);

}  // namespace kiln
