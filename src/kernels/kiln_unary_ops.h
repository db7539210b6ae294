/* Operation codes of the element-wise unary math kernels (kiln_unary_f32, kiln_unary_int).
 * The lowering in src/ops/elementwise.cpp uses the same numbers. Activations (Relu, Sigmoid,
 * Clip, ...) are not here: they live in kiln_activation.h. */
#ifndef KILN_UNARY_OPS_H
#define KILN_UNARY_OPS_H

#define KILN_UNARY_EXP 0
#define KILN_UNARY_LOG 1
#define KILN_UNARY_SQRT 2
#define KILN_UNARY_ABS 3
#define KILN_UNARY_NEG 4
#define KILN_UNARY_RECIPROCAL 5
#define KILN_UNARY_ERF 6
#define KILN_UNARY_FLOOR 7
#define KILN_UNARY_CEIL 8
#define KILN_UNARY_ELU 9       /* x < 0 ? alpha * (exp(x) - 1) : x */
#define KILN_UNARY_SELU 10     /* beta * (x <= 0 ? alpha * (exp(x) - 1) : x); beta = gamma */
#define KILN_UNARY_SOFTPLUS 11 /* log(1 + exp(x)) */
#define KILN_UNARY_SIGN 12
#define KILN_UNARY_ROUND 13 /* to nearest, ties to even */
#define KILN_UNARY_SIN 14
#define KILN_UNARY_COS 15
#define KILN_UNARY_NOT 16 /* kiln_unary_int on bool only */

#endif
