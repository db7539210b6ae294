/* Operation codes of the broadcasting binary kernels (kiln_binary_f32, kiln_binary_int,
 * kiln_nary). The lowering in src/ops/elementwise.cpp uses the same numbers. */
#ifndef KILN_BINARY_OPS_H
#define KILN_BINARY_OPS_H

#define KILN_BINARY_ADD 0
#define KILN_BINARY_SUB 1
#define KILN_BINARY_MUL 2
#define KILN_BINARY_DIV 3 /* integers: truncates toward zero as C; x / 0 gives 0 */
#define KILN_BINARY_MAX 4
#define KILN_BINARY_MIN 5
#define KILN_BINARY_POW 6
#define KILN_BINARY_PRELU 7 /* a < 0 ? a * b : a (b is the slope) */
#define KILN_BINARY_MEAN 8  /* only kiln_nary: sum of the inputs divided by their count */

#endif
