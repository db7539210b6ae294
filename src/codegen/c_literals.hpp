#pragma once
// Printing values and names as C99 source text. Every literal round-trips exactly: floats are
// printed as hexadecimal floating constants (C99), which denote the binary value exactly.
#include <cstdint>
#include <string>
#include <string_view>

#include "ir/dtype.hpp"

namespace kiln::codegen {

// A float as a C99 constant expression of type float with the same value: "0x1.8p+1f", "-0x0p+0f"
// (sign of zero kept), "INFINITY"/"(-INFINITY)" and "NAN"/"(-NAN)" for non-finite values (these
// need <math.h>; NaN payloads are not preserved). Sets *needs_math_h when it used a macro.
std::string c_float(float value, bool* needs_math_h = nullptr);

// Integers as C99 constant expressions of the given type (INT32_MIN and INT64_MIN spelled so the
// literal does not overflow; int64 through INT64_C).
std::string c_int32(int32_t value);
std::string c_int64(int64_t value);

// Element `index` of raw little-endian constant data of `dtype`, as a C literal.
std::string c_element(DType dtype, const uint8_t* data, int64_t index, bool* needs_math_h);

// A C string literal with quotes; non-printable and non-ASCII bytes become octal escapes.
std::string c_string(std::string_view text);

// Text safe inside a /* */ comment on one line ("*/", "?", "\\" and control characters defused).
std::string c_comment(std::string_view text);

// A valid C identifier derived from `text` (other characters become '_', a leading digit gets a
// '_' prefix, empty becomes "_"), truncated to `max_length` characters.
std::string c_identifier(std::string_view text, size_t max_length = 48);

// Upper-cased c_identifier, for macro prefixes.
std::string c_macro_prefix(std::string_view text);

}  // namespace kiln::codegen
