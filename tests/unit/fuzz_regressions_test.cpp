// Every input in tests/fuzz/regressions once crashed kiln (a sanitizer report, an uncaught
// exception or an internal error found by tests/fuzz/fuzz_onnx_loader.cpp). Each is a bad model:
// loading it, from memory and from disk, must be rejected with kiln::Error and nothing worse.
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

std::vector<std::filesystem::path> regression_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(regressions_dir()))
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
  EXPECT_GE(regression_files().size(), 2u);
}

TEST(FuzzRegressions, EveryInputIsRejectedWithKilnError) {
  for (const std::filesystem::path& path : regression_files()) {
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

}  // namespace
}  // namespace kiln
