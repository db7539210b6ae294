// Dataset loading (src/verify/dataset.hpp): IDX files plain and gzip-compressed, directory
// conventions, tensor directories with labels.txt, preprocessing, and one-line errors naming
// the file for malformed data. Every file is written by the test itself.
#include "verify/dataset.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ir/error.hpp"
#include "verify/tensor_io.hpp"

namespace kiln {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("kiln_dataset_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

void put_u32(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

// IDX uint8 file: magic 0x0000 08 rank, big-endian dims, data.
Bytes idx_u8(const std::vector<uint32_t>& dims, const Bytes& data) {
  Bytes out = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) put_u32(out, d);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

// Three 2x2 images: image k has pixels 10k+0..10k+3; labels 2, 0, 1.
Bytes images3() {
  Bytes pixels;
  for (uint8_t k = 0; k < 3; ++k)
    for (uint8_t i = 0; i < 4; ++i) pixels.push_back(static_cast<uint8_t>(10 * k + i));
  return idx_u8({3, 2, 2}, pixels);
}
Bytes labels3() {
  return idx_u8({3}, {2, 0, 1});
}

void write_file(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

void write_gzip(const fs::path& path, const Bytes& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

std::vector<float> floats(const Tensor& t) {
  std::vector<float> out(static_cast<size_t>(t.elements()));
  std::memcpy(out.data(), t.data.data(), t.data.size());
  return out;
}

// Runs `load` and returns the Error message ("" when nothing was thrown).
template <typename F>
std::string error_of(F&& load) {
  try {
    load();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(DatasetPreprocess, ParsesFieldsAndFractions) {
  const Preprocess p = parse_preprocess("scale=1/255, mean=0.1307,std=0.3081,shape=1x1x28x28");
  EXPECT_DOUBLE_EQ(p.scale, 1.0 / 255);
  EXPECT_DOUBLE_EQ(p.mean, 0.1307);
  EXPECT_DOUBLE_EQ(p.std, 0.3081);
  ASSERT_TRUE(p.shape.has_value());
  EXPECT_EQ(*p.shape, (Shape{1, 1, 28, 28}));
  EXPECT_TRUE(parse_preprocess("").is_identity());
  EXPECT_FALSE(parse_preprocess("mean=0.5").is_identity());
}

TEST(DatasetPreprocess, RejectsBadFieldsNamingThem) {
  EXPECT_NE(
      error_of([] { parse_preprocess("scale=1/255,offset=3"); }).find("unknown field 'offset'"),
      std::string::npos);
  EXPECT_NE(error_of([] { parse_preprocess("scale=abc"); }).find("scale='abc' is not a number"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_preprocess("scale=1/0"); }).find("scale='1/0'"), std::string::npos);
  EXPECT_NE(error_of([] { parse_preprocess("std=0"); }).find("std must not be 0"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_preprocess("shape=1x0x28"); }).find("'0' is not a positive"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_preprocess("mean"); }).find("'mean' is not NAME=VALUE"),
            std::string::npos);
}

TEST_F(DatasetTest, ReadsPlainIdxWithSiblingLabelsAndPreprocesses) {
  write_file(dir_ / "demo-images-idx3-ubyte", images3());
  write_file(dir_ / "demo-labels-idx1-ubyte", labels3());
  const Dataset d = load_dataset((dir_ / "demo-images-idx3-ubyte").string(),
                                 parse_preprocess("scale=1/10,mean=1,std=2"), Shape{1, 1, 2, 2});
  ASSERT_EQ(d.samples.size(), 3u);
  EXPECT_EQ(d.labels, (std::vector<int64_t>{2, 0, 1}));
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_EQ(d.samples[1].shape, (Shape{1, 1, 2, 2}));
  EXPECT_EQ(d.samples[1].dtype, DType::Float32);
  // image 1 = 10, 11, 12, 13 -> (v / 10 - 1) / 2
  EXPECT_EQ(floats(d.samples[1]), (std::vector<float>{0.0f, 0.05f, 0.1f, 0.15f}));
}

TEST_F(DatasetTest, GzipFilesGiveTheSameDataAsPlainOnes) {
  write_file(dir_ / "plain-images-idx3-ubyte", images3());
  write_file(dir_ / "plain-labels-idx1-ubyte", labels3());
  write_gzip(dir_ / "zip-images-idx3-ubyte.gz", images3());
  write_gzip(dir_ / "zip-labels-idx1-ubyte.gz", labels3());
  const Dataset plain = load_dataset((dir_ / "plain-images-idx3-ubyte").string(), {}, Shape{1, 4});
  const Dataset zipped =
      load_dataset((dir_ / "zip-images-idx3-ubyte.gz").string(), {}, Shape{1, 4});
  ASSERT_EQ(zipped.samples.size(), 3u);
  EXPECT_EQ(zipped.labels, plain.labels);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(zipped.samples[i].data, plain.samples[i].data);
  EXPECT_EQ(floats(zipped.samples[2]), (std::vector<float>{20, 21, 22, 23}));
}

TEST_F(DatasetTest, DirectoryPicksTheTestSplitAndRangesSelectSamples) {
  write_gzip(dir_ / "train-images-idx3-ubyte.gz", idx_u8({1, 2, 2}, {9, 9, 9, 9}));
  write_gzip(dir_ / "train-labels-idx1-ubyte.gz", idx_u8({1}, {7}));
  write_gzip(dir_ / "t10k-images-idx3-ubyte.gz", images3());
  write_gzip(dir_ / "t10k-labels-idx1-ubyte.gz", labels3());
  const Dataset all = load_dataset(dir_.string(), {}, Shape{4});
  EXPECT_EQ(all.labels, (std::vector<int64_t>{2, 0, 1}));
  const Dataset middle = load_dataset(dir_.string(), {}, Shape{4}, SampleRange{1, 1});
  ASSERT_EQ(middle.samples.size(), 1u);
  EXPECT_EQ(middle.labels, (std::vector<int64_t>{0}));
  EXPECT_EQ(floats(middle.samples[0]), (std::vector<float>{10, 11, 12, 13}));
  const Dataset capped = load_dataset(dir_.string(), {}, Shape{4}, 2);
  EXPECT_EQ(capped.samples.size(), 2u);
  EXPECT_NE(error_of([&] {
              load_dataset(dir_.string(), {}, Shape{4}, SampleRange{3, -1});
            }).find("no samples after the first 3"),
            std::string::npos);
}

TEST_F(DatasetTest, ImagesWithoutLabelsFileHaveNoLabels) {
  write_file(dir_ / "x-images-idx3-ubyte", images3());
  const Dataset d = load_dataset((dir_ / "x-images-idx3-ubyte").string(), {}, Shape{2, 2});
  EXPECT_EQ(d.samples.size(), 3u);
  EXPECT_TRUE(d.labels.empty());
  EXPECT_EQ(d.num_classes, 0);
}

TEST_F(DatasetTest, AmbiguousDirectoryIsAnError) {
  write_file(dir_ / "a-images-idx3-ubyte", images3());
  write_file(dir_ / "b-images-idx3-ubyte", images3());
  const std::string message = error_of([&] { load_dataset(dir_.string(), {}, Shape{4}); });
  EXPECT_NE(message.find("several IDX image files"), std::string::npos) << message;
}

TEST_F(DatasetTest, MalformedIdxFilesGiveOneLineErrorsNamingTheFile) {
  const fs::path images = dir_ / "bad-images-idx3-ubyte";
  const fs::path labels = dir_ / "bad-labels-idx1-ubyte";
  auto load = [&] { load_dataset(images.string(), {}, Shape{4}); };
  auto expect_error = [&](const std::string& fragment, const fs::path& file) {
    const std::string message = error_of(load);
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
    EXPECT_EQ(message.rfind(file.string() + ": ", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  };

  Bytes bad_magic = images3();
  bad_magic[0] = 0x1f;
  write_file(images, bad_magic);
  expect_error("bad IDX magic 0x1f000803", images);

  Bytes unknown_type = images3();
  unknown_type[2] = 0x07;
  write_file(images, unknown_type);
  expect_error("bad IDX magic", images);

  write_file(images, idx_u8({3, 4}, Bytes(12, 0)));
  expect_error("IDX rank 2, expected 3", images);

  Bytes truncated = images3();
  truncated.resize(truncated.size() - 1);
  write_file(images, truncated);  // the header is checked against the file size first
  expect_error("IDX header claims 3 items of 4 bytes, more than the file can hold (27 bytes)",
               images);

  write_file(images, Bytes{0, 0, 8, 3, 0, 0});
  expect_error("truncated: IDX header", images);

  write_file(images, images3());
  write_file(labels, idx_u8({2}, {0, 1}));
  expect_error("count mismatch: 2 labels for 3 images", labels);

  write_file(labels, idx_u8({3}, {0, 1}));
  expect_error("IDX header claims 3 items of 1 bytes, more than the file can hold (10 bytes)",
               labels);

  Bytes float_labels = idx_u8({3}, Bytes(12, 0));  // 3 float32 labels
  float_labels[2] = 0x0D;
  write_file(labels, float_labels);
  expect_error("labels must be integers", labels);

  fs::remove(labels);
  Bytes compressed_images;
  {
    const fs::path gz = dir_ / "tmp.gz";
    write_gzip(gz, images3());
    std::ifstream in(gz, std::ios::binary);
    compressed_images.assign(std::istreambuf_iterator<char>(in), {});
  }
  compressed_images.resize(compressed_images.size() / 2);  // cut the deflate stream
  write_file(images, compressed_images);
  const std::string message = error_of(load);
  EXPECT_EQ(message.rfind(images.string() + ": ", 0), 0u) << message;
  EXPECT_TRUE(message.find("truncated") != std::string::npos ||
              message.find("corrupt") != std::string::npos)
      << message;
}

TEST_F(DatasetTest, HeadersClaimingMoreThanTheFileHoldsAreRefusedBeforeAllocating) {
  // 2^31 - 1 images of 2x2 in a 20-byte file: refused from the header, without reading or
  // reserving anything for the claimed items.
  const fs::path images = dir_ / "huge-images-idx3-ubyte";
  write_file(images, idx_u8({0x7fffffff, 2, 2}, {}));
  std::string message = error_of([&] { load_dataset(images.string(), {}, Shape{4}); });
  EXPECT_EQ(message, images.string() +
                         ": IDX header claims 2147483647 items of 4 bytes, more than the file can "
                         "hold (16 bytes)");
  // A gzip file may hold up to 1032 times its size (deflate's limit); a claim beyond that is
  // refused even though the stream is valid.
  const fs::path gz = dir_ / "gz-images-idx3-ubyte.gz";
  write_gzip(gz, idx_u8({0x7fffffff, 2, 2}, {}));
  message = error_of([&] { load_dataset(gz.string(), {}, Shape{4}); });
  EXPECT_NE(message.find("more than the file can hold"), std::string::npos) << message;
  // The labels file is checked the same way.
  write_file(images, images3());
  write_file(dir_ / "huge-labels-idx1-ubyte", idx_u8({0x7fffffff}, {}));
  message = error_of([&] { load_dataset(images.string(), {}, Shape{4}); });
  EXPECT_NE(message.find("huge-labels-idx1-ubyte: IDX header claims 2147483647 items"),
            std::string::npos)
      << message;
}

TEST_F(DatasetTest, DevicesAreNotDatasets) {
  const std::string message = error_of([] { load_dataset("/dev/zero", {}, Shape{4}); });
  EXPECT_EQ(message, "/dev/zero: is not a regular file (a device, pipe or socket)");
}

TEST_F(DatasetTest, SampleSizeMustMatchTheModelInput) {
  // A header promising huge images is rejected before any buffer is sized from it.
  write_file(dir_ / "huge-images-idx3-ubyte", idx_u8({1, 40000, 40000}, {1, 2, 3}));
  const std::string huge = error_of([&] {
    load_dataset((dir_ / "huge-images-idx3-ubyte").string(), {}, Shape{1, 1, 28, 28});
  });
  // (The header's claim is checked against the file size first.)
  EXPECT_NE(huge.find("IDX header claims 1 items of 1600000000 bytes, more than the file can hold"),
            std::string::npos)
      << huge;
  write_file(dir_ / "x-images-idx3-ubyte", images3());
  const std::string message = error_of([&] {
    load_dataset((dir_ / "x-images-idx3-ubyte").string(), {}, Shape{1, 1, 28, 28});
  });
  EXPECT_NE(message.find("a sample has 4 values but the model input 1x1x28x28 needs 784"),
            std::string::npos)
      << message;
  // An explicit preprocess shape overrides the model's.
  const Dataset d = load_dataset((dir_ / "x-images-idx3-ubyte").string(),
                                 parse_preprocess("shape=4x1"), Shape{1, 1, 28, 28});
  EXPECT_EQ(d.samples[0].shape, (Shape{4, 1}));
}

Tensor uint8_tensor(const std::string& name, const Bytes& values) {
  return make_constant<uint8_t>(name, DType::UInt8, Shape{static_cast<int64_t>(values.size())},
                                values);
}

TEST_F(DatasetTest, TensorDirectoryWithLabelsFile) {
  write_tensor_pb(dir_ / "b.pb", uint8_tensor("x", {4, 5}));
  write_tensor_pb(dir_ / "a.pb", uint8_tensor("x", {2, 3}));
  std::ofstream(dir_ / "labels.txt") << "1\n0\n";
  const Dataset d = load_dataset(dir_.string(), parse_preprocess("scale=2"), Shape{1, 2});
  ASSERT_EQ(d.samples.size(), 2u);
  EXPECT_EQ(floats(d.samples[0]), (std::vector<float>{4, 6}));  // a.pb first
  EXPECT_EQ(d.labels, (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(d.num_classes, 2);

  std::ofstream(dir_ / "labels.txt") << "1 0 1\n";
  std::string message = error_of([&] { load_dataset(dir_.string(), {}, Shape{2}); });
  EXPECT_NE(message.find("labels.txt: count mismatch: 3 labels for 2 samples"), std::string::npos)
      << message;
  std::ofstream(dir_ / "labels.txt") << "1 cat\n";
  message = error_of([&] { load_dataset(dir_.string(), {}, Shape{2}); });
  EXPECT_NE(message.find("'cat' (entry 1) is not a class index"), std::string::npos) << message;
}

TEST_F(DatasetTest, DirectoryOfTestDataSets) {
  for (int k = 0; k < 3; ++k) {
    fs::create_directories(dir_ / ("test_data_set_" + std::to_string(k)));
    const float values[2] = {static_cast<float>(k), 0.5f};
    write_tensor_pb(dir_ / ("test_data_set_" + std::to_string(k)) / "input_0.pb",
                    make_constant<float>("input", DType::Float32, Shape{1, 2}, values));
  }
  const Dataset d = load_dataset(dir_.string(), {}, Shape{1, 2});
  ASSERT_EQ(d.samples.size(), 3u);
  EXPECT_TRUE(d.labels.empty());
  EXPECT_EQ(floats(d.samples[2]), (std::vector<float>{2.0f, 0.5f}));
}

TEST_F(DatasetTest, MissingPathAndEmptyDirectory) {
  EXPECT_NE(error_of([&] {
              load_dataset((dir_ / "nope").string(), {}, Shape{1});
            }).find("no such file or directory"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load_dataset(dir_.string(), {}, Shape{1}); }).find("not a dataset"),
            std::string::npos);
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

// A version 1.0 .npy file of little-endian float32 values, shape (n,).
void write_npy(const std::filesystem::path& path, const std::vector<float>& values) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       std::to_string(values.size()) + ",), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const uint16_t length = static_cast<uint16_t>(header.size());
  const char length_bytes[2] = {static_cast<char>(length & 0xFF), static_cast<char>(length >> 8)};
  out.write(length_bytes, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(float)));
}

TEST_F(DatasetTest, NpyFilesAreSamplesToo) {
  write_npy(dir_ / "0.npy", {1.5f, -2.0f});
  write_tensor_pb(dir_ / "1.pb", uint8_tensor("x", {7, 8}));
  std::ofstream(dir_ / "labels.txt") << "3 1";
  const Dataset d = load_dataset(dir_.string(), {}, Shape{2});
  ASSERT_EQ(d.samples.size(), 2u);
  EXPECT_EQ(floats(d.samples[0]), (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(floats(d.samples[1]), (std::vector<float>{7, 8}));
  EXPECT_EQ(d.num_classes, 4);
}

}  // namespace
}  // namespace kiln
