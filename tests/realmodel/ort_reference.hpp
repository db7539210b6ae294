#pragma once
// ONNX Runtime's integer outputs as committed reference data (tests/data/ort_int8, written by
// make_ort_references.py there), and the probe that tells whether the ONNX Runtime on this
// machine computes int8 convolutions and matrix products as the ONNX specification says.
//
// ONNX Runtime's int8 results depend on the CPU: its AVX2 u8s8 kernels sum int16 pairs with
// saturation (VPMADDUBSW), its AVX-512 VNNI / AVX-VNNI kernels do not. The exactness tests
// therefore compare kiln with the committed data, made where the probe was exact; a live ONNX
// Runtime is held to exactness only where the probe is exact on the machine running the test.
#include <string>
#include <vector>

#include "ir/tensor.hpp"
#include "realmodel_util.hpp"

namespace kiln::realmodel {

// One model's committed reference: the inputs and ONNX Runtime's outputs per sample, at its
// default optimization level ("all": integer QLinear* kernels) and at "basic" (every QDQ op in
// float32).
struct OrtReference {
  std::string name;
  fs::path model;                            // absolute
  std::vector<std::vector<Tensor>> inputs;   // per sample, the model's inputs in order
  std::vector<std::vector<Tensor>> ort_all;  // per sample, the outputs in order
  std::vector<std::vector<Tensor>> ort_basic;
};

// Loads tests/data/ort_int8/<name>; throws std::runtime_error naming the file when the data is
// missing or does not have the sizes the manifest gives.
OrtReference load_ort_reference(const std::string& name);

// Where the committed data was made: "ONNX Runtime 1.30.0 (onnxruntime-node) on AMD EPYC
// [avx2 avx512f ...], 2026-12-07, probe exact".
std::string ort_reference_provenance();

// The probe run through the live ONNX Runtime at its default optimization level. Cached: the
// first call runs node once. Needs ONNX Runtime (KILN_REQUIRE_ORT first).
struct OrtInt8Probe {
  bool exact = false;       // every probe output equals the specification's integers
  bool saturation = false;  // not exact, and sample 0 equals the int16 pair-saturation model
  std::string explanation;  // one paragraph: what was probed, what ONNX Runtime gave, why
};
const OrtInt8Probe& probe_live_ort_int8();

}  // namespace kiln::realmodel
