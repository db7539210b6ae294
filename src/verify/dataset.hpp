#pragma once
// Labelled sample sets for calibration and accuracy evaluation: IDX files as shipped by MNIST and
// Fashion-MNIST (optionally gzip-compressed), or a directory of tensors (.pb TensorProto / .npy,
// one sample per file, optionally with labels). Preprocessing turns raw samples into the model's
// float input tensor.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/tensor.hpp"

namespace kiln {

// How raw samples become model inputs, parsed from a spec such as
//   "scale=1/255,mean=0.1307,std=0.3081,shape=1x1x28x28"
// (value = (raw * scale - mean) / std, computed in double and rounded once to float32, then
// reshaped to `shape`; defaults: scale 1, mean 0, std 1, shape = the model input's shape).
// Numbers may be written as fractions ("1/255"). An empty spec is the identity.
struct Preprocess {
  double scale = 1.0;
  double mean = 0.0;
  double std = 1.0;
  std::optional<Shape> shape;

  bool is_identity() const { return scale == 1.0 && mean == 0.0 && std == 1.0; }
};
Preprocess parse_preprocess(const std::string& spec);  // Error naming the bad field

struct Dataset {
  std::string source;           // what was loaded (file or directory), for reports
  std::vector<Tensor> samples;  // float32 model inputs, preprocessed, named "sample_<k>"
  std::vector<int64_t> labels;  // one per sample, or empty when the source has none
  int64_t num_classes = 0;      // 1 + max label (0 without labels)
};

// Which part of the source to load: samples [first_sample, first_sample + max_samples).
struct SampleRange {
  int64_t first_sample = 0;
  int64_t max_samples = -1;  // < 0: all the rest
};

// Loads `path`, which is one of
//  - an IDX image file ("*-images-idx3-ubyte", optionally ".gz"; gzip is detected from the
//    content, so any name works). Labels come from the sibling labels file
//    ("*-images-idx3-ubyte[.gz]" -> "*-labels-idx1-ubyte[.gz]") when it exists; its count must
//    equal the image count. Element types uint8, int8, int16, int32, float32, float64;
//  - a directory holding such files: the test split "t10k-images-idx3-ubyte[.gz]" when present,
//    else its only "*-images-idx3-ubyte[.gz]" file (Error when ambiguous);
//  - a directory of tensor files: every "*.pb" (TensorProto) and "*.npy" file, sorted by file
//    name, one sample each; or a directory of ONNX "test_data_set_*" directories, each
//    contributing its input_0.pb. Labels come from "labels.txt" in that directory when present
//    (whitespace-separated integers, one per sample in the same sorted order); the expected
//    outputs (output_0.pb) are not labels and are ignored.
// Raw sample values go through `preprocess` and are reshaped to preprocess.shape or else
// `model_input_shape` (element counts must match). Stops after range.max_samples samples.
// Throws kiln::Error naming the file on malformed data (bad magic, truncated data, count
// mismatch, bad labels).
Dataset load_dataset(const std::string& path, const Preprocess& preprocess,
                     const Shape& model_input_shape, const SampleRange& range);
Dataset load_dataset(const std::string& path, const Preprocess& preprocess,
                     const Shape& model_input_shape, int64_t max_samples = -1);

}  // namespace kiln
