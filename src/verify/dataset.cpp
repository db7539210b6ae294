#include "verify/dataset.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/checked_math.hpp"
#include "quant/npy.hpp"
#include "verify/tensor_io.hpp"

namespace kiln {

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// Preprocessing spec

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

// "0.5", "1/255", "2.5/3"
double parse_ratio(const std::string& field, const std::string& text) {
  const auto slash = text.find('/');
  std::optional<double> value;
  if (slash == std::string::npos) {
    value = parse_number(text);
  } else {
    auto numerator = parse_number(trim(text.substr(0, slash)));
    auto denominator = parse_number(trim(text.substr(slash + 1)));
    if (numerator && denominator && *denominator != 0) value = *numerator / *denominator;
  }
  if (!value)
    throw Error("preprocess: " + field + "=" + quote_name(text) +
                " is not a number (e.g. 0.5 or 1/255)");
  return *value;
}

Shape parse_dims(const std::string& text) {
  Shape shape;
  std::string_view rest = text;
  while (true) {
    const auto cut = rest.find('x');
    const std::string part = trim(rest.substr(0, cut));
    int64_t dim = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), dim);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || dim <= 0 ||
        dim > std::numeric_limits<int32_t>::max())
      throw Error("preprocess: shape=" + quote_name(text) + ": " + quote_name(part) +
                  " is not a positive dimension");
    shape.push_back(dim);
    if (cut == std::string_view::npos) break;
    rest = rest.substr(cut + 1);
  }
  return shape;
}

// ---------------------------------------------------------------------------------------------
// Byte input through zlib: gzread() reads gzip streams and passes other files through
// unchanged ("transparent" mode), so compressed and plain IDX files share one reader.

class GzipReader {
 public:
  explicit GzipReader(const fs::path& path) : path_(path) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) throw Error(path.string() + ": no such file");
    if (!fs::is_regular_file(status))
      throw Error(path.string() + ": is not a regular file (a device, pipe or socket)");
    const uintmax_t size = fs::file_size(path, ec);
    if (ec) throw Error(path.string() + ": cannot read (" + ec.message() + ")");
    // deflate encodes at most 1032 bytes per input byte (258-byte matches in ~2-bit codes), so
    // a gzip file cannot hold more than that; a plain file holds its size.
    max_bytes_ = is_gzip(path) ? size * kMaxDeflateRatio : size;
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) throw Error(path.string() + ": cannot open");
    gzbuffer(file_, 1 << 17);
  }

  // The most bytes the file can decompress to: what a header's claims are checked against
  // before anything is sized from them.
  uintmax_t max_bytes() const { return max_bytes_; }
  ~GzipReader() {
    if (file_ != nullptr) gzclose(file_);
  }
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  // Reads exactly `size` bytes; Error naming the file and `what` when the data ends early.
  void read_exact(void* buffer, size_t size, const std::string& what) {
    auto* out = static_cast<char*>(buffer);
    size_t done = 0;
    while (done < size) {
      const size_t chunk = std::min<size_t>(size - done, 1u << 30);
      const int got = gzread(file_, out + done, static_cast<unsigned>(chunk));
      if (got < 0) {
        int code = 0;
        const char* message = gzerror(file_, &code);
        throw Error(path_.string() + ": corrupt compressed data (" +
                    std::string(message ? message : "zlib error") + ")");
      }
      if (got == 0)
        throw Error(path_.string() + ": truncated: " + what + " ends after " +
                    std::to_string(done) + " of " + std::to_string(size) + " bytes");
      done += static_cast<size_t>(got);
    }
  }

 private:
  static constexpr uintmax_t kMaxDeflateRatio = 1032;

  static bool is_gzip(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    char magic[2] = {};
    return in.read(magic, 2) && static_cast<uint8_t>(magic[0]) == 0x1F &&
           static_cast<uint8_t>(magic[1]) == 0x8B;
  }

  fs::path path_;
  gzFile file_ = nullptr;
  uintmax_t max_bytes_ = 0;
};

// ---------------------------------------------------------------------------------------------
// IDX files: big-endian header 00 00 <type> <rank>, rank big-endian uint32 dims, then the
// elements big-endian, row-major.

