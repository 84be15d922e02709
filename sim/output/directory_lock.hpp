// An exclusive lock on an output directory for as long as a run (or a sweep) writes into it: a
// second sgdsim aimed at the same directory is refused instead of mixing its files with the
// first's. flock(2) on the directory itself: no lock file is left beside the outputs, and the
// kernel drops the lock when the process ends, however it ends, so it is never stale.
#pragma once

#include <string>
#include <utility>

namespace sgdsim {

class DirectoryLock {
 public:
  // Throws std::runtime_error naming the directory when another process holds it. Where the file
  // system cannot lock (ENOLCK and kin, some network file systems), the directory is not locked.
  explicit DirectoryLock(const std::string& directory);
  ~DirectoryLock();
  DirectoryLock(DirectoryLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace sgdsim
