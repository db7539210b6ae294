/* Operation codes of the reduction kernels (kiln_reduce_f32, kiln_reduce_int). The lowering in
 * src/ops/reduce.cpp uses the same numbers. */
#ifndef KILN_REDUCE_OPS_H
#define KILN_REDUCE_OPS_H

#define KILN_REDUCE_SUM 0
#define KILN_REDUCE_MEAN 1
#define KILN_REDUCE_MAX 2
#define KILN_REDUCE_MIN 3
#define KILN_REDUCE_PROD 4
#define KILN_REDUCE_SUM_SQUARE 5
#define KILN_REDUCE_L1 6          /* sum of |x| */
#define KILN_REDUCE_L2 7          /* sqrt(sum of x^2) */
#define KILN_REDUCE_LOG_SUM 8     /* log(sum of x) */
#define KILN_REDUCE_LOG_SUM_EXP 9 /* log(sum of exp(x)) */

#endif