struct IdxHeader {
  uint8_t type = 0;
  Shape dims;
  int element_size = 0;
  int64_t items() const { return dims.empty() ? 0 : dims[0]; }
  int64_t item_elements() const {
    int64_t n = 1;
    for (size_t i = 1; i < dims.size(); ++i) n *= dims[i];
    return n;
  }
};

int idx_element_size(uint8_t type) {
  switch (type) {
    case 0x08:  // uint8
    case 0x09:  // int8
      return 1;
    case 0x0B:  // int16
      return 2;
    case 0x0C:  // int32
    case 0x0D:  // float32
      return 4;
    case 0x0E:  // float64
      return 8;
    default: return 0;
  }
}

uint32_t big_endian_u32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

IdxHeader read_idx_header(GzipReader& reader, const fs::path& path, int expected_rank) {
  std::array<uint8_t, 4> magic{};
  reader.read_exact(magic.data(), magic.size(), "IDX header");
  IdxHeader header;
  header.type = magic[2];
  header.element_size = idx_element_size(magic[2]);
  const int rank = magic[3];
  if (magic[0] != 0 || magic[1] != 0 || header.element_size == 0 || rank == 0) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%02x%02x%02x%02x", magic[0], magic[1], magic[2], magic[3]);
    throw Error(path.string() + ": bad IDX magic " + hex +
                " (expected 0x0000TTRR: element type TT, rank RR)");
  }
  if (rank != expected_rank)
    throw Error(path.string() + ": IDX rank " + std::to_string(rank) + ", expected " +
                std::to_string(expected_rank) +
                (expected_rank == 1 ? " (labels file)" : " (images file: count, rows, columns)"));
  std::vector<uint8_t> raw(static_cast<size_t>(rank) * 4);
  reader.read_exact(raw.data(), raw.size(), "IDX header");
  int64_t elements = 1;
  for (int i = 0; i < rank; ++i) {
    const int64_t dim = big_endian_u32(raw.data() + 4 * i);
    if (dim > std::numeric_limits<int32_t>::max())
      throw Error(path.string() + ": IDX dimension " + std::to_string(dim) + " is too large");
    header.dims.push_back(dim);
    if (i > 0) {
      elements *= dim;
      if (elements > kMaxShapeElements)
        throw Error(path.string() + ": IDX item of " + std::to_string(elements) +
                    "+ elements is too large");
    }
  }
  if (rank > 1 && header.item_elements() == 0)
    throw Error(path.string() + ": IDX item shape has a zero dimension");
  // The claimed size can exceed 64 bits (2^31 - 1 items of up to kMaxShapeElements elements of
  // 8 bytes): compare in long double, before anything is sized from the header.
  const long double claimed = static_cast<long double>(4 + 4 * rank) +
                              static_cast<long double>(header.items()) *
                                  static_cast<long double>(header.item_elements()) *
                                  header.element_size;
  if (claimed > static_cast<long double>(reader.max_bytes()))
    throw Error(path.string() + ": IDX header claims " + std::to_string(header.items()) +
                " items of " + std::to_string(header.item_elements() * header.element_size) +
                " bytes, more than the file can hold (" + std::to_string(reader.max_bytes()) +
                " bytes)");
  return header;
}

