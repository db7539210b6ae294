// Calibration inputs (.npy reader, directories of .pb/.npy tensors, ONNX test data sets, IDX
// datasets) and the observers calibration feeds through the interpreter hook.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "frontend/load_model.hpp"
#include "interpreter/interpreter.hpp"
#include "ir/error.hpp"
#include "passes/pipeline.hpp"
#include "quant/calibrate.hpp"
#include "quant/npy.hpp"
#include "quant/observers.hpp"
#include "verify/tensor_io.hpp"

namespace kiln {
namespace {

namespace fs = std::filesystem;

const std::string kMnist = std::string(KILN_SOURCE_DIR) + "/examples/mnist";

// Writes a version-1 .npy file the way numpy.save does.
void write_npy(const fs::path& path, const std::string& descr, const Shape& shape, const void* data,
               size_t bytes, bool fortran = false) {
  std::string dims;
  for (int64_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.erase(dims.size() - 2);
  if (shape.size() == 1) dims.erase(dims.size() - 1);
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': (" +
                       dims + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  out.put(static_cast<char>(len & 0xFF));
  out.put(static_cast<char>(len >> 8));
  out << header;
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("kiln_quant_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

Graph mnist() {
  Graph g = load_model(kMnist + "/mnist.onnx");
  optimize(g);
  return g;
}

TEST(QuantCalibrate, ReadsNpyFloatAndUint8) {
  const fs::path dir = fresh_dir("npy_read");
  const float f[6] = {1.5f, -2.0f, 0.0f, 3.25f, 4.0f, -1.0f};
  write_npy(dir / "a.npy", "<f4", {2, 3}, f, sizeof(f));
  const Tensor a = read_npy(dir / "a.npy");
  EXPECT_EQ(a.dtype, DType::Float32);
  EXPECT_EQ(a.shape, (Shape{2, 3}));
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.as_float()[3], 3.25f);
  const uint8_t u[4] = {0, 255, 7, 128};
  write_npy(dir / "u.npy", "|u1", {4}, u, sizeof(u));
  const Tensor b = read_npy(dir / "u.npy");
  EXPECT_EQ(b.dtype, DType::UInt8);
  EXPECT_EQ(b.shape, (Shape{4}));
  EXPECT_EQ(b.as_float()[1], 255.0f);
}

TEST(QuantCalibrate, NpyErrorsNameTheFile) {
  const fs::path dir = fresh_dir("npy_errors");
  const double d[2] = {1.0, 2.0};
  write_npy(dir / "f8.npy", "<f8", {2}, d, sizeof(d));
  try {
    read_npy(dir / "f8.npy");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find((dir / "f8.npy").string() + ": .npy dtype '<f8'"),
              std::string::npos)
        << e.what();
  }
  const float f[2] = {1.0f, 2.0f};
  write_npy(dir / "fortran.npy", "<f4", {2, 1}, f, sizeof(f), true);
  EXPECT_THROW(read_npy(dir / "fortran.npy"), Error);
  write_npy(dir / "short.npy", "<f4", {4}, f, sizeof(f));
  EXPECT_THROW(read_npy(dir / "short.npy"), Error);
  std::ofstream(dir / "junk.npy") << "not numpy";
  EXPECT_THROW(read_npy(dir / "junk.npy"), Error);
}

TEST(QuantCalibrate, LoadsOnnxTestDataSets) {
  const Graph g = mnist();
  CalibrationSource source;
  source.path = kMnist;
  const auto samples = load_calibration_samples(g, source);
  ASSERT_EQ(samples.size(), 3u);
  const Tensor expected = read_tensor_pb(kMnist + "/test_data_set_1/input_0.pb");
  EXPECT_EQ(samples[1].at("input").data, expected.data);
  source.max_samples = 2;
  EXPECT_EQ(load_calibration_samples(g, source).size(), 2u);
}

TEST(QuantCalibrate, LoadsNpyDirectoriesBatchesAndPreprocesses) {
  const Graph g = mnist();
  const fs::path dir = fresh_dir("npy_dir");
  std::vector<uint8_t> pixels(2 * 784);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i % 256);
  write_npy(dir / "batch.npy", "|u1", {2, 28, 28}, pixels.data(), pixels.size());  // 2 samples
  std::vector<float> one(784, 0.5f);
  write_npy(dir / "single.npy", "<f4", {1, 1, 28, 28}, one.data(), one.size() * 4);
  CalibrationSource source;
  source.path = dir.string();
  source.preprocess = "scale=1/255";
  const auto samples = load_calibration_samples(g, source);
  ASSERT_EQ(samples.size(), 3u);
  const Tensor& first = samples[0].at("input");
  EXPECT_EQ(first.shape, (Shape{1, 1, 28, 28}));
  EXPECT_FLOAT_EQ(first.as_float()[255], 1.0f);
  EXPECT_FLOAT_EQ(samples[1].at("input").as_float()[0], static_cast<float>(784 % 256) / 255.0f);
  EXPECT_FLOAT_EQ(samples[2].at("input").as_float()[0], 0.5f / 255.0f);  // preprocess applies
  // A single file works too.
  source.path = (dir / "single.npy").string();
  source.preprocess.clear();
  EXPECT_FLOAT_EQ(load_calibration_samples(g, source)[0].at("input").as_float()[7], 0.5f);
}

TEST(QuantCalibrate, BadSamplesAreErrorsNamingTheFile) {
  const Graph g = mnist();
  const fs::path dir = fresh_dir("npy_bad");
  std::vector<float> wrong(100, 1.0f);
  write_npy(dir / "wrong.npy", "<f4", {100}, wrong.data(), wrong.size() * 4);
  CalibrationSource source;
  source.path = dir.string();
  try {
    load_calibration_samples(g, source);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("wrong.npy: 100 does not fit input 'input'"),
              std::string::npos)
        << e.what();
  }
  source.path = "/nonexistent/calibration";
  EXPECT_THROW(load_calibration_samples(g, source), Error);
  source.path = "";
  EXPECT_THROW(load_calibration_samples(g, source), Error);
}

TEST(QuantCalibrate, LoadsAnIdxDatasetThroughLoadDataset) {
  const Graph g = mnist();
  CalibrationSource source;
  source.path = kMnist + "/data/digits-images-idx3-ubyte";
  source.preprocess = "scale=1/255";
  source.max_samples = 16;
  const auto samples = load_calibration_samples(g, source);
  ASSERT_EQ(samples.size(), 16u);
  const auto v = samples[0].at("input").as_float();
  EXPECT_LE(*std::max_element(v.begin(), v.end()), 1.0f);
  EXPECT_GT(*std::max_element(v.begin(), v.end()), 0.5f);
}

TEST(QuantCalibrate, InterpreterHookSeesEveryValueAndResultsAreUnchanged) {
  const Graph g = mnist();
  CalibrationSource source;
  source.path = kMnist;
  const auto samples = load_calibration_samples(g, source);
  std::vector<std::string> seen;
  const TensorMap with = run_graph(g, samples[0], [&](const Tensor& t) { seen.push_back(t.name); });
  const TensorMap without = run_graph(g, samples[0]);
  EXPECT_EQ(with.at("logits").data, without.at("logits").data);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), "input");
  EXPECT_EQ(seen.back(), "logits");
  size_t runtime_outputs = 0;
  for (const Node& n : g.nodes)
    if (!g.tensor(n.outputs[0]).constant) ++runtime_outputs;
  EXPECT_EQ(seen.size(), 1 + runtime_outputs);
}

