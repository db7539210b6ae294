#include "kiln_requant.h"

#include "kiln_softfloat.h"

int32_t kiln_single_rounding_multiply(int64_t x, int32_t scale_bits) {
  return kiln_sf32_round_to_int(
      kiln_sf32_mul(kiln_sf32_from_int(x), kiln_sf32_from_bits(scale_bits)));
}
