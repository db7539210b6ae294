#ifndef KILN_UNARY_DROPOUT_H
#define KILN_UNARY_DROPOUT_H

#include "kiln_common.h"

/* Inference-mode Dropout that also produces its mask: copies `bytes` bytes of x to y (nothing
 * to copy when y is a view of x) and sets all `mask_count` bool mask elements to true (every
 * element is kept). Dropout without a mask output lowers to kiln_copy. */
void kiln_unary_dropout(const void* x, void* y, int32_t bytes, uint8_t* mask, int32_t mask_count);

#endif
