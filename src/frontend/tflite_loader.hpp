#pragma once
// TFLite flatbuffer -> Graph. The model is read through accessors that flatc generates from
// kiln's own schema subset (tflite_schema.fbs) after the flatbuffers Verifier has checked every
// offset, so a malformed file is rejected before anything is dereferenced.
//
// The graph comes out in kiln's usual form: ONNX op types, NCHW activations inside (TFLite is
// NHWC: the graph inputs and outputs keep TFLite's shapes and Transposes are inserted where the
// layout changes; simplify-layout removes the pairs that cancel), and quantized TFLite tensors
// become QDQ form (DequantizeLinear -> float op -> QuantizeLinear), which passes/lower_qdq turns
// into integer kernels exactly as for a pre-quantized ONNX model. See docs/architecture.md
// (Frontend) for the op table and how to add a builtin.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "frontend/load_model.hpp"
#include "ir/graph.hpp"

namespace kiln::tflite_frontend {

// True when the bytes carry the TFLite file identifier "TFL3" at offset 4.
bool is_tflite(std::span<const uint8_t> bytes);

// Verifies and converts the flatbuffer. Errors (kiln::Error / UnsupportedError) are one line
// naming the operator index and its builtin name where one is involved; load_model() prefixes
// the file name.
Graph graph_from_tflite(std::span<const uint8_t> bytes, const std::string& source,
                        const LoadOptions& options);

// The runtime input names in the order of the subgraph's inputs (input_<k>.pb order).
std::vector<std::string> tflite_runtime_inputs(std::span<const uint8_t> bytes);

// The TFLite operator a node of a graph_from_tflite() graph was converted from. Every node the
// converter emits is named "op<index>_<BUILTIN>/<kiln op>" (operator_node_prefix()), so
// `kiln inspect` can show the file's own operators next to their kiln form.
struct TfliteOperatorRef {
  int index = -1;
  std::string builtin;  // "CONV_2D"
};
std::string operator_node_prefix(int index, const std::string& builtin);
std::optional<TfliteOperatorRef> tflite_operator_of(const std::string& node_name);

}  // namespace kiln::tflite_frontend
