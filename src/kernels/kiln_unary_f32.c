#include "kiln_unary_f32.h"

#include <math.h>

#include "kiln_math.h"

/* One loop per op so each loop body is a single expression the compiler can vectorize. */
#define KILN_UNARY_LOOP(EXPR) \
  do {                        \
    for (i = 0; i < n; ++i) { \
      const float v = x[i];   \
      y[i] = (EXPR);          \
    }                         \
  } while (0)

static float softplus(float v) {
  /* log(1 + e^v) without overflow for large v. */
  return v > 0.0f ? v + log1pf(expf(-v)) : log1pf(expf(v));
}

void kiln_unary_f32(int32_t op, const float* x, float* y, int32_t n, float alpha, float beta) {
  int32_t i;
  switch (op) {
    case KILN_UNARY_EXP: KILN_UNARY_LOOP(kiln_expf(v)); break;
    case KILN_UNARY_LOG: KILN_UNARY_LOOP(logf(v)); break;
    case KILN_UNARY_SQRT: KILN_UNARY_LOOP(sqrtf(v)); break;
    case KILN_UNARY_ABS: KILN_UNARY_LOOP(fabsf(v)); break;
    case KILN_UNARY_NEG: KILN_UNARY_LOOP(-v); break;
    case KILN_UNARY_RECIPROCAL: KILN_UNARY_LOOP(1.0f / v); break;
    case KILN_UNARY_ERF: KILN_UNARY_LOOP(erff(v)); break;
    case KILN_UNARY_FLOOR: KILN_UNARY_LOOP(floorf(v)); break;
    case KILN_UNARY_CEIL: KILN_UNARY_LOOP(ceilf(v)); break;
    case KILN_UNARY_ELU: KILN_UNARY_LOOP(v < 0.0f ? alpha * expm1f(v) : v); break;
    case KILN_UNARY_SELU: KILN_UNARY_LOOP(beta * (v <= 0.0f ? alpha * expm1f(v) : v)); break;
    case KILN_UNARY_SOFTPLUS: KILN_UNARY_LOOP(softplus(v)); break;
    case KILN_UNARY_SIGN: KILN_UNARY_LOOP(v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : v)); break;
    case KILN_UNARY_ROUND: KILN_UNARY_LOOP(rintf(v)); break;
    case KILN_UNARY_SIN: KILN_UNARY_LOOP(sinf(v)); break;
    case KILN_UNARY_COS: KILN_UNARY_LOOP(cosf(v)); break;
    default: break;
  }
}
