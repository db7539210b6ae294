#ifndef KILN_CAST_H
#define KILN_CAST_H

#include "kiln_cast_elem.h"
#include "kiln_common.h"

/* y[i] = x[i] converted from element type `from` to `to` (KILN_DTYPE_* codes), for i < n.
 * float -> integer truncates toward zero and saturates at the target's range (NaN -> 0);
 * integer -> narrower integer wraps; anything -> bool is (x != 0). See kiln_cast_elem.h. */
void kiln_cast(const void* x, int32_t from, void* y, int32_t to, int32_t n);

#endif