// One IDX item's elements as doubles.
void decode_idx(const IdxHeader& header, const uint8_t* bytes, std::vector<double>& out) {
  const int64_t n = static_cast<int64_t>(out.size());
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* p = bytes + i * header.element_size;
    switch (header.type) {
      case 0x08: out[i] = p[0]; break;
      case 0x09: out[i] = static_cast<int8_t>(p[0]); break;
      case 0x0B: out[i] = static_cast<int16_t>((uint16_t{p[0]} << 8) | p[1]); break;
      case 0x0C: out[i] = static_cast<int32_t>(big_endian_u32(p)); break;
      case 0x0D: out[i] = std::bit_cast<float>(big_endian_u32(p)); break;
      case 0x0E: {
        const uint64_t bits = (uint64_t{big_endian_u32(p)} << 32) | big_endian_u32(p + 4);
        out[i] = std::bit_cast<double>(bits);
        break;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Turning raw values into model inputs

class SampleMaker {
 public:
  SampleMaker(const Preprocess& preprocess, const Shape& model_input_shape)
      : preprocess_(preprocess), shape_(preprocess.shape ? *preprocess.shape : model_input_shape) {}

  // Error unless a sample of `elements` values fits the target shape. Checked before any
  // buffer is sized from a file's header.
  void check_elements(int64_t elements, const std::string& where) const {
    if (elements != shape_elements(shape_))
      throw Error(where + ": a sample has " + std::to_string(elements) + " values but the " +
                  (preprocess_.shape ? "preprocess shape " : "model input ") +
                  shape_to_string(shape_) + " needs " + std::to_string(shape_elements(shape_)) +
                  " (set shape= in --preprocess?)");
  }

  Tensor make(const std::vector<double>& raw, const std::string& where, size_t index) const {
    check_elements(static_cast<int64_t>(raw.size()), where);
    Tensor t;
    t.name = "sample_" + std::to_string(index);
    t.dtype = DType::Float32;
    t.shape = shape_;
    t.shape_known = true;
    t.data.resize(raw.size() * sizeof(float));
    auto* out = reinterpret_cast<float*>(t.data.data());
    for (size_t i = 0; i < raw.size(); ++i)
      out[i] =
          static_cast<float>((raw[i] * preprocess_.scale - preprocess_.mean) / preprocess_.std);
    return t;
  }

 private:
  Preprocess preprocess_;
  Shape shape_;
};

// ---------------------------------------------------------------------------------------------
// IDX datasets

bool is_images_file_name(const std::string& name) {
  return name.ends_with("-images-idx3-ubyte") || name.ends_with("-images-idx3-ubyte.gz") ||
         name.ends_with("-images.idx3-ubyte") || name.ends_with("-images.idx3-ubyte.gz");
}

// "<stem>-images-idx3-ubyte[.gz]" -> existing "<stem>-labels-idx1-ubyte[.gz]", if any.
std::optional<fs::path> labels_file_for(const fs::path& images) {
  std::string name = images.filename().string();
  if (name.ends_with(".gz")) name.resize(name.size() - 3);
  std::string labels;
  for (const char* suffix : {"-images-idx3-ubyte", "-images.idx3-ubyte"}) {
    if (name.ends_with(suffix)) {
      labels = name.substr(0, name.size() - std::strlen(suffix)) +
               (std::string(suffix) == "-images-idx3-ubyte" ? "-labels-idx1-ubyte"
                                                            : "-labels.idx1-ubyte");
    }
  }
  if (labels.empty()) return std::nullopt;
  for (const std::string& candidate : {labels, labels + ".gz"}) {
    const fs::path path = images.parent_path() / candidate;
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return path;
  }
  return std::nullopt;
}

std::vector<int64_t> read_idx_labels(const fs::path& path, const SampleRange& range,
                                     int64_t expected_items) {
  GzipReader reader(path);
  const IdxHeader header = read_idx_header(reader, path, 1);
  if (header.items() != expected_items)
    throw Error(path.string() + ": count mismatch: " + std::to_string(header.items()) +
                " labels for " + std::to_string(expected_items) + " images");
  if (header.type == 0x0D || header.type == 0x0E)
    throw Error(path.string() + ": labels must be integers, not floating point");
  const int64_t first = std::min(range.first_sample, header.items());
  const int64_t available = header.items() - first;
  const int64_t count = range.max_samples < 0 ? available : std::min(range.max_samples, available);
  std::vector<uint8_t> skipped(static_cast<size_t>(first * header.element_size));
  reader.read_exact(skipped.data(), skipped.size(), "label data");
  std::vector<uint8_t> bytes(static_cast<size_t>(count * header.element_size));
  reader.read_exact(bytes.data(), bytes.size(), "label data");
  std::vector<double> values(static_cast<size_t>(count));
  decode_idx(header, bytes.data(), values);
  std::vector<int64_t> labels;
  labels.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] < 0 || values[i] > 1e6)
      throw Error(path.string() + ": label " + std::to_string(static_cast<int64_t>(values[i])) +
                  " of item " + std::to_string(first + static_cast<int64_t>(i)) +
                  " is not a class index (0..1000000)");
    labels.push_back(static_cast<int64_t>(values[i]));
  }
  return labels;
}

