#include "verify/tensor_io.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>

#include "frontend/onnx_tensor.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"

namespace kiln {

namespace fs = std::filesystem;

namespace {

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error("cannot write " + path.string());
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) throw Error("error writing " + path.string());
}

// "input_12.pb" -> 12 for prefix "input_"; nullopt for other names.
std::optional<int> numbered(const std::string& file_name, const std::string& prefix) {
  if (!file_name.starts_with(prefix) || !file_name.ends_with(".pb")) return std::nullopt;
  const std::string digits = file_name.substr(prefix.size(), file_name.size() - prefix.size() - 3);
  if (digits.empty() || digits.size() > 6 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoi(digits);
}

std::vector<Tensor> read_numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<std::pair<int, fs::path>> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (auto index = numbered(entry.path().filename().string(), prefix))
      files.emplace_back(*index, entry.path());
  std::sort(files.begin(), files.end());
  std::vector<Tensor> tensors;
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].first != static_cast<int>(i))
      throw Error(dir.string() + ": " + prefix + std::to_string(i) + ".pb is missing");
    tensors.push_back(read_tensor_pb(files[i].second));
  }
  return tensors;
}

bool holds_inputs(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir))
    if (numbered(entry.path().filename().string(), "input_")) return true;
  return false;
}

}  // namespace

Tensor read_tensor_pb(const fs::path& path) {
  const std::string bytes = read_bytes(path);
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes))
    throw Error(path.string() + ": not a serialized onnx.TensorProto");
  const std::string name = proto.name().empty() ? path.stem().string() : proto.name();
  Tensor t = onnx_frontend::tensor_from_onnx(proto, name, path.string());
  t.constant = false;
  return t;
}

void write_tensor_pb(const fs::path& path, const Tensor& tensor) {
  onnx::TensorProto proto;
  proto.set_name(tensor.name);
  proto.set_data_type(dtype_to_onnx(tensor.dtype));
  for (int64_t d : tensor.shape) proto.add_dims(d);
  proto.set_raw_data(std::string(tensor.data.begin(), tensor.data.end()));
  const std::string bytes = proto.SerializeAsString();
  write_bytes(path, bytes.data(), bytes.size());
}

void write_raw(const fs::path& path, const Tensor& tensor) {
  if (tensor.data.size() != static_cast<size_t>(tensor.bytes()))
    throw InternalError("tensor " + quote_name(tensor.name) + " has no data of its shape to write");
  write_bytes(path, tensor.data.data(), tensor.data.size());
}

Tensor read_raw(const fs::path& path, const Tensor& like) {
  const std::string bytes = read_bytes(path);
  if (static_cast<int64_t>(bytes.size()) != like.bytes())
    throw Error(path.string() + ": holds " + std::to_string(bytes.size()) + " bytes, expected " +
                std::to_string(like.bytes()) + " for " + std::string(dtype_name(like.dtype)) + " " +
                shape_to_string(like.shape));
  Tensor t;
  t.name = like.name;
  t.dtype = like.dtype;
  t.shape = like.shape;
  t.shape_known = true;
  t.data.assign(bytes.begin(), bytes.end());
  return t;
}

std::vector<TestDataSet> load_test_data(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(dir.string() + ": not a directory");
  std::vector<fs::path> set_dirs;
  if (holds_inputs(dir)) {
    set_dirs.push_back(dir);
  } else {
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_directory() && entry.path().filename().string().starts_with("test_data_set_"))
        set_dirs.push_back(entry.path());
    std::sort(set_dirs.begin(), set_dirs.end());
  }
  if (set_dirs.empty())
    throw Error(dir.string() + ": holds neither input_*.pb files nor test_data_set_* directories");
  std::vector<TestDataSet> sets;
  for (const fs::path& set_dir : set_dirs) {
    TestDataSet set;
    set.label = set_dir.filename().string();
    set.inputs = read_numbered(set_dir, "input_");
    set.expected_outputs = read_numbered(set_dir, "output_");
    sets.push_back(std::move(set));
  }
  return sets;
}

}  // namespace kiln
