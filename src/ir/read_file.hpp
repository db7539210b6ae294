#pragma once
// Reading small input files (configs, class-name lists) with a size bound: a device such as
// /dev/zero, a pipe or a huge file is refused before anything is read, never read until memory
// runs out.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace kiln {

// The contents of the regular file `path` of at most `max_bytes` bytes. Error
// "<path>: <what> ..." when it does not exist, is a directory, is not a regular file (a device,
// pipe or socket), is larger than `max_bytes` (the message names the limit) or cannot be read.
std::string read_bounded_file(const std::filesystem::path& path, uintmax_t max_bytes,
                              std::string_view what);

// "16 MiB", "4 KiB", "100 bytes": a limit for messages.
std::string bytes_text(uintmax_t bytes);

}  // namespace kiln