Dataset load_idx(const fs::path& images_path, const SampleMaker& maker, const SampleRange& range) {
  GzipReader reader(images_path);
  const IdxHeader header = read_idx_header(reader, images_path, 3);
  maker.check_elements(header.item_elements(), images_path.string());
  Dataset dataset;
  dataset.source = images_path.string();
  if (auto labels_path = labels_file_for(images_path))
    dataset.labels = read_idx_labels(*labels_path, range, header.items());

  const int64_t first = std::min(range.first_sample, header.items());
  const int64_t available = header.items() - first;
  const int64_t count = range.max_samples < 0 ? available : std::min(range.max_samples, available);
  const size_t item_bytes = static_cast<size_t>(header.item_elements() * header.element_size);
  std::vector<uint8_t> bytes(item_bytes);
  for (int64_t i = 0; i < first; ++i)
    reader.read_exact(bytes.data(), item_bytes, "image " + std::to_string(i));
  std::vector<double> raw(static_cast<size_t>(header.item_elements()));
  dataset.samples.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    reader.read_exact(bytes.data(), item_bytes, "image " + std::to_string(first + i));
    decode_idx(header, bytes.data(), raw);
    dataset.samples.push_back(maker.make(raw, images_path.string(), static_cast<size_t>(i)));
  }
  return dataset;
}

// A directory with IDX files: the "t10k" test split if present, else its only images file.
std::optional<fs::path> idx_images_in(const fs::path& dir) {
  std::vector<fs::path> images;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && is_images_file_name(entry.path().filename().string()))
      images.push_back(entry.path());
  if (images.empty()) return std::nullopt;
  std::sort(images.begin(), images.end());
  for (const fs::path& path : images)
    if (path.filename().string().starts_with("t10k-")) return path;
  if (images.size() == 1) return images.front();
  std::string names;
  for (const fs::path& path : images) names += " " + path.filename().string();
  throw Error(dir.string() + ": several IDX image files and none is the t10k test split (" +
              trim(names) + "); name the file");
}

// ---------------------------------------------------------------------------------------------
// Tensor directories

std::vector<double> tensor_values(const Tensor& t, const fs::path& path) {
  std::vector<double> out(static_cast<size_t>(t.elements()));
  if (t.quant && t.quant->packed_int4())
    throw Error(path.string() + ": packed int4 samples are not supported");
  if (static_cast<int64_t>(t.data.size()) != t.bytes())
    throw Error(path.string() + ": tensor holds " + std::to_string(t.data.size()) +
                " bytes, its shape needs " + std::to_string(t.bytes()));
  auto copy = [&](auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < out.size(); ++i) {
      T v;
      std::memcpy(&v, t.data.data() + i * sizeof(T), sizeof(T));
      out[i] = static_cast<double>(v);
    }
  };
  switch (t.dtype) {
    case DType::Float32: copy(float{}); break;
    case DType::Int8: copy(int8_t{}); break;
    case DType::UInt8: copy(uint8_t{}); break;
    case DType::Int16: copy(int16_t{}); break;
    case DType::Int32: copy(int32_t{}); break;
    case DType::Int64: copy(int64_t{}); break;
    case DType::Bool: copy(uint8_t{}); break;
  }
  return out;
}

std::vector<int64_t> read_labels_txt(const fs::path& path, size_t expected) {
  std::ifstream in(path);
  if (!in) throw Error(path.string() + ": cannot open");
  std::vector<int64_t> labels;
  std::string word;
  while (in >> word) {
    int64_t label = -1;
    auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), label);
    if (ec != std::errc() || ptr != word.data() + word.size() || label < 0 || label > 1000000)
      throw Error(path.string() + ": " + quote_name(word) + " (entry " +
                  std::to_string(labels.size()) + ") is not a class index");
    labels.push_back(label);
  }
  if (labels.size() != expected)
    throw Error(path.string() + ": count mismatch: " + std::to_string(labels.size()) +
                " labels for " + std::to_string(expected) + " samples");
  return labels;
}

