#include "ir/read_file.hpp"

#include <fstream>
#include <iterator>

#include "ir/error.hpp"

namespace kiln {

namespace fs = std::filesystem;

std::string bytes_text(uintmax_t bytes) {
  if (bytes >= (uintmax_t{1} << 30) && bytes % (uintmax_t{1} << 30) == 0)
    return std::to_string(bytes >> 30) + " GiB";
  if (bytes >= (uintmax_t{1} << 20) && bytes % (uintmax_t{1} << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (uintmax_t{1} << 10) && bytes % (uintmax_t{1} << 10) == 0)
    return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::string read_bounded_file(const fs::path& path, uintmax_t max_bytes, std::string_view what) {
  const std::string where = path.string() + ": " + std::string(what);
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw Error(where + ": no such file");
  if (fs::is_directory(status)) throw Error(where + ": is a directory, not a file");
  if (!fs::is_regular_file(status))
    throw Error(where + ": is not a regular file (a device, pipe or socket)");
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) throw Error(where + ": cannot read (" + ec.message() + ")");
  if (size > max_bytes)
    throw Error(where + ": file of " + std::to_string(size) + " bytes is larger than the " +
                bytes_text(max_bytes) + " limit");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(where + ": cannot open");
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size) ||
      in.peek() != std::char_traits<char>::eof())
    throw Error(where + ": cannot read (it changed size while being read)");
  return text;
}

}  // namespace kiln
