/* Randomized shape sweep: every fast int8 kernel against its reference kernel, bit for bit.
 * Plain C99 so the very same sweep runs on the host (fast_kernels_test.cpp, portable variants)
 * and inside QEMU on the Arm targets (a firmware built by the same test: DSP variants). */
#ifndef KILN_FAST_KERNELS_SWEEP_H
#define KILN_FAST_KERNELS_SWEEP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int32_t cases;            /* random configurations tried */
  int32_t comparisons;      /* fast-kernel runs compared with the reference */
  int32_t mismatches;       /* comparisons whose outputs differ */
  int32_t per_kernel[6];    /* comparisons per kernel: im2col, 1x1, dw, dw3x3, fc, fc_nk */
  char first_mismatch[200]; /* description of the first mismatch ("" if none) */
} kiln_sweep_result;

/* Runs `cases` random convolution and fully connected configurations from `seed`. */
void kiln_fast_sweep(uint32_t seed, int32_t cases, kiln_sweep_result* result);

#ifdef __cplusplus
}
#endif

#endif