TEST(QuantCalibrate, CalibrateObservesInputsAndEveryNodeOutput) {
  const Graph g = mnist();
  CalibrationSource source;
  source.path = kMnist;
  const auto samples = load_calibration_samples(g, source);
  QuantizeOptions options;
  options.progress = false;
  const CalibrationResult r = calibrate(g, samples, options);
  EXPECT_EQ(r.samples, 3);
  ASSERT_TRUE(r.observers.count("input"));
  ASSERT_TRUE(r.observers.count("logits"));
  EXPECT_EQ(r.observers.at("input")->min(), 0.0f);
  EXPECT_EQ(r.observers.at("input")->max(), 1.0f);
  // The observed logits range is exactly the extremes of the three runs.
  float lo = 1e30f, hi = -1e30f;
  for (const TensorMap& s : samples) {
    const auto logits = run_graph(g, s).at("logits").as_float();
    lo = std::min(lo, *std::min_element(logits.begin(), logits.end()));
    hi = std::max(hi, *std::max_element(logits.begin(), logits.end()));
  }
  EXPECT_EQ(r.observers.at("logits")->min(), lo);
  EXPECT_EQ(r.observers.at("logits")->max(), hi);
  EXPECT_EQ(r.observers.at("logits")->count(), 30);
}

// NaN and infinities carry no range: they are skipped, and a tensor that had nothing else is an
// error naming it instead of a made-up scale (issue 13).
TEST(QuantCalibrate, NonFiniteValuesAreSkippedAndAllNonFiniteIsAnError) {
  MinMaxObserver observer;
  const float inf = std::numeric_limits<float>::infinity();
  const float values[] = {std::nanf(""), inf, 1.0f, -2.0f, -inf};
  observer.observe(values);
  EXPECT_EQ(observer.min(), -2.0f);
  EXPECT_EQ(observer.max(), 1.0f);
  EXPECT_EQ(observer.count(), 2);
  EXPECT_EQ(observer.nonfinite(), 3);

  const Graph g = mnist();
  CalibrationSource source;
  source.path = kMnist;
  std::vector<TensorMap> samples = load_calibration_samples(g, source);
  QuantizeOptions options;
  options.progress = false;
  for (const float bad : {std::nanf(""), inf}) {
    for (TensorMap& sample : samples) {
      Tensor& x = sample.at("input");
      for (float& v : x.mutable_values<float>()) v = bad;
    }
    try {
      calibrate(g, samples, options);
      ADD_FAILURE() << "calibrated all-" << bad << " data";
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("tensor 'input' is NaN or infinite in all 2352 of its values over 3 "
                         "calibration samples"),
                std::string::npos)
          << msg;
    }
  }
  // One non-finite sample among finite ones only loses its own values.
  std::vector<TensorMap> mixed = load_calibration_samples(g, source);
  for (float& v : mixed[0].at("input").mutable_values<float>()) v = std::nanf("");
  const CalibrationResult r = calibrate(g, mixed, options);
  EXPECT_EQ(r.observers.at("input")->count(), 2 * 784);
  EXPECT_EQ(r.observers.at("input")->nonfinite(), 784);
}

}  // namespace
}  // namespace kiln
