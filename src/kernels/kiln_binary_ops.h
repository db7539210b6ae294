/* Operation codes of the broadcasting binary kernels (kiln_binary_f32, kiln_binary_int,
 * kiln_binary_nary, kiln_binary_compare). The lowering in src/ops/elementwise.cpp uses the same
 * numbers. */
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
#define KILN_BINARY_MEAN 8  /* only kiln_binary_nary: sum of the inputs divided by count */
/* Comparisons and logic: only kiln_binary_compare, whose output is bool. */
#define KILN_BINARY_EQUAL 9
#define KILN_BINARY_LESS 10
#define KILN_BINARY_LESS_EQUAL 11
#define KILN_BINARY_GREATER 12
#define KILN_BINARY_GREATER_EQUAL 13
#define KILN_BINARY_AND 14
#define KILN_BINARY_OR 15
#define KILN_BINARY_XOR 16

#endif
