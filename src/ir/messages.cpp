#include "ir/messages.hpp"

#include <cstdio>

namespace kiln {

namespace {

// Length of the well-formed UTF-8 sequence starting at text[i], or 0 if the bytes there are not
// one (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
size_t utf8_sequence_length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return length;
}

std::string hex_escape(unsigned char c) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
  return buffer;
}

// Appends the characters of text[begin, end) with control bytes and invalid UTF-8 escaped;
// `quote` and the backslash are escaped too when `quote` is not 0.
void append_escaped(std::string& out, std::string_view text, char quote) {
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t length = utf8_sequence_length(text, i);
    if (length > 1) {
      out.append(text.substr(i, length));
      i += length;
      continue;
    }
    ++i;
    if (length == 0 || c < 0x20 || c == 0x7F) {
      if (c == '\n')
        out += "\\n";
      else if (c == '\t')
        out += "\\t";
      else if (c == '\r')
        out += "\\r";
      else
        out += hex_escape(c);
    } else if (quote != 0 && (c == static_cast<unsigned char>(quote) || c == '\\')) {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(c);
    }
  }
}

// The index at or before `i` where a UTF-8 sequence starts, so a cut there does not split a
// character. At most 3 bytes back (the longest sequence is 4): bytes that are not UTF-8 are
// cut anywhere, and the walk stays short whatever the text holds.
size_t char_boundary(std::string_view text, size_t i) {
  for (int steps = 0; steps < 3 && i > 0 && i < text.size() &&
                      (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
       ++steps)
    --i;
  return i;
}

}  // namespace

std::string quote_name(std::string_view name) {
  std::string out = "'";
  if (name.size() <= kMaxQuotedNameBytes) {
    append_escaped(out, name, '\'');
    return out + "'";
  }
  constexpr size_t kTail = 24;
  const size_t head_end = char_boundary(name, kMaxQuotedNameBytes - kTail - 3);
  const size_t tail_begin = char_boundary(name, name.size() - kTail);
  append_escaped(out, name.substr(0, head_end), '\'');
  out += "...";
  append_escaped(out, name.substr(tail_begin), '\'');
  return out + "' (" + std::to_string(name.size()) + " bytes)";
}

std::string one_line(std::string_view message, size_t max_bytes) {
  std::string out;
  if (message.size() <= max_bytes) {
    append_escaped(out, message, 0);
    return out;
  }
  const size_t half = max_bytes / 2;
  append_escaped(out, message.substr(0, char_boundary(message, half)), 0);
  out += " ... (" + std::to_string(message.size() - max_bytes) + " bytes elided) ... ";
  append_escaped(out, message.substr(char_boundary(message, message.size() - half)), 0);
  return out;
}

bool is_valid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = utf8_sequence_length(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

}  // namespace kiln
