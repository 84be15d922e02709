// A scratch directory for tests that read or write files.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace sgdsim::testing {

// A fresh, empty directory under the system temp dir, removed with everything in it at scope
// exit. Its name is sgdsim_<tag>_<pid>_<n>, n counting the TempDirs of this process, so it is
// unique across concurrent test processes and within one.
class TempDir {
 public:
  explicit TempDir(const std::string& tag)
      : path_(std::filesystem::temp_directory_path() / name(tag)) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  // The path of `name` in this directory, as a string for APIs and messages that take one.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

  // Writes `content` byte for byte to `name` (which may name subdirectories, created) and returns
  // its path.
  std::string write(const std::string& name, const std::string& content) const {
    const std::string file_path = file(name);
    std::filesystem::create_directories((path_ / name).parent_path());
    std::ofstream out(file_path, std::ios::binary);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + file_path);
    return file_path;
  }

 private:
  // Built by appending: GCC 12 warns (-Wrestrict, falsely) on "..." + std::string&&.
  static std::string name(const std::string& tag) {
    static std::atomic<int> counter{0};
    std::string text = "sgdsim_";
    text += tag;
    text += '_';
    text += std::to_string(::getpid());
    text += '_';
    text += std::to_string(counter++);
    return text;
  }

  std::filesystem::path path_;
};

}  // namespace sgdsim::testing
