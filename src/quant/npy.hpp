#pragma once
// Minimal reader for NumPy .npy files (format versions 1-3): little-endian float32 ('<f4') or
// uint8 ('|u1'), C order. Enough for calibration samples saved with numpy.save.
#include <filesystem>

#include "ir/tensor.hpp"

namespace kiln {

// The array as a Tensor (Float32 or UInt8, the file's shape; named after the file stem,
// not constant). kiln::Error naming the file for any other dtype, Fortran order, a malformed
// header or truncated data.
Tensor read_npy(const std::filesystem::path& path);

}  // namespace kiln
