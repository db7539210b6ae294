#pragma once
// What the user asks of post-training quantization (`kiln compile --quantize ...`, `kiln eval`,
// `kiln bench`): the global defaults, the per-layer config file that overrides them, and the
// calibration data. Shared by every command that quantizes.
#include <optional>
#include <string>
#include <vector>

#include "ir/dtype.hpp"

namespace kiln {

enum class Observer { MinMax, Percentile, Mse };
// kiln_requant.h KILN_REQUANT_*: fixed-point multiplier+shift (TFLite), power-of-two shift, or
// one round-half-to-even of acc x float32 M (ONNX Runtime; integer-emulated).
enum class Requant { FixedPoint, Shift, Single };

// The scheme of one layer (node); the config file's rules override fields of the defaults.
struct LayerScheme {
  DType activations = DType::Int8;  // Int8 or Int16
  int weight_bits = 8;              // 8 or 4 (int4 packed two per byte)
  bool per_channel_weights = true;  // else per-tensor
  bool symmetric_weights = true;
  bool symmetric_activations = false;
  Requant requant = Requant::FixedPoint;
  bool quantize = true;  // false keeps the node in float (DequantizeLinear/QuantizeLinear around)
};

// One rule of the per-layer config: applies to nodes whose name matches `name_glob` and whose
// op type matches `op_glob` (shell-style * ? [..], empty = any). Later rules win.
struct LayerRule {
  std::string name_glob;
  std::string op_glob;
  // Only the fields present in the config are set.
  std::optional<DType> activations;
  std::optional<int> weight_bits;
  std::optional<bool> per_channel_weights;
  std::optional<bool> symmetric_weights;
  std::optional<bool> symmetric_activations;
  std::optional<Requant> requant;
  std::optional<bool> quantize;
};

// Where calibration inputs come from: a directory of tensors (.pb TensorProto or .npy, one file
// per sample, or test_data_set_* directories) or a dataset (see verify/dataset.hpp).
struct CalibrationSource {
  std::string path;        // directory or dataset path
  std::string preprocess;  // dataset preprocessing spec (see verify/dataset.hpp), may be empty
  int64_t max_samples = 500;
};

struct QuantizeOptions {
  bool enabled = false;  // --quantize int8
  LayerScheme defaults;
  std::vector<LayerRule> rules;  // from --quant-config FILE (JSON)
  Observer observer = Observer::MinMax;
  double percentile = 99.99;  // for Observer::Percentile
  bool bias_correction = false;
  CalibrationSource calibration;
  bool float_io = false;  // keep float model inputs/outputs (QuantizeLinear/DequantizeLinear at
                          // the boundary); default int8 I/O keeps generated code integer-only
  bool progress = true;   // progress bar on stderr during calibration (only on a terminal)
  // Run passes/lower_qdq at the end. false stops at the QDQ ("fake-quant") float graph, which
  // the interpreter can run as is (tests, debugging).
  bool lower = true;
};

}  // namespace kiln
