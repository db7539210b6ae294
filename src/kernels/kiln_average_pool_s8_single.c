#include "kiln_average_pool_s8_single.h"

typedef int8_t kiln_pool_elem;
typedef kiln_sf32 kiln_pool_acc;
typedef struct {
  kiln_sf32 x_scale, y_scale, y_zero;
  int32_t x_zero_point, y_zero_point, act_min, act_max;
} kiln_pool_args;

static inline kiln_pool_acc kiln_pool_start(const kiln_pool_args* args) {
  (void)args;
  return kiln_sf32_from_int(0);
}

/* sum + float32((v - x_zero_point) * x_scale) */
static inline kiln_pool_acc kiln_pool_tap(kiln_pool_acc sum, kiln_pool_elem v,
                                          const kiln_pool_args* args) {
  return kiln_sf32_add(sum, kiln_sf32_mul_int(args->x_scale, v - args->x_zero_point));
}

static inline kiln_pool_elem kiln_pool_result(kiln_pool_acc sum, int32_t count,
                                              const kiln_pool_args* args) {
  int32_t q;
  if (count > 0) {
    const kiln_sf32 mean = kiln_sf32_div(sum, kiln_sf32_from_int(count));
    q = kiln_sf32_round_to_int(kiln_sf32_add(kiln_sf32_div(mean, args->y_scale), args->y_zero));
  } else {
    q = args->y_zero_point;
  }
  return (kiln_pool_elem)kiln_clamp_i32(q, args->act_min, args->act_max);
}

#include "kiln_pool_body.h"

void kiln_average_pool_s8_single(const int8_t* x, int8_t* y, int32_t planes, const int32_t* in_size,
                                 const int32_t* out_size, const int32_t* kernel_size,
                                 const int32_t* strides, const int32_t* dilations,
                                 const int32_t* pads_begin, const int32_t* pads_end,
                                 int32_t count_include_pad, int32_t x_zero_point,
                                 int32_t x_scale_bits, int32_t y_zero_point, int32_t y_scale_bits,
                                 int32_t act_min, int32_t act_max) {
  kiln_pool_args args;
  args.x_scale = kiln_sf32_from_bits(x_scale_bits);
  args.y_scale = kiln_sf32_from_bits(y_scale_bits);
  args.y_zero = kiln_sf32_from_int(y_zero_point);
  args.x_zero_point = x_zero_point;
  args.y_zero_point = y_zero_point;
  args.act_min = act_min;
  args.act_max = act_max;
  kiln_pool_body(x, y, planes, in_size, out_size, kernel_size, strides, dilations, pads_begin,
                 pads_end, count_include_pad, &args);
}
