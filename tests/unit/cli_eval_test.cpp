// `kiln eval` on the command line: exit 0 with a report, 1 with exactly one "kiln: error: ..."
// line for bad data or values, 2 for a bad command line.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace {

namespace fs = std::filesystem;

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

RunResult run_kiln(const std::string& args) {
  static int call = 0;
  const std::string stem = ::testing::TempDir() + "/kiln_cli_eval_" + std::to_string(getpid()) +
                           "_" + std::to_string(call++);
  const std::string out = stem + ".out", err = stem + ".err";
  const std::string command =
      std::string("'") + KILN_BINARY + "' " + args + " >'" + out + "' 2>'" + err + "'";
  const int status = std::system(command.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

const std::string kMnist = std::string(KILN_SOURCE_DIR) + "/examples/mnist";
const std::string kModel = kMnist + "/mnist.onnx";
const std::string kDigits = kMnist + "/data";

// Exit code 1 for bad data, 2 for a bad command-line value.
void expect_one_error_line(const RunResult& r, const std::string& fragment, int exit_code = 1) {
  EXPECT_EQ(r.exit_code, exit_code) << r.err;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.rfind("kiln: error: ", 0), 0u) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
}

TEST(CliEval, EvaluatesHeldOutDigitsAndWritesJsonAndMarkdown) {
  const std::string json =
      ::testing::TempDir() + "/kiln_cli_eval_" + std::to_string(getpid()) + ".json";
  const std::string md = json + ".md";
  const RunResult r = run_kiln("eval '" + kModel + "' --dataset '" + kDigits +
                               "' --preprocess scale=1/255 --skip 8000 --limit 50 --json '" + json +
                               "' --markdown '" + md + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("50 samples from #8000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("confusion matrix, float"), std::string::npos) << r.out;
  const nlohmann::json j = nlohmann::json::parse(slurp(json));
  ASSERT_EQ(j["results"].size(), 1u);
  EXPECT_EQ(j["results"][0]["name"], "float");
  EXPECT_EQ(j["results"][0]["samples"], 50);
  EXPECT_EQ(j["first_sample"], 8000);
  // The held-out digits are 96.55% correct overall; 50 of them cannot all be wrong.
  EXPECT_GE(j["results"][0]["top1_correct"].get<int>(), 40);
  // One prediction per sample; the correct ones are the top-1 count.
  const nlohmann::json& predictions = j["results"][0]["predictions"];
  ASSERT_EQ(predictions.size(), 50u);
  std::ifstream labels(kDigits + "/digits-labels-idx1-ubyte", std::ios::binary);
  labels.seekg(8 + 8000);  // IDX header, then one byte per label
  int correct = 0;
  for (const nlohmann::json& p : predictions) correct += p.get<int>() == labels.get();
  EXPECT_EQ(correct, j["results"][0]["top1_correct"].get<int>());
  EXPECT_NE(slurp(md).find("| float |"), std::string::npos);
  fs::remove(json);
  fs::remove(md);
}

TEST(CliEval, MissingDatasetOptionExits2) {
  EXPECT_EQ(run_kiln("eval '" + kModel + "'").exit_code, 2);
}

TEST(CliEval, BadDataExits1AndBadValuesExit2WithOneLine) {
  expect_one_error_line(run_kiln("eval '" + kModel + "' --dataset /nonexistent/data"),
                        "/nonexistent/data: no such file or directory");
  expect_one_error_line(run_kiln("eval '" + kModel + "' --dataset '" + kDigits + "' --limit 0"),
                        "--limit: invalid value '0'", 2);
  expect_one_error_line(run_kiln("eval '" + kModel + "' --dataset '" + kDigits + "' --skip x"),
                        "--skip: invalid value 'x'", 2);
  expect_one_error_line(
      run_kiln("eval '" + kModel + "' --dataset '" + kDigits + "' --preprocess offset=3"),
      "--preprocess: unknown field 'offset'", 2);
  expect_one_error_line(run_kiln("eval '" + kModel + "' --dataset '" + kDigits + "' --skip 10000"),
                        "no samples after the first 10000");
  // The test data sets have inputs but no labels.
  expect_one_error_line(run_kiln("eval '" + kModel + "' --dataset '" + kMnist + "'"),
                        "has no labels");
  expect_one_error_line(
      run_kiln("eval '" + kModel + "' --dataset '" + kDigits + "' --compare-schemes"),
      "--calibration", 2);
  expect_one_error_line(run_kiln("eval '" + kModel + "' --dataset '" + kDigits +
                                 "' --class-names /nonexistent/names.txt"),
                        "/nonexistent/names.txt: --class-names: no such file");
  expect_one_error_line(
      run_kiln("eval '" + kModel + "' --dataset '" + kDigits + "' --class-names /dev/zero"),
      "/dev/zero: --class-names: is not a regular file");
}

}  // namespace