Dataset load_tensor_dir(const fs::path& dir, const SampleMaker& maker, const SampleRange& range) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path& p = entry.path();
    if (entry.is_directory() && p.filename().string().starts_with("test_data_set_")) {
      files.push_back(p / "input_0.pb");
    } else if (entry.is_regular_file() && (p.extension() == ".pb" || p.extension() == ".npy")) {
      files.push_back(p);
    }
  }
  if (files.empty())
    throw Error(dir.string() +
                ": not a dataset (no IDX images file, no *.pb / *.npy tensors, no test_data_set_* "
                "directories)");
  // Sorted by the name that identifies the sample (the set directory for test data sets).
  std::sort(files.begin(), files.end());
  Dataset dataset;
  dataset.source = dir.string();
  const fs::path labels_path = dir / "labels.txt";
  std::error_code ec;
  if (fs::exists(labels_path, ec)) {
    std::vector<int64_t> all = read_labels_txt(labels_path, files.size());
    const auto first = std::min<size_t>(static_cast<size_t>(range.first_sample), all.size());
    const size_t count = range.max_samples < 0
                             ? all.size() - first
                             : std::min(static_cast<size_t>(range.max_samples), all.size() - first);
    dataset.labels.assign(all.begin() + first, all.begin() + first + count);
  }
  const auto first = std::min<size_t>(static_cast<size_t>(range.first_sample), files.size());
  const size_t count = range.max_samples < 0
                           ? files.size() - first
                           : std::min(static_cast<size_t>(range.max_samples), files.size() - first);
  for (size_t i = 0; i < count; ++i) {
    const fs::path& path = files[first + i];
    if (!fs::is_regular_file(path, ec)) throw Error(path.string() + ": no such file");
    const Tensor t = path.extension() == ".npy" ? read_npy(path) : read_tensor_pb(path);
    dataset.samples.push_back(maker.make(tensor_values(t, path), path.string(), i));
  }
  return dataset;
}

}  // namespace

Preprocess parse_preprocess(const std::string& spec) {
  Preprocess p;
  std::string_view rest = spec;
  while (!trim(rest).empty()) {
    const auto comma = rest.find(',');
    // Commas separate fields, so dims are joined with 'x' (shape=1x1x28x28).
    const std::string field = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (field.empty()) continue;
    const auto eq = field.find('=');
    if (eq == std::string::npos)
      throw Error("preprocess: field " + quote_name(field) + " is not NAME=VALUE");
    const std::string name = trim(field.substr(0, eq));
    const std::string value = trim(field.substr(eq + 1));
    if (name == "scale") {
      p.scale = parse_ratio(name, value);
    } else if (name == "mean") {
      p.mean = parse_ratio(name, value);
    } else if (name == "std") {
      p.std = parse_ratio(name, value);
      if (p.std == 0) throw Error("preprocess: std must not be 0");
    } else if (name == "shape") {
      p.shape = parse_dims(value);
    } else {
      throw Error("preprocess: unknown field " + quote_name(name) +
                  " (expected scale, mean, std, shape)");
    }
  }
  return p;
}

Dataset load_dataset(const std::string& path, const Preprocess& preprocess,
                     const Shape& model_input_shape, const SampleRange& range) {
  if (range.first_sample < 0) throw Error(path + ": negative first sample index");
  const fs::path p(path);
  std::error_code ec;
  if (!fs::exists(p, ec)) throw Error(path + ": no such file or directory");
  const SampleMaker maker(preprocess, model_input_shape);
  Dataset dataset;
  if (fs::is_directory(p, ec)) {
    if (auto images = idx_images_in(p)) {
      dataset = load_idx(*images, maker, range);
    } else {
      dataset = load_tensor_dir(p, maker, range);
    }
  } else {
    dataset = load_idx(p, maker, range);
  }
  if (dataset.samples.empty())
    throw Error(path + ": no samples" +
                (range.first_sample > 0 ? " after the first " + std::to_string(range.first_sample)
                                        : std::string()));
  for (int64_t label : dataset.labels)
    dataset.num_classes = std::max(dataset.num_classes, label + 1);
  return dataset;
}

Dataset load_dataset(const std::string& path, const Preprocess& preprocess,
                     const Shape& model_input_shape, int64_t max_samples) {
  return load_dataset(path, preprocess, model_input_shape, SampleRange{0, max_samples});
}

}  // namespace kiln
