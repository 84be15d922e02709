#include "sim/output/output_file.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

namespace sgdsim {

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
  file_ = std::fopen(path_.c_str(), "w");
  if (file_ == nullptr) fail(errno);
}

OutputFile::~OutputFile() {
  if (file_ != nullptr) std::fclose(file_);
}

void OutputFile::fail(int error_number) {
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
  throw std::runtime_error(fmt::format("cannot write {}: {}", path_, std::strerror(error_number)));
}

void OutputFile::write(std::string_view text) {
  if (file_ == nullptr) throw std::logic_error("write after close: " + path_);
  errno = 0;
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) fail(errno ? errno : EIO);
}

void OutputFile::flush() {
  if (file_ != nullptr && std::fflush(file_) != 0) fail(errno);
}

void OutputFile::close(bool durable) {
  if (file_ == nullptr) return;
  if (std::fflush(file_) != 0) fail(errno);
  if (durable && ::fsync(::fileno(file_)) != 0) fail(errno);
  std::FILE* file = file_;
  file_ = nullptr;
  if (std::fclose(file) != 0) {
    throw std::runtime_error(fmt::format("cannot write {}: {}", path_, std::strerror(errno)));
  }
}

void write_file_atomically(const std::string& path, const std::string& contents) {
  write_file_atomically(path, [&contents](OutputFile& out) { out.write(contents); });
}

void write_file_atomically(const std::string& path, const std::function<void(OutputFile&)>& write) {
  const std::string temporary = path + ".tmp";
  try {
    OutputFile out(temporary);
    write(out);
    out.close(/*durable=*/true);
    std::filesystem::rename(temporary, path);
  } catch (const std::filesystem::filesystem_error& e) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error(fmt::format("cannot write {}: {}", path, e.code().message()));
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
}

}  // namespace sgdsim
