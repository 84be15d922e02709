#include "sim/scenario/input_files.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

namespace sgdsim {
namespace {

namespace fs = std::filesystem;

const char* describe(fs::file_type type) {
  switch (type) {
    case fs::file_type::fifo:
      return "FIFO";
    case fs::file_type::socket:
      return "socket";
    case fs::file_type::character:
      return "character device";
    case fs::file_type::block:
      return "block device";
    case fs::file_type::directory:
      return "directory";
    default:
      return "special file";
  }
}

}  // namespace

std::optional<std::string> input_file_problem(const std::string& path, bool directory) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  std::error_code link_error;
  if (error && fs::is_symlink(fs::symlink_status(path, link_error))) {
    return fmt::format("'{}' is a symbolic link that cannot be followed: {}", path,
                       error.message());
  }
  if (!fs::exists(status)) return fmt::format("'{}' does not exist", path);
  if (directory) {
    if (fs::is_directory(status)) return std::nullopt;
    return fmt::format("'{}' is not a directory", path);
  }
  if (fs::is_directory(status)) return fmt::format("'{}' is a directory; expected a file", path);
  if (!fs::is_regular_file(status)) {
    return fmt::format(
        "'{}' is not a regular file (a {}); sgdsim reads input only from regular "
        "files",
        path, describe(status.type()));
  }
  return std::nullopt;
}

}  // namespace sgdsim
