/* Building blocks of kiln's fast int8 kernels (kiln_conv_s8_im2col, kiln_conv_s8_1x1,
 * kiln_conv_s8_dw, kiln_conv_s8_dw3x3, kiln_gemm_s8_fc). The reference kernels (kiln_conv_s8,
 * kiln_gemm_s8) define the results; every fast kernel computes the same integers for the
 * configurations the code generator selects it for (src/codegen/kernel_select.cpp), which the
 * fast-vs-reference sweeps check bit for bit.
 *
 * One source serves every target. The variant is decided by the compiler's own feature macros,
 * which follow from the target description's -mcpu flags:
 *   __ARM_FEATURE_MVE (Armv8.1-M with Helium integer vectors, e.g. Cortex-M55): 8-lane int16
 *     multiply-accumulate-across-vector (VMLADAVA) and 4-lane int32 multiply-accumulate (VMLA),
 *     intrinsics from <arm_mve.h>; it takes precedence over the DSP loops where it has one;
 *   __ARM_FEATURE_DSP (Armv7E-M, Armv8-M Main with DSP, Armv8.1-M): dual 16-bit multiply-accumulate
 *     SMLAD on sign-extended byte pairs (SXTB16), ACLE intrinsics from <arm_acle.h>;
 *   otherwise: portable C99 written so host compilers can vectorize the inner loops.
 * Accumulation is 32-bit two's complement in both (SMLAD wraps like the reference's sums). */
#ifndef KILN_FAST_S8_H
#define KILN_FAST_S8_H

#include "kiln_common.h"
#include "kiln_requant.h"

#if defined(__ARM_FEATURE_DSP) && (defined(__GNUC__) || defined(__clang__))
#include <arm_acle.h>
#define KILN_S8_DSP 1
#endif
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1) && \
    (defined(__GNUC__) || defined(__clang__))
#include <arm_mve.h>
#define KILN_S8_MVE 1
#endif

/* Largest im2col patch (taps per output pixel: in_channels/group * kernel size) of the patch
 * kernels. Two patches of int16 live on the stack (2 * 2 * 640 = 2.5 KiB), so the stack bound is
 * fixed; 640 covers a 3x3 convolution over 64 channels (ResNet-8's largest, 576 taps). Larger
 * convolutions stay on the reference kernel. */
#define KILN_CONV_PATCH_MAX 640

/* y = clamp(zero_point + requantize(acc)): the last step of the reference kernels, verbatim. */
static inline int8_t kiln_fast_requant_s8(int32_t acc, int32_t mode, int32_t multiplier,
                                          int32_t shift, int32_t y_zero_point, int32_t act_min,
                                          int32_t act_max) {
  return (int8_t)kiln_offset_clamp(kiln_requantize32(acc, mode, multiplier, shift), y_zero_point,
                                   act_min, act_max);
}

#ifdef KILN_S8_DSP
/* Unaligned 32-bit load (Armv7-M LDR allows unaligned addresses; memcpy keeps C aliasing rules
 * and compiles to one LDR). */
static inline uint32_t kiln_load_u32(const void* p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}
/* Bytes 1 and 3 of w, sign-extended to two int16 lanes (SXTB16 with its ROR #8 operand, which
 * GCC's arm_acle.h has no intrinsic for). */
static inline int32_t kiln_sxtb16_ror8(uint32_t w) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(w));
  return r;
}
/* Low lane of a, low lane of b (PKHBT). */
static inline int32_t kiln_pack_lo(int32_t a, int32_t b) {
  int32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
/* High lane of a, high lane of b (PKHTB). */
static inline int32_t kiln_pack_hi(int32_t a, int32_t b) {
  int32_t r;
  __asm__("pkhtb %0, %2, %1, asr #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
#endif

#endif
