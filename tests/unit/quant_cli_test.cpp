// `kiln compile --quantize ...`: bad quantization options are one "kiln: error:" line naming the
// option (exit 1); a good command line writes integer-only code and the quantization report.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace {

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

RunResult run_kiln(const std::string& args) {
  static int call = 0;
  const std::string stem = ::testing::TempDir() + "/kiln_quant_cli_" + std::to_string(getpid()) +
                           "_" + std::to_string(call++);
  const std::string out = stem + ".out", err = stem + ".err";
  const std::string command =
      std::string("'") + KILN_BINARY + "' " + args + " >'" + out + "' 2>'" + err + "'";
  const int status = std::system(command.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

const std::string kMnist = std::string(KILN_SOURCE_DIR) + "/examples/mnist";
const std::string kOut = ::testing::TempDir() + "/kiln_quant_cli_out";

// Exit code 2 for a bad command-line value, 1 for a bad file.
void expect_one_line_error(const RunResult& r, const std::string& fragment, int exit_code = 2) {
  EXPECT_EQ(r.exit_code, exit_code) << r.err;
  EXPECT_EQ(r.err.rfind("kiln: error: ", 0), 0u) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
}

TEST(QuantCli, BadValuesNameTheOption) {
  const std::string base = "compile '" + kMnist + "/mnist.onnx' -o '" + kOut + "' ";
  const std::string q = base + "--quantize int8 --calibration '" + kMnist + "' ";
  expect_one_line_error(run_kiln(base + "--quantize int3"), "--quantize: invalid value 'int3'");
  expect_one_line_error(run_kiln(q + "--observer kl"), "--observer: invalid value 'kl'");
  expect_one_line_error(run_kiln(q + "--percentile 120"), "--percentile: invalid value '120'");
  expect_one_line_error(run_kiln(q + "--weight-bits 2"), "--weight-bits: invalid value '2'");
  expect_one_line_error(run_kiln(q + "--requant pot"), "--requant: invalid value 'pot'");
  expect_one_line_error(run_kiln(q + "--calibration-samples 0"),
                        "--calibration-samples: invalid value '0'");
  expect_one_line_error(run_kiln(q + "--preprocess bogus=1"), "--preprocess: ");
  expect_one_line_error(run_kiln(base + "--quantize int8"), "--calibration: ");
  expect_one_line_error(run_kiln(base + "--observer mse"), "--observer: needs --quantize");
  // --requant also chooses a pre-quantized model's arithmetic, so it is checked without
  // --quantize too.
  expect_one_line_error(run_kiln(base + "--requant half"), "--requant: invalid value 'half'");
  expect_one_line_error(run_kiln(q + "--quant-config /nonexistent/q.json"), "/nonexistent/q.json",
                        1);
  expect_one_line_error(run_kiln(base + "--quantize int8 --calibration /nonexistent/calib"),
                        "/nonexistent/calib", 1);
}

TEST(QuantCli, ConfigErrorsNameTheRule) {
  const std::string cfg = ::testing::TempDir() + "/kiln_quant_cli_cfg.json";
  std::ofstream(cfg) << R"({"rules": [{"op": "Conv"}, {"name": "x", "weights": "int2"}]})";
  const RunResult r = run_kiln("compile '" + kMnist + "/mnist.onnx' -o '" + kOut +
                               "' --quant-config '" + cfg + "' --calibration '" + kMnist + "'");
  expect_one_line_error(r, cfg + ": rule 1: 'weights' must be", 1);
  std::filesystem::remove(cfg);
}

TEST(QuantCli, CompileQuantizedMnistWritesIntegerCodeAndReport) {
  std::filesystem::remove_all(kOut);
  const RunResult r = run_kiln("compile '" + kMnist + "/mnist.onnx' -o '" + kOut +
                               "' --quantize int8 --calibration '" + kMnist +
                               "/data' --preprocess scale=1/255 --calibration-samples 50 "
                               "--observer percentile --percentile 99.9 --bias-correction");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;  // no progress bar when stderr is not a terminal
  EXPECT_NE(r.out.find("quantized 6 of 6 nodes (percentile observer, 50 calibration samples)"),
            std::string::npos)
      << r.out;
  std::ifstream in(kOut + "/net_report.json");
  const nlohmann::json report = nlohmann::json::parse(in);
  EXPECT_EQ(report.at("quantization").at("calibration_samples"), 50);
  EXPECT_TRUE(report.at("quantization").contains("bias_correction"));
  EXPECT_EQ(report.at("outputs")[0].at("dtype"), "int8");
  const std::string code = slurp(kOut + "/net.c");
  EXPECT_EQ(code.find("float"), std::string::npos);
  std::filesystem::remove_all(kOut);
}

}  // namespace
