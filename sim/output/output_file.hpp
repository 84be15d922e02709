// An output file whose every write and close is checked: a full disk, a file size limit
// (`ulimit -f`, whose SIGXFSZ the CLI ignores) or a vanished directory ends the run with
// "cannot write PATH: <the system's reason>", instead of leaving a truncated file behind a summary
// that says ok.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace sgdsim {

class OutputFile {
 public:
  explicit OutputFile(std::string path);  // creates or truncates; throws on failure
  ~OutputFile();                          // closes without checking (after an error already thrown)
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view text);
  void flush();  // to the kernel, so that `tail -f` sees every row
  // Flushes, forces the data to the disk (fsync) when `durable`, and closes; throws on failure.
  void close(bool durable = false);
  bool is_open() const { return file_ != nullptr; }
  const std::string& path() const { return path_; }

 private:
  [[noreturn]] void fail(int error_number);

  std::FILE* file_ = nullptr;
  std::string path_;
};

// Writes `contents` to `path` + ".tmp", syncs it to the disk and renames it over `path`, so that
// `path` is either the old file or the whole new one. On failure the .tmp file is removed.
void write_file_atomically(const std::string& path, const std::string& contents);
// The same for contents written in parts, by `write`, into the temporary file.
void write_file_atomically(const std::string& path, const std::function<void(OutputFile&)>& write);

}  // namespace sgdsim
