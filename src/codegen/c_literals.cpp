#include "codegen/c_literals.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "ir/error.hpp"

namespace kiln::codegen {

std::string c_float(float value, bool* needs_math_h) {
  if (std::isnan(value) || std::isinf(value)) {
    if (needs_math_h != nullptr) *needs_math_h = true;
    const char* name = std::isnan(value) ? "NAN" : "INFINITY";
    return std::signbit(value) ? std::string("(-") + name + ")" : std::string(name);
  }
  // %a of the (exactly representable) double is an exact hexadecimal constant; 'f' makes it a
  // float constant whose value is the same, so no rounding happens anywhere.
  char text[48];
  std::snprintf(text, sizeof text, "%af", static_cast<double>(value));
  return text;
}

std::string c_int32(int32_t value) {
  if (value == std::numeric_limits<int32_t>::min()) return "(-2147483647 - 1)";
  return std::to_string(value);
}

std::string c_int64(int64_t value) {
  if (value == std::numeric_limits<int64_t>::min()) return "(-INT64_C(9223372036854775807) - 1)";
  return "INT64_C(" + std::to_string(value) + ")";
}

namespace {
template <typename T>
T read_element(const uint8_t* data, int64_t index) {
  T value;
  std::memcpy(&value, data + index * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return value;
}
}  // namespace

std::string c_element(DType dtype, const uint8_t* data, int64_t index, bool* needs_math_h) {
  switch (dtype) {
    case DType::Float32: return c_float(read_element<float>(data, index), needs_math_h);
    case DType::Int8: return std::to_string(read_element<int8_t>(data, index));
    case DType::UInt8: return std::to_string(read_element<uint8_t>(data, index));
    case DType::Int16: return std::to_string(read_element<int16_t>(data, index));
    case DType::Int32: return c_int32(read_element<int32_t>(data, index));
    case DType::Int64: return c_int64(read_element<int64_t>(data, index));
    case DType::Bool: return read_element<uint8_t>(data, index) != 0 ? "1" : "0";
  }
  throw InternalError("c_element: invalid DType");
}

std::string c_string(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f && c != '?') {  // '?' avoids trigraphs
      out += static_cast<char>(c);
    } else {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\%03o", c);
      out += esc;
    }
  }
  return out + "\"";
}

std::string c_comment(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    // '?' is dropped too: with -std=c99 "??/" is a trigraph that could splice lines.
    if (c < 0x20 || c >= 0x7f || c == '\\' || c == '?') {
      out += '.';
    } else if (c == '/' && !out.empty() && out.back() == '*') {
      out += " /";
    } else if (c == '*' && !out.empty() && out.back() == '/') {
      out += " *";
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string c_identifier(std::string_view text, size_t max_length) {
  std::string out;
  for (unsigned char c : text) {
    if (out.size() >= max_length) break;
    out += std::isalnum(c) != 0 && c < 0x80 ? static_cast<char>(c) : '_';
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])) != 0) out.insert(0, "_");
  return out;
}

std::string c_macro_prefix(std::string_view text) {
  std::string out = c_identifier(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace kiln::codegen
