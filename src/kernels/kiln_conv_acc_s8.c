#include "kiln_conv_acc_s8.h"

typedef int8_t kiln_int_x;
typedef int32_t kiln_int_y;
typedef int32_t kiln_int_acc;
typedef int kiln_int_out; /* nothing to do: y is the accumulator */
typedef struct {
  kiln_int_acc init;
} kiln_int_channel;

static inline kiln_int_channel kiln_int_out_channel(const kiln_int_out* out, int32_t oc) {
  kiln_int_channel channel;
  (void)out;
  (void)oc;
  channel.init = 0;
  return channel;
}

static inline kiln_int_y kiln_int_out_result(kiln_int_acc acc, const kiln_int_out* out,
                                             const kiln_int_channel* channel) {
  (void)out;
  (void)channel;
  return acc;
}

#include "kiln_conv_int_body.h"

void kiln_conv_acc_s8(const int8_t* x, const int8_t* w, int32_t* y, int32_t batch,
                      int32_t in_channels, int32_t out_channels, int32_t group,
                      const int32_t* in_size, const int32_t* out_size, const int32_t* kernel_size,
                      const int32_t* strides, const int32_t* dilations, const int32_t* pads,
                      int32_t x_zero_point, const int32_t* w_zero_points) {
  kiln_conv_int_body(x, w, y, batch, in_channels, out_channels, group, in_size, out_size,
                     kernel_size, strides, dilations, pads, 8, x_zero_point, w_zero_points, NULL);
}
