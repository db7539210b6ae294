#pragma once
// Reading and writing test tensors: ONNX TensorProto files (the input_K.pb / output_K.pb of the
// ONNX backend test data sets) and raw little-endian binaries (what generated test harnesses
// read and write). Shared by `kiln verify` and the conformance runner.
#include <filesystem>
#include <string>
#include <vector>

#include "ir/tensor.hpp"

namespace kiln {

// Reads a serialized onnx.TensorProto. The tensor is named after the proto's name (or the file
// stem when the proto has none); `constant` is false. kiln::Error naming the file on failure.
Tensor read_tensor_pb(const std::filesystem::path& path);
void write_tensor_pb(const std::filesystem::path& path, const Tensor& tensor);

// Raw element bytes, no header.
void write_raw(const std::filesystem::path& path, const Tensor& tensor);
// Reads exactly like.bytes() bytes into a tensor shaped like `like`; Error if the size differs.
Tensor read_raw(const std::filesystem::path& path, const Tensor& like);

// One ONNX test data set: inputs and expected outputs in index order (input_0.pb, input_1.pb...).
struct TestDataSet {
  std::string label;  // directory name, e.g. "test_data_set_0"
  std::vector<Tensor> inputs;
  std::vector<Tensor> expected_outputs;  // may be empty (inputs only)
};

// `dir` is either one data set (holding input_*.pb) or a directory of test_data_set_* dirs (a
// conformance test directory). Data sets come sorted by name. Error if none is found.
std::vector<TestDataSet> load_test_data(const std::filesystem::path& dir);

}  // namespace kiln
