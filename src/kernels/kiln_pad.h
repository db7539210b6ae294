#ifndef KILN_PAD_H
#define KILN_PAD_H

#include "kiln_common.h"

/* Pad modes (ONNX Pad's `mode` attribute). */
#define KILN_PAD_CONSTANT 0
#define KILN_PAD_REFLECT 1 /* mirror without repeating the edge: 2 1 | 0 1 2 | 1 0 */
#define KILN_PAD_EDGE 2    /* repeat the edge element */
#define KILN_PAD_WRAP 3    /* periodic: continue from the opposite side */

/* Pads (or, with negative pads, crops) a rank-`rank` tensor of any dtype. Output element o maps
 * to input coordinate o - pads_begin[k] in every dim k; coordinates outside the input are
 * resolved by `mode`, or, for KILN_PAD_CONSTANT, take the constant element whose little-endian
 * bytes are value_bytes[0 .. elem_bytes-1] (one byte per array entry, 0..255).
 * out_dims[k] = in_dims[k] + pads_begin[k] + pads_end[k]. Non-constant modes need every padded
 * input dim to be non-empty (checked by the compiler). */
void kiln_pad(const void* x, void* y, int32_t elem_bytes, int32_t rank, const int32_t* in_dims,
              const int32_t* out_dims, const int32_t* pads_begin, int32_t mode,
              const int32_t* value_bytes);

#endif
