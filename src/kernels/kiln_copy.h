#ifndef KILN_COPY_H
#define KILN_COPY_H

#include "kiln_common.h"

/* Copies `bytes` bytes from x to y. A no-op when the memory planner made y a view of x
 * (Reshape, Flatten, Squeeze, Unsqueeze, Identity share their input's buffer). */
void kiln_copy(const void* x, void* y, int32_t bytes);

#endif
