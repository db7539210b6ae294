#include "quant/npy.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "ir/error.hpp"

namespace kiln {

namespace {

// The value of `key` in the header dict, as written by numpy ('descr': '<f4', ...): the text
// after "'key':" up to the next top-level ',' or '}' (tuples kept whole).
std::string header_field(const std::string& header, const std::string& key,
                         const std::string& where) {
  const std::string quoted = "'" + key + "'";
  size_t pos = header.find(quoted);
  if (pos == std::string::npos) throw Error(where + ": npy header has no " + quoted);
  pos = header.find(':', pos + quoted.size());
  if (pos == std::string::npos) throw Error(where + ": malformed npy header");
  ++pos;
  int depth = 0;
  size_t end = pos;
  for (; end < header.size(); ++end) {
    const char c = header[end];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
  }
  std::string value = header.substr(pos, end - pos);
  const size_t first = value.find_first_not_of(" \t");
  const size_t last = value.find_last_not_of(" \t");
  return first == std::string::npos ? "" : value.substr(first, last - first + 1);
}

Shape parse_shape_tuple(const std::string& text, const std::string& where) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')')
    throw Error(where + ": malformed npy shape " + text);
  Shape shape;
  std::string inner = text.substr(1, text.size() - 2);
  size_t pos = 0;
  while (pos < inner.size()) {
    size_t comma = inner.find(',', pos);
    if (comma == std::string::npos) comma = inner.size();
    std::string item = inner.substr(pos, comma - pos);
    const size_t first = item.find_first_not_of(" \t");
    if (first != std::string::npos) {
      item = item.substr(first, item.find_last_not_of(" \t") - first + 1);
      int64_t dim = 0;
      for (char c : item) {
        if (c < '0' || c > '9' || dim > (int64_t{1} << 40))
          throw Error(where + ": malformed npy shape " + text);
        dim = dim * 10 + (c - '0');
      }
      if (item.empty()) throw Error(where + ": malformed npy shape " + text);
      shape.push_back(dim);
    }
    pos = comma + 1;
  }
  return shape;
}

}  // namespace

Tensor read_npy(const std::filesystem::path& path) {
  const std::string where = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(where + ": cannot read");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  static constexpr char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0)
    throw Error(where + ": not a .npy file (bad magic)");
  const int major = bytes[6];
  size_t header_len = 0;
  size_t offset = 0;
  if (major == 1) {
    header_len = bytes[8] | (static_cast<size_t>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw Error(where + ": truncated .npy header");
    header_len = bytes[8] | (static_cast<size_t>(bytes[9]) << 8) |
                 (static_cast<size_t>(bytes[10]) << 16) | (static_cast<size_t>(bytes[11]) << 24);
    offset = 12;
  } else {
    throw Error(where + ": unsupported .npy format version " + std::to_string(major));
  }
  if (header_len > bytes.size() - offset) throw Error(where + ": truncated .npy header");
  const std::string header(reinterpret_cast<const char*>(bytes.data() + offset), header_len);
  offset += header_len;

  const std::string descr = header_field(header, "descr", where);
  DType dtype;
  if (descr == "'<f4'") {
    dtype = DType::Float32;
  } else if (descr == "'|u1'" || descr == "'<u1'" || descr == "'u1'") {
    dtype = DType::UInt8;
  } else {
    throw Error(where + ": .npy dtype " + descr +
                " is not supported (float32 '<f4' or uint8 '|u1', little-endian)");
  }
  if (header_field(header, "fortran_order", where) != "False")
    throw Error(where + ": Fortran-order .npy arrays are not supported (save in C order)");
  Tensor t;
  t.name = path.stem().string();
  t.dtype = dtype;
  t.shape = parse_shape_tuple(header_field(header, "shape", where), where);
  t.shape_known = true;
  int64_t elements = 1;
  for (int64_t d : t.shape) {
    if (d > 0 && elements > (int64_t{1} << 31) / d)
      throw Error(where + ": .npy array too large " + shape_to_string(t.shape));
    elements *= d;
  }
  const auto need = static_cast<size_t>(t.bytes());
  if (bytes.size() - offset < need)
    throw Error(where + ": truncated .npy data: " + std::to_string(bytes.size() - offset) +
                " bytes for shape " + shape_to_string(t.shape) + " (" + std::to_string(need) + ")");
  t.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(offset),
                bytes.begin() + static_cast<std::ptrdiff_t>(offset + need));
  return t;
}

}  // namespace kiln
