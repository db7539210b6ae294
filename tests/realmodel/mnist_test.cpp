// The MNIST test network (examples/mnist) on its 2,000 held-out digits: kiln must classify them
// exactly as PyTorch did (same accuracy, committed in reference/holdout.json) with logits within
// 1e-4 * max(1, |torch|) of PyTorch's (reference/holdout_logits.bin). The interpreter is checked
// in-process, the generated C through `kiln verify`, and the committed reference itself against
// ONNX Runtime so a stale model/logits pair cannot go unnoticed.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "realmodel_util.hpp"

namespace kiln::realmodel {
namespace {

constexpr double kTolerance = 1e-4;
constexpr int kClasses = 10;
constexpr int kSide = 28;

fs::path mnist_dir() {
  return source_dir() / "examples" / "mnist";
}

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

uint32_t big_endian_u32(const std::vector<uint8_t>& bytes, size_t offset) {
  return (uint32_t{bytes.at(offset)} << 24) | (uint32_t{bytes.at(offset + 1)} << 16) |
         (uint32_t{bytes.at(offset + 2)} << 8) | uint32_t{bytes.at(offset + 3)};
}

// The held-out digits, their labels and PyTorch's logits, read from the committed files.
struct HeldOutSet {
  std::vector<FloatTensor> inputs;  // "input", 1x1x28x28, pixel / 255
  std::vector<int> labels;
  std::vector<FloatTensor> torch_logits;  // "logits", 1x10
  int torch_correct = 0;
};

const HeldOutSet& held_out_set() {
  static const HeldOutSet set = [] {
    const nlohmann::json meta =
        nlohmann::json::parse(std::ifstream(mnist_dir() / "reference" / "holdout.json"));
    const auto begin = meta.at("holdout_range").at(0).get<size_t>();
    const auto end = meta.at("holdout_range").at(1).get<size_t>();

    const std::vector<uint8_t> images =
        read_bytes(mnist_dir() / "data" / "digits-images-idx3-ubyte");
    const std::vector<uint8_t> labels =
        read_bytes(mnist_dir() / "data" / "digits-labels-idx1-ubyte");
    if (images.size() < 16 || big_endian_u32(images, 0) != 0x803 ||
        big_endian_u32(images, 8) != kSide || big_endian_u32(images, 12) != kSide ||
        labels.size() < 8 || big_endian_u32(labels, 0) != 0x801)
      throw std::runtime_error("examples/mnist/data: unexpected IDX headers");
    const size_t count = big_endian_u32(images, 4);
    if (images.size() != 16 + count * kSide * kSide || labels.size() != 8 + count || end > count)
      throw std::runtime_error("examples/mnist/data: sizes do not match the headers");

    const std::vector<uint8_t> logit_bytes =
        read_bytes(mnist_dir() / "reference" / "holdout_logits.bin");
    if (logit_bytes.size() != (end - begin) * kClasses * sizeof(float))
      throw std::runtime_error("holdout_logits.bin does not hold 10 logits per held-out digit");

    HeldOutSet result;
    result.torch_correct = meta.at("holdout_correct").get<int>();
    for (size_t index = begin; index < end; ++index) {
      FloatTensor input{"input", {1, 1, kSide, kSide}, {}};
      const uint8_t* pixels = images.data() + 16 + index * kSide * kSide;
      for (int p = 0; p < kSide * kSide; ++p)
        input.values.push_back(static_cast<float>(pixels[p]) / 255.0f);
      result.inputs.push_back(std::move(input));
      result.labels.push_back(labels[8 + index]);
      FloatTensor logits{"logits", {1, kClasses}, std::vector<float>(kClasses)};
      std::memcpy(logits.values.data(),
                  logit_bytes.data() + (index - begin) * kClasses * sizeof(float),
                  kClasses * sizeof(float));
      result.torch_logits.push_back(std::move(logits));
    }
    return result;
  }();
  return set;
}

int argmax(const std::vector<float>& values) {
  return static_cast<int>(std::max_element(values.begin(), values.end()) - values.begin());
}

TEST(Mnist, ReferenceFilesAreConsistent) {
  const HeldOutSet& set = held_out_set();
  ASSERT_GE(set.inputs.size(), 2000u);
  int correct = 0;
  for (size_t i = 0; i < set.inputs.size(); ++i)
    correct += argmax(set.torch_logits[i].values) == set.labels[i] ? 1 : 0;
  EXPECT_EQ(correct, set.torch_correct) << "holdout_logits.bin disagrees with holdout.json";
}

TEST(Mnist, InterpreterMatchesPyTorchOnHeldOutSet) {
  const HeldOutSet& set = held_out_set();
  const KilnInterpreter kiln(mnist_dir() / "mnist.onnx");
  int correct = 0;
  int disagreements = 0;
  double worst = 0.0;
  for (size_t i = 0; i < set.inputs.size(); ++i) {
    const std::vector<FloatTensor> logits = kiln.run({set.inputs[i]});
    ASSERT_EQ(logits.size(), 1u);
    const double error = max_scaled_error(logits[0], set.torch_logits[i]);
    EXPECT_LE(error, kTolerance) << "held-out digit " << i;
    worst = std::max(worst, error);
    const int predicted = argmax(logits[0].values);
    correct += predicted == set.labels[i] ? 1 : 0;
    disagreements += predicted != argmax(set.torch_logits[i].values) ? 1 : 0;
  }
  std::cout << "MNIST held-out accuracy: kiln interpreter " << correct << "/" << set.inputs.size()
            << ", PyTorch " << set.torch_correct << "/" << set.inputs.size()
            << "; max scaled logit error " << worst << "\n";
  EXPECT_EQ(correct, set.torch_correct);
  EXPECT_EQ(disagreements, 0);
}

TEST(Mnist, OnnxRuntimeMatchesCommittedPyTorchLogits) {
  KILN_REQUIRE_ORT();
  const HeldOutSet& set = held_out_set();
  std::vector<std::vector<FloatTensor>> samples;
  for (const FloatTensor& input : set.inputs) samples.push_back({input});
  TempDir work("mnist-ort");
  const auto outputs = run_onnx_runtime(mnist_dir() / "mnist.onnx", samples, work.path());
  double worst = 0.0;
  for (size_t i = 0; i < outputs.size(); ++i) {
    ASSERT_EQ(outputs[i].size(), 1u);
    worst = std::max(worst, max_scaled_error(outputs[i][0], set.torch_logits[i]));
    EXPECT_EQ(argmax(outputs[i][0].values), argmax(set.torch_logits[i].values)) << "digit " << i;
  }
  // Two frameworks with different summation orders: agreement to ~1e-5 shows the committed
  // model and logits belong together.
  EXPECT_LE(worst, 1e-3);
}

TEST(Mnist, CommittedTestDataSetsVerify) {
  const CommandResult verify =
      run_command({kiln_binary().string(), "verify", (mnist_dir() / "mnist.onnx").string(),
                   "--inputs", mnist_dir().string()});
  std::cout << verify.output;
  EXPECT_EQ(verify.exit_code, 0) << "kiln verify failed:\n" << verify.output;
}

// kiln verify requires the generated C to be bit-exact with the interpreter on the optimized graph
// (the graph KilnInterpreter runs) for every held-out digit, so together with
// InterpreterMatchesPyTorchOnHeldOutSet the generated C has PyTorch's accuracy; here it must also
// be within kiln verify's tolerance (rtol 1e-4, atol 1e-5) of PyTorch's logits. The unoptimized
// graph is left to CommittedTestDataSetsVerify: on 2,000 digits it would only add time.
TEST(Mnist, GeneratedCMatchesPyTorchOnHeldOutSet) {
  const HeldOutSet& set = held_out_set();
  TempDir data("mnist-verify");
  for (size_t i = 0; i < set.inputs.size(); ++i)
    write_test_data_set(data.path(), static_cast<int>(i), {set.inputs[i]}, {set.torch_logits[i]});
  const VerifyOutcome verify =
      verify_against_test_data(mnist_dir() / "mnist.onnx", data.path(), kTolerance,
                               /*check_unoptimized=*/false);
  std::cout << verify.report;
  EXPECT_TRUE(verify.passed) << verify.report;
  EXPECT_EQ(verify.cases, static_cast<int>(set.inputs.size()));
}

}  // namespace
}  // namespace kiln::realmodel
