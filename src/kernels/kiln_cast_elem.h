/* Element access by run-time dtype code, shared by the kernels that serve every integer type
 * with one function (binary/unary/reduce/cast on int8..int64 and bool). Each helper reads or
 * writes element `i` of a buffer whose C type is named by `dtype`.
 *
 * Conversions (the documented behaviour of kiln's Cast and integer arithmetic):
 *  - integer -> narrower integer wraps modulo 2^bits (two's complement, as gcc/clang and numpy);
 *  - float -> integer truncates toward zero and saturates at the target's range; NaN gives 0
 *    (C leaves out-of-range conversions undefined, kiln defines them);
 *  - anything -> bool is (value != 0); bool -> number is 0 or 1. */
#ifndef KILN_CAST_ELEM_H
#define KILN_CAST_ELEM_H

#include "kiln_common.h"

/* Codes equal the values of kiln::DType (src/ir/dtype.hpp). */
#define KILN_DTYPE_FLOAT32 0
#define KILN_DTYPE_INT8 1
#define KILN_DTYPE_UINT8 2
#define KILN_DTYPE_INT16 3
#define KILN_DTYPE_INT32 4
#define KILN_DTYPE_INT64 5
#define KILN_DTYPE_BOOL 6

/* Saturating, truncating float -> int64 (NaN -> 0). */
static inline int64_t kiln_f64_to_i64(double v) {
  if (v != v) return 0;
  if (v >= 9223372036854775807.0) return INT64_MAX;
  if (v <= -9223372036854775808.0) return INT64_MIN;
  return (int64_t)v;
}

static inline int64_t kiln_load_i64(const void* p, int32_t dtype, int32_t i) {
  switch (dtype) {
    case KILN_DTYPE_FLOAT32: return kiln_f64_to_i64((double)((const float*)p)[i]);
    case KILN_DTYPE_INT8: return ((const int8_t*)p)[i];
    case KILN_DTYPE_UINT8: return ((const uint8_t*)p)[i];
    case KILN_DTYPE_INT16: return ((const int16_t*)p)[i];
    case KILN_DTYPE_INT32: return ((const int32_t*)p)[i];
    case KILN_DTYPE_INT64: return ((const int64_t*)p)[i];
    case KILN_DTYPE_BOOL: return ((const uint8_t*)p)[i] != 0;
    default: return 0;
  }
}

static inline double kiln_load_f64(const void* p, int32_t dtype, int32_t i) {
  if (dtype == KILN_DTYPE_FLOAT32) return (double)((const float*)p)[i];
  return (double)kiln_load_i64(p, dtype, i);
}

/* Stores an integer, wrapping to the target width (bool stores v != 0). */
static inline void kiln_store_i64(void* p, int32_t dtype, int32_t i, int64_t v) {
  switch (dtype) {
    case KILN_DTYPE_FLOAT32: ((float*)p)[i] = (float)v; break;
    case KILN_DTYPE_INT8: ((int8_t*)p)[i] = (int8_t)v; break;
    case KILN_DTYPE_UINT8: ((uint8_t*)p)[i] = (uint8_t)v; break;
    case KILN_DTYPE_INT16: ((int16_t*)p)[i] = (int16_t)v; break;
    case KILN_DTYPE_INT32: ((int32_t*)p)[i] = (int32_t)v; break;
    case KILN_DTYPE_INT64: ((int64_t*)p)[i] = v; break;
    case KILN_DTYPE_BOOL: ((uint8_t*)p)[i] = (uint8_t)(v != 0); break;
    default: break;
  }
}

/* Stores a real value: float32 as is, bool as (v != 0), integers truncated toward zero and
 * saturated at the target's range. */
static inline void kiln_store_f64(void* p, int32_t dtype, int32_t i, double v) {
  switch (dtype) {
    case KILN_DTYPE_FLOAT32: ((float*)p)[i] = (float)v; return;
    case KILN_DTYPE_BOOL: ((uint8_t*)p)[i] = (uint8_t)(v != 0.0); return;
    case KILN_DTYPE_INT8: v = v < -128.0 ? -128.0 : (v > 127.0 ? 127.0 : v); break;
    case KILN_DTYPE_UINT8: v = v < 0.0 ? 0.0 : (v > 255.0 ? 255.0 : v); break;
    case KILN_DTYPE_INT16: v = v < -32768.0 ? -32768.0 : (v > 32767.0 ? 32767.0 : v); break;
    case KILN_DTYPE_INT32:
      v = v < -2147483648.0 ? -2147483648.0 : (v > 2147483647.0 ? 2147483647.0 : v);
      break;
    default: break;
  }
  kiln_store_i64(p, dtype, i, kiln_f64_to_i64(v));
}

#endif
