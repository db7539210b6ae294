/* Activation semantics, shared by every kernel that applies a fused activation and by the
 * stand-alone activation kernel. Codes match kiln::Activation in src/ir/node.hpp. */
#ifndef KILN_ACTIVATION_H
#define KILN_ACTIVATION_H

#include <math.h>

#include "kiln_common.h"
#include "kiln_math.h"

#define KILN_ACT_NONE 0
#define KILN_ACT_RELU 1
#define KILN_ACT_CLIP 2       /* alpha = min, beta = max */
#define KILN_ACT_LEAKY_RELU 3 /* alpha = slope for x < 0 */
#define KILN_ACT_HARD_SWISH 4
#define KILN_ACT_SIGMOID 5
#define KILN_ACT_HARD_SIGMOID 6 /* max(0, min(1, alpha * x + beta)) */
#define KILN_ACT_TANH 7

static inline float kiln_activate_f32(float x, int32_t act, float alpha, float beta) {
  switch (act) {
    case KILN_ACT_RELU: return x > 0.0f ? x : 0.0f;
    case KILN_ACT_CLIP: {
      /* min(max(x, alpha), beta) as ONNX Clip: beta wins when alpha > beta; NaN passes. */
      const float lower = x < alpha ? alpha : x;
      return lower > beta ? beta : lower;
    }
    case KILN_ACT_LEAKY_RELU: return x < 0.0f ? alpha * x : x;
    case KILN_ACT_HARD_SWISH: {
      float g = x * (1.0f / 6.0f) + 0.5f;
      g = g < 0.0f ? 0.0f : (g > 1.0f ? 1.0f : g);
      return x * g;
    }
    case KILN_ACT_SIGMOID:
      /* Split by sign so expf never overflows. */
      if (x >= 0.0f) return 1.0f / (1.0f + kiln_expf(-x));
      {
        float e = kiln_expf(x);
        return e / (1.0f + e);
      }
    case KILN_ACT_HARD_SIGMOID: {
      float g = alpha * x + beta;
      return g < 0.0f ? 0.0f : (g > 1.0f ? 1.0f : g);
    }
    case KILN_ACT_TANH: return tanhf(x);
    default: return x;
  }
}

#endif
