// Test data I/O shared by `kiln verify` and the conformance runner.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ir/error.hpp"
#include "verify/tensor_io.hpp"

namespace kiln {
namespace {

namespace fs = std::filesystem;

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "kiln-tensor-io-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

Tensor sample(const std::string& name, std::vector<float> values) {
  return make_constant<float>(name, DType::Float32, {1, static_cast<int64_t>(values.size())},
                              values);
}

TEST(TensorIo, ProtoRoundTrip) {
  ScratchDir dir;
  const std::vector<int64_t> ints = {-3, 0, 1LL << 40};
  Tensor t = make_constant<int64_t>("idx", DType::Int64, {3}, ints);
  write_tensor_pb(dir.path() / "t.pb", t);
  const Tensor back = read_tensor_pb(dir.path() / "t.pb");
  EXPECT_EQ(back.name, "idx");
  EXPECT_EQ(back.dtype, DType::Int64);
  EXPECT_EQ(back.shape, Shape{3});
  EXPECT_EQ(back.data, t.data);
  EXPECT_FALSE(back.constant);
}

TEST(TensorIo, RawRoundTripChecksSize) {
  ScratchDir dir;
  const Tensor t = sample("x", {1.0f, -2.5f});
  write_raw(dir.path() / "x.bin", t);
  EXPECT_EQ(read_raw(dir.path() / "x.bin", t).data, t.data);
  EXPECT_THROW(read_raw(dir.path() / "x.bin", sample("y", {1.0f, 2.0f, 3.0f})), Error);
}

TEST(TensorIo, RejectsFilesThatAreNotTensorProtos) {
  ScratchDir dir;
  std::ofstream(dir.path() / "junk.pb") << "\xff\xff\xff not a proto";
  EXPECT_THROW(read_tensor_pb(dir.path() / "junk.pb"), Error);
  EXPECT_THROW(read_tensor_pb(dir.path() / "missing.pb"), Error);
}

TEST(TensorIo, LoadsOneDataSetOrADirectoryOfThem) {
  ScratchDir dir;
  for (const char* set : {"test_data_set_0", "test_data_set_1"}) {
    fs::create_directories(dir.path() / set);
    write_tensor_pb(dir.path() / set / "input_0.pb", sample("a", {1.0f}));
    write_tensor_pb(dir.path() / set / "input_1.pb", sample("b", {2.0f}));
    write_tensor_pb(dir.path() / set / "output_0.pb", sample("y", {3.0f}));
  }
  const std::vector<TestDataSet> sets = load_test_data(dir.path());
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].label, "test_data_set_0");
  ASSERT_EQ(sets[1].inputs.size(), 2u);
  EXPECT_EQ(sets[1].inputs[1].name, "b");
  EXPECT_EQ(sets[1].expected_outputs.size(), 1u);

  const std::vector<TestDataSet> one = load_test_data(dir.path() / "test_data_set_1");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].inputs[0].name, "a");
}

TEST(TensorIo, MissingIndexOrEmptyDirectoryIsAnError) {
  ScratchDir dir;
  EXPECT_THROW(load_test_data(dir.path()), Error);
  write_tensor_pb(dir.path() / "input_1.pb", sample("b", {2.0f}));
  EXPECT_THROW(load_test_data(dir.path()), Error);  // input_0.pb missing
  EXPECT_THROW(load_test_data(dir.path() / "nope"), Error);
}

}  // namespace
}  // namespace kiln
