/* The output step of the raw-accumulator kernels (ONNX ConvInteger / MatMulInteger:
 * kiln_conv_acc_s8, kiln_matmul_acc_s8) for kiln_conv_int_body.h / kiln_matmul_int_body.h: every
 * accumulator starts at 0 and is written as it is. The including file first defines kiln_int_acc
 * and kiln_int_y (both int32_t). */
#ifndef KILN_INT_OUTPUT_RAW_H
#define KILN_INT_OUTPUT_RAW_H

#include "kiln_common.h"

typedef int kiln_int_out; /* nothing to do: y is the accumulator */
typedef struct {
  kiln_int_acc init;
} kiln_int_channel;

static inline kiln_int_channel kiln_int_out_channel(const kiln_int_out* out, int32_t ch) {
  kiln_int_channel channel;
  (void)out;
  (void)ch;
  channel.init = 0;
  return channel;
}

static inline kiln_int_y kiln_int_out_result(kiln_int_acc acc, const kiln_int_out* out,
                                             const kiln_int_channel* channel) {
  (void)out;
  (void)channel;
  return acc;
}

#endif
