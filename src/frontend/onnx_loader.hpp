#pragma once
// ONNX ModelProto -> kiln Graph. Internal to the frontend; callers use load_model().
// onnx_pb.h defines ONNX_API and then includes onnx-ml.pb.h (ONNX_ML=1 comes from onnx_proto).
#include <onnx/onnx_pb.h>

#include <string>

#include "frontend/load_model.hpp"

namespace kiln::onnx_frontend {

// Oldest and newest default-domain opset kiln reads.
constexpr int kMinOpset = 7;
constexpr int kMaxOpset = 28;

// Builds the graph, upgrades nodes, sorts, infers shapes and verifies. Throws kiln::Error whose
// message does NOT yet carry the file name (load_model adds the prefix); `source` is stored as
// Graph::source.
Graph graph_from_onnx(const onnx::ModelProto& model, const std::string& source,
                      const LoadOptions& options);

}  // namespace kiln::onnx_frontend
