#pragma once
// Messages about hostile input (issue 13): UsageError for bad command-line values, and the
// helpers every message goes through. Names that come from a model file (node, tensor, graph
// names) are printed through quote_name(): the one place that quotes, escapes and shortens
// them; the CLI prints every message through one_line().
#include <string>
#include <string_view>

#include "ir/error.hpp"

namespace kiln {

// A bad command-line value (an option's value out of range or malformed, an invalid --name):
// the user's invocation, not the model, is at fault. The CLI prints it like Error but exits 2,
// as for CLI11's own parse errors.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(message) {}
};

// Longest name quote_name() prints whole, in bytes; longer names keep their start and end.
inline constexpr size_t kMaxQuotedNameBytes = 80;

// A model-supplied name for an error message: 'name' in single quotes, with control bytes,
// bytes that are not UTF-8, the quote and the backslash escaped (\n, \t, \r, \xNN, \', \\), and
// a name longer than kMaxQuotedNameBytes shortened to its first and last characters around
// "...", followed by its length: 'conv_very_long...tail' (10485760 bytes).
std::string quote_name(std::string_view name);

// `message` as one line of bounded length for a terminal: control bytes escaped as in
// quote_name(), and the middle of a message longer than `max_bytes` elided. The CLI's last line of
// defence for text it did not build itself (library messages, file names).
std::string one_line(std::string_view message, size_t max_bytes = 4096);

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF). Names must be: the JSON report and the generated code carry them.
bool is_valid_utf8(std::string_view text);

// A floating-point value for a message: %g (six significant digits, exponent when needed), so
// 2.5e-07 does not print as 0.000000 nor 7.2e+35 as 36 digits.
std::string number_text(double value);

}  // namespace kiln
