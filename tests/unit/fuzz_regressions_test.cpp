// tests/fuzz/regressions holds inputs that crashed kiln (sanitizer reports, uncaught exceptions or
// internal errors found by tests/fuzz/fuzz_onnx_loader.cpp, plus hand-made models of the same
// overflow classes from tests/fuzz/make_regressions.py). The top-level files are bad models:
// loading them, from memory and from disk, must be rejected with kiln::Error and nothing worse.
// regressions/valid/ holds valid models with extreme values that must load.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "frontend/load_model.hpp"
#include "ir/error.hpp"

namespace kiln {
namespace {

std::filesystem::path regressions_dir() {
  return std::filesystem::path(KILN_TEST_DATA_DIR) / ".." / "fuzz" / "regressions";
}

std::vector<std::filesystem::path> regression_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Returns the kiln::Error message, or fails the test when the load succeeds or throws anything
// other than kiln::Error.
template <typename Load>
std::string rejection_message(Load load) {
  try {
    Graph graph = load();
    graph.verify();
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a non-kiln::Error exception: " << e.what();
    return {};
  }
  ADD_FAILURE() << "loaded without an error";
  return {};
}

TEST(FuzzRegressions, DirectoryHoldsTheRecordedCrashes) {
  EXPECT_GE(regression_files(regressions_dir()).size(), 2u);
}

TEST(FuzzRegressions, EveryInputIsRejectedWithKilnError) {
  for (const std::filesystem::path& path : regression_files(regressions_dir())) {
    SCOPED_TRACE(path.filename().string());
    const std::vector<uint8_t> bytes = read_bytes(path);
    const std::string from_memory = rejection_message(
        [&] { return load_model_from_memory(std::span<const uint8_t>(bytes), "fuzz.onnx"); });
    EXPECT_FALSE(from_memory.empty());
    EXPECT_EQ(from_memory.find('\n'), std::string::npos) << "message spans lines: " << from_memory;
    const std::string from_disk = rejection_message([&] { return load_model(path.string()); });
    EXPECT_FALSE(from_disk.empty());
  }
}

TEST(FuzzRegressions, HugeConstantShapeIsReportedAsDimensionOverflow) {
  const std::vector<uint8_t> bytes =
      read_bytes(regressions_dir() / "reshape_dim_product_overflow.onnx");
  const std::string message = rejection_message(
      [&] { return load_model_from_memory(std::span<const uint8_t>(bytes), "fuzz.onnx"); });
  EXPECT_NE(message.find("dimension overflow"), std::string::npos) << message;
}

// Slices with INT64_MIN / INT64_MAX steps overflowed the element-count arithmetic; each takes
// exactly one element of the last axis.
TEST(FuzzRegressions, ValidModelsWithExtremeValuesLoad) {
  const std::vector<std::filesystem::path> files = regression_files(regressions_dir() / "valid");
  EXPECT_GE(files.size(), 2u);
  for (const std::filesystem::path& path : files) {
    SCOPED_TRACE(path.filename().string());
    Graph graph = load_model(path.string());
    graph.verify();
    ASSERT_EQ(graph.outputs.size(), 1u);
    EXPECT_EQ(graph.tensor(graph.outputs[0]).shape, (Shape{1, 2, 3, 1}));
  }
}

}  // namespace
}  // namespace kiln
