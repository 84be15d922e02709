#include "models/data/data_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

namespace sgdsim {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

constexpr std::size_t kMaxQuotedChars = 40;

}  // namespace

std::string quoted_token(std::string_view token) {
  std::string text = "'";
  for (std::size_t i = 0; i < token.size() && i < kMaxQuotedChars; ++i) {
    const auto c = static_cast<unsigned char>(token[i]);
    text += c < 0x20 || c == 0x7F ? '?' : static_cast<char>(c);
  }
  if (token.size() > kMaxQuotedChars) text += "...";
  text += '\'';
  return text;
}

std::string read_data_file(const std::string& path, std::uint64_t max_bytes) {
  errno = 0;
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw DataError("cannot open '" + path + "': " + std::strerror(errno));
  std::string content;
  // A regular file's size is known: refuse it before reading a byte, and read it in one buffer.
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (!error) {
    if (size > max_bytes) {
      throw DataError(
          fmt::format("'{}' holds {} bytes ({:.3g} GB), more than the {} bytes this "
                      "run may hold (a data set's cap, or --memory-limit): it would "
                      "not fit in memory",
                      path, size, static_cast<double>(size) / 1e9, max_bytes));
    }
    content.reserve(size);
  }
  char buffer[1 << 16];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    if (content.size() + got > max_bytes) {
      throw DataError("'" + path + "' holds more than " + std::to_string(max_bytes) +
                      " bytes, more than a data set this simulator can hold in memory");
    }
    content.append(buffer, got);
  }
  if (std::ferror(file.get())) {
    throw DataError("cannot read '" + path + "': " + std::strerror(errno));
  }
  return content;
}

std::string read_first_line(const std::string& path, std::size_t max_bytes) {
  errno = 0;
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw DataError("cannot open '" + path + "': " + std::strerror(errno));
  std::string line;
  for (int c; line.size() < max_bytes && (c = std::fgetc(file.get())) != EOF && c != '\n';) {
    line += static_cast<char>(c);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace sgdsim
