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
// (value = (raw * scale - mean) / std, then reshaped to `shape`; defaults: scale 1, mean 0,
// std 1, shape = the model input's shape).
struct Preprocess {
  double scale = 1.0;
  double mean = 0.0;
  double std = 1.0;
  std::optional<Shape> shape;
};
Preprocess parse_preprocess(const std::string& spec);  // Error naming the bad field

struct Dataset {
  std::vector<Tensor> samples;  // float32 model inputs, preprocessed
  std::vector<int64_t> labels;  // one per sample, or empty when the source has none
  int64_t num_classes = 0;      // 1 + max label (0 without labels)
};

// Loads `path`: an IDX image file (labels from the sibling labels file: "*-images-idx3-ubyte"
// -> "*-labels-idx1-ubyte", also with .gz), a directory containing such a pair (the test split
// "t10k-*" unless `path` names a file), or a directory of tensor files. Stops after
// `max_samples` (< 0: all). Throws kiln::Error naming the file on malformed data.
Dataset load_dataset(const std::string& path, const Preprocess& preprocess,
                     const Shape& model_input_shape, int64_t max_samples = -1);

}  // namespace kiln
