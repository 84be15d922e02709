#include "models/data/data_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

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

}  // namespace sgdsim
