#include "kiln_matmul_acc_s8.h"

typedef int8_t kiln_int_x;
typedef int32_t kiln_int_y;
typedef int32_t kiln_int_acc;

#include "kiln_int_output_raw.h"
/* kiln_int_output_raw.h first: it defines what the body calls. */
#include "kiln_matmul_int_body.h"

void kiln_matmul_acc_s8(const int8_t* a, const int8_t* b, int32_t* y, int32_t batch_rank,
                        const int32_t* batch_dims, const int32_t* a_batch_strides,
                        const int32_t* b_batch_strides, int32_t m, int32_t n, int32_t k,
                        int32_t a_zero_point, const int32_t* b_zero_points) {
  kiln_matmul_int_body(a, b, y, batch_rank, batch_dims, a_batch_strides, b_batch_strides, m, n, k,
                       a_zero_point, b_zero_points, NULL);
}
