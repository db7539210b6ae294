// The kiln binary's contract on the command line: exit 0 on success, 1 with exactly one
// "kiln: error: ..." line on stderr for a bad model, 2 for a bad command line.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
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
  // ctest may run tests of this binary in parallel processes: keep capture files apart.
  static int call = 0;
  const std::string stem =
      ::testing::TempDir() + "/kiln_cli_" + std::to_string(getpid()) + "_" + std::to_string(call++);
  const std::string out = stem + ".out", err = stem + ".err";
  std::string command =
      std::string("'") + KILN_BINARY + "' " + args + " >'" + out + "' 2>'" + err + "'";
  int status = std::system(command.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

std::string data(const std::string& relative) {
  return std::string(KILN_TEST_DATA_DIR) + "/" + relative;
}

TEST(CliErrors, InspectOfEveryMalformedModelPrintsOneErrorLineAndExits1) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data("malformed"))) {
    if (entry.path().extension() != ".onnx") continue;
    ++count;
    SCOPED_TRACE(entry.path().string());
    RunResult r = run_kiln("inspect '" + entry.path().string() + "'");
    EXPECT_EQ(r.exit_code, 1);
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.back(), '\n');
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;  // exactly one line
    EXPECT_EQ(r.err.rfind("kiln: error: " + entry.path().string() + ": ", 0), 0u) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  EXPECT_GE(count, 20);
}

TEST(CliErrors, InspectOfAMissingFileExits1) {
  RunResult r = run_kiln("inspect /nonexistent/model.onnx");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "kiln: error: /nonexistent/model.onnx: no such file\n");
}

TEST(CliErrors, ShapeOverrideOfAnUnknownInputExits1AndMalformedOneExits2) {
  std::string seed = std::string(KILN_SOURCE_DIR) + "/tests/fuzz/seeds/transpose.onnx";
  RunResult r = run_kiln("inspect '" + seed + "' --shape nosuchinput=1,2");
  EXPECT_EQ(r.exit_code, 1);  // valid syntax; the model has no such input
  EXPECT_NE(r.err.find("'nosuchinput'"), std::string::npos) << r.err;
  r = run_kiln("inspect '" + seed + "' --shape x=1,two");
  EXPECT_EQ(r.exit_code, 2);  // a malformed value is a command-line error
  EXPECT_NE(r.err.find("'two' is not a dimension"), std::string::npos) << r.err;
}

TEST(CliErrors, InspectPrintsLayerTable) {
  std::string seed = std::string(KILN_SOURCE_DIR) + "/tests/fuzz/seeds/concat_initializer.onnx";
  RunResult r = run_kiln("inspect '" + seed + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_NE(r.out.find("join"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Concat"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("4x3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("parameters:        6\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("weight bytes:      24\n"), std::string::npos) << r.out;
}

TEST(CliErrors, HelpExits0) {
  RunResult r = run_kiln("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("inspect"), std::string::npos) << r.out;
}

TEST(CliErrors, VersionPrintsTheVersion) {
  RunResult r = run_kiln("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find(KILN_VERSION), std::string::npos) << r.out;
}

TEST(CliErrors, BadFlagExits2) {
  EXPECT_EQ(run_kiln("--no-such-flag").exit_code, 2);
  EXPECT_EQ(run_kiln("inspect").exit_code, 2);  // missing MODEL
  EXPECT_EQ(run_kiln("no-such-command").exit_code, 2);
}

}  // namespace
