#include "kiln_pad.h"

#include <string.h>

/* Input coordinate an output coordinate reads (c = output coordinate - pad before), or -1 for
 * the constant value. */
static int32_t source_coord(int32_t c, int32_t n, int32_t mode) {
  int32_t period;
  if (c >= 0 && c < n) return c;
  if (n <= 0) return -1;
  switch (mode) {
    case KILN_PAD_EDGE: return c < 0 ? 0 : n - 1;
    case KILN_PAD_REFLECT:
      if (n == 1) return 0;
      period = 2 * (n - 1);
      c %= period;
      if (c < 0) c += period;
      return c >= n ? period - c : c;
    case KILN_PAD_WRAP: c %= n; return c < 0 ? c + n : c;
    default: return -1;
  }
}

static void put_value(uint8_t* dst, int32_t elem_bytes, const int32_t* value_bytes) {
  int32_t b;
  for (b = 0; b < elem_bytes; ++b) dst[b] = (uint8_t)value_bytes[b];
}

void kiln_pad(const void* x, void* y, int32_t elem_bytes, int32_t rank, const int32_t* in_dims,
              const int32_t* out_dims, const int32_t* pads_begin, int32_t mode,
              const int32_t* value_bytes) {
  const uint8_t* src = (const uint8_t*)x;
  uint8_t* dst = (uint8_t*)y;
  int32_t index[KILN_MAX_RANK];
  int32_t in_strides[KILN_MAX_RANK];
  int32_t k;
  int32_t j;
  int32_t in_w;
  int32_t out_w;
  int32_t pad_w;
  int32_t lo;
  int32_t hi;
  if (rank == 0) {
    memcpy(dst, src, (size_t)elem_bytes);
    return;
  }
  for (k = 0; k < rank; ++k) {
    if (out_dims[k] == 0) return; /* empty output */
    index[k] = 0;
  }
  in_strides[rank - 1] = elem_bytes;
  for (k = rank - 2; k >= 0; --k) in_strides[k] = in_strides[k + 1] * in_dims[k + 1];
  in_w = in_dims[rank - 1];
  out_w = out_dims[rank - 1];
  pad_w = pads_begin[rank - 1];
  /* Output columns [lo, hi) read the input row contiguously; the rest are resolved one by one. */
  lo = pad_w < 0 ? 0 : (pad_w > out_w ? out_w : pad_w);
  hi = pad_w + in_w;
  hi = hi < lo ? lo : (hi > out_w ? out_w : hi);
  for (;;) {
    const uint8_t* row = src;
    int32_t outside = 0;
    for (k = 0; k < rank - 1; ++k) {
      int32_t s = source_coord(index[k] - pads_begin[k], in_dims[k], mode);
      if (s < 0) {
        outside = 1;
        break;
      }
      row += (ptrdiff_t)s * in_strides[k];
    }
    if (outside) {
      for (j = 0; j < out_w; ++j, dst += elem_bytes) put_value(dst, elem_bytes, value_bytes);
    } else {
      for (j = 0; j < lo; ++j, dst += elem_bytes) {
        int32_t s = source_coord(j - pad_w, in_w, mode);
        if (s < 0)
          put_value(dst, elem_bytes, value_bytes);
        else
          memcpy(dst, row + (ptrdiff_t)s * elem_bytes, (size_t)elem_bytes);
      }
      if (hi > lo) {
        memcpy(dst, row + (ptrdiff_t)(lo - pad_w) * elem_bytes, (size_t)(hi - lo) * elem_bytes);
        dst += (ptrdiff_t)(hi - lo) * elem_bytes;
      }
      for (j = hi; j < out_w; ++j, dst += elem_bytes) {
        int32_t s = source_coord(j - pad_w, in_w, mode);
        if (s < 0)
          put_value(dst, elem_bytes, value_bytes);
        else
          memcpy(dst, row + (ptrdiff_t)s * elem_bytes, (size_t)elem_bytes);
      }
    }
    for (k = rank - 2; k >= 0; --k) {
      if (++index[k] < out_dims[k]) break;
      index[k] = 0;
    }
    if (k < 0) return;
  }
}
