#ifndef KILN_BINARY_NARY_H
#define KILN_BINARY_NARY_H

#include "kiln_binary_ops.h"
#include "kiln_cast_elem.h"
#include "kiln_common.h"

/* Up to this many inputs per call of kiln_binary_nary. */
#define KILN_NARY_MAX_INPUTS 8

/* The variadic ONNX ops Sum, Mean, Max and Min over `count` (1..8) broadcast inputs x0..x7
 * (unused ones NULL): y = x0 <op> x1 <op> ... in input order; MEAN divides the sum by count.
 * All tensors have element type `dtype` (KILN_DTYPE_*; integers compute in 64 bits, wrap on
 * store, and MEAN truncates toward zero). `shape` is y's shape (rank >= 1); `strides` holds
 * count rows of rank strides, row k for input k (0 where it is broadcast). Each output element
 * is computed from all inputs before it is stored, so y may share a buffer with any input of
 * y's shape. */
void kiln_binary_nary(int32_t op, int32_t dtype, int32_t count, const void* x0, const void* x1,
                      const void* x2, const void* x3, const void* x4, const void* x5,
                      const void* x6, const void* x7, void* y, int32_t rank, const int32_t* shape,
                      const int32_t* strides);

#endif
