// MLPerf Tiny float models against ONNX Runtime: 20 deterministic random inputs per model go
// through ONNX Runtime (tests/ort/run_ort.js) and through kiln, once through the interpreter
// in-process and once through the generated C via `kiln verify` (which builds the C library,
// runs it and the interpreter on each test data set and compares with the expected outputs).
//
// Tolerance: interpreter |kiln - ort| <= 1e-4 * max(1, |ort|) element-wise (realmodel_util.hpp);
// generated C: kiln verify's rule |c - ort| <= 1e-5 + 1e-4 * |ort| (its default atol, rtol 1e-4),
// plus bit-exact agreement with the interpreter.
#include <gtest/gtest.h>

#include <iostream>
#include <map>

#include "realmodel_util.hpp"

namespace kiln::realmodel {
namespace {

constexpr int kSamplesPerModel = 20;
constexpr double kTolerance = 1e-4;

struct ModelCase {
  const char* file;  // under <shared>/models/mlperf-tiny/onnx/
  float low;         // input range: images in [0, 1], audio features in [-1, 1]
  float high;
  uint32_t seed;
};

const ModelCase kModels[] = {
    {"resnet8_fp32.onnx", 0.0f, 1.0f, 801},
    {"vww96_fp32.onnx", 0.0f, 1.0f, 802},
    {"ad01_fp32.onnx", -1.0f, 1.0f, 803},
};

fs::path model_path(const ModelCase& model) {
  return shared_dir() / "models" / "mlperf-tiny" / "onnx" / model.file;
}

struct Reference {
  std::vector<std::vector<FloatTensor>> inputs;   // per sample
  std::vector<std::vector<FloatTensor>> outputs;  // ONNX Runtime's, per sample
};

// The random inputs and ONNX Runtime's outputs for one model, computed once per process.
const Reference& reference_for(const ModelCase& model) {
  static std::map<std::string, Reference> cache;
  auto it = cache.find(model.file);
  if (it != cache.end()) return it->second;

  const ModelSignature signature = read_model_signature(model_path(model));
  std::mt19937 generator(model.seed);
  Reference reference;
  for (int s = 0; s < kSamplesPerModel; ++s) {
    std::vector<FloatTensor> sample = signature.inputs;
    for (FloatTensor& input : sample)
      input.values = uniform_floats(generator, shape_elements(input.shape), model.low, model.high);
    reference.inputs.push_back(std::move(sample));
  }
  TempDir work(std::string("ort-") + model.file);
  reference.outputs = run_onnx_runtime(model_path(model), reference.inputs, work.path());
  return cache.emplace(model.file, std::move(reference)).first->second;
}

class MlperfTinyVsOnnxRuntime : public ::testing::TestWithParam<ModelCase> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(model_path(GetParam()))) << model_path(GetParam()) << " is missing";
  }
};

TEST_P(MlperfTinyVsOnnxRuntime, InterpreterMatchesOnnxRuntime) {
  KILN_REQUIRE_ORT();
  const Reference& reference = reference_for(GetParam());
  const KilnInterpreter kiln(model_path(GetParam()));
  double worst = 0.0;
  for (size_t s = 0; s < reference.inputs.size(); ++s) {
    const std::vector<FloatTensor> actual = kiln.run(reference.inputs[s]);
    ASSERT_EQ(actual.size(), reference.outputs[s].size()) << "number of outputs";
    for (size_t j = 0; j < actual.size(); ++j) {
      const double error = max_scaled_error(actual[j], reference.outputs[s][j]);
      EXPECT_LE(error, kTolerance) << "sample " << s << ", output '" << reference.outputs[s][j].name
                                   << "' " << shape_to_string(actual[j].shape) << " vs "
                                   << shape_to_string(reference.outputs[s][j].shape);
      worst = std::max(worst, error);
    }
  }
  std::cout << GetParam().file << ": interpreter vs ONNX Runtime, max scaled error " << worst
            << " over " << reference.inputs.size() << " inputs\n";
  RecordProperty("max_scaled_error", std::to_string(worst));
}

TEST_P(MlperfTinyVsOnnxRuntime, GeneratedCMatchesOnnxRuntime) {
  KILN_REQUIRE_ORT();
  const Reference& reference = reference_for(GetParam());
  TempDir data(std::string("verify-") + GetParam().file);
  for (size_t s = 0; s < reference.inputs.size(); ++s)
    write_test_data_set(data.path(), static_cast<int>(s), reference.inputs[s],
                        reference.outputs[s]);
  const VerifyOutcome verify =
      verify_against_test_data(model_path(GetParam()), data.path(), kTolerance);
  std::cout << GetParam().file << ": " << verify.report;
  EXPECT_TRUE(verify.passed) << verify.report;
  EXPECT_EQ(verify.cases, kSamplesPerModel);
  RecordProperty("max_rel_vs_ort", std::to_string(verify.max_rel_vs_expected));
}

// Lets gtest print the parameter of a failing test as its file name instead of raw bytes.
void PrintTo(const ModelCase& model, std::ostream* out) {
  *out << model.file;
}

INSTANTIATE_TEST_SUITE_P(Models, MlperfTinyVsOnnxRuntime, ::testing::ValuesIn(kModels),
                         [](const ::testing::TestParamInfo<ModelCase>& info) {
                           std::string name = info.param.file;
                           return name.substr(0, name.find('_'));
                         });

}  // namespace
}  // namespace kiln::realmodel
