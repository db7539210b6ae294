#pragma once
// Kernel sets: which C kernel implements a lowered op in the generated code. Ops lower to the
// reference kernels (src/ops, the single definition of the results, also what the interpreter
// runs); a kernel set may then swap a call for a fast kernel with the *same signature and the
// same results* when the call's constant arguments meet that kernel's conditions (shape, 8-bit
// weights, every weight zero point 0, ...). The rules are one table in kernel_select.cpp, so the
// choice is data: a target description names its set ("kernels": "fast"), `kiln bench
// --kernels` and `kiln compile --kernels` override it.
//
// Which instructions a fast kernel uses (Armv7E-M DSP SMLAD/SXTB16, or portable C) is decided
// inside its C source by the compiler's feature macros, i.e. by the target's -mcpu flags
// (src/kernels/kiln_fast_s8.h), so one set serves every target.
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.hpp"
#include "ops/kernel_call.hpp"

namespace kiln {

// "reference": the reference kernels only. "fast": shape-specialized int8 kernels where they
// apply (kiln_conv_s8_1x1, kiln_conv_s8_dw3x3, kiln_conv_s8_dw, kiln_conv_s8_im2col,
// kiln_gemm_s8_fc_nk, kiln_gemm_s8_fc), the reference kernel elsewhere.
std::vector<std::string> kernel_set_names();

// kiln::Error naming `what` and the valid names unless `name` is a kernel set.
void check_kernel_set(std::string_view name, std::string_view what);

// The call `reference` becomes under `kernel_set`: the same call, possibly to another function
// with identical arguments. Throws kiln::Error for an unknown set.
KernelCall select_kernel(const KernelCall& reference, std::string_view kernel_set);

// The weight layouts a kernel set prefers, applied to the graph before memory planning (the
// interpreter then runs the very same graph, so results cannot change: the reference kernels read
// either layout through their strides). "fast": the constant int8 weight B [k, n] of a quantized
// Gemm is stored transposed as [n, k] with transB = 1, so each output's weights are contiguous
// along the reduction, as kiln_gemm_s8_fc_nk's SMLAD and VMLADAVA loops want (TFLite stores fully
// connected weights this way too). Only a B read by no other node, with 8-bit values, zero
// points 0 and per-tensor or per-column scales is moved. Returns the number of weights moved.
int apply_kernel_set_layouts(Graph& graph, std::string_view kernel_set);

}  // namespace kiln
