#include "kiln_conv_acc_s8.h"

typedef int8_t kiln_int_x;
typedef int32_t kiln_int_y;
typedef int32_t kiln_int_acc;

#include "kiln_int_output_raw.h"
/* kiln_int_output_raw.h first: it defines what the body calls. */
#include "kiln_conv_int_body.h"

void kiln_conv_acc_s8(const int8_t* x, const int8_t* w, int32_t* y, int32_t batch,
                      int32_t in_channels, int32_t out_channels, int32_t group,
                      const int32_t* in_size, const int32_t* out_size, const int32_t* kernel_size,
                      const int32_t* strides, const int32_t* dilations, const int32_t* pads,
                      int32_t x_zero_point, const int32_t* w_zero_points) {
  kiln_conv_int_body(x, w, y, batch, in_channels, out_channels, group, in_size, out_size,
                     kernel_size, strides, dilations, pads, 8, x_zero_point, w_zero_points, NULL);
}
