#include "sim/runner/input_fingerprints.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#include "models/data/cifar10.hpp"

namespace sgdsim {
namespace {

namespace fs = std::filesystem;

struct Stamp {
  std::uintmax_t bytes;
  fs::file_time_type modified;
  auto operator<=>(const Stamp&) const = default;
};

// 0 for a file that cannot be read (the run reading it reports why).
std::uint32_t crc32_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return 0;
  std::vector<char> buffer(1 << 20);
  uLong crc = crc32(0L, Z_NULL, 0);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = in.gcount();
    if (got > 0)
      crc = crc32(crc, reinterpret_cast<const Bytef*>(buffer.data()), static_cast<uInt>(got));
  }
  return static_cast<std::uint32_t>(crc);
}

nlohmann::json fingerprint(const fs::path& path) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, Stamp>, std::uint32_t> cache;
  std::error_code error;
  const Stamp stamp{fs::file_size(path, error), fs::last_write_time(path, error)};
  std::uint32_t crc = 0;
  const auto key = std::make_pair(path.string(), stamp);
  {
    const std::lock_guard lock(mutex);
    if (auto it = cache.find(key); it != cache.end()) crc = it->second;
  }
  if (crc == 0) {
    crc = crc32_of(path);
    const std::lock_guard lock(mutex);
    cache[key] = crc;
  }
  return {{"path", path.string()}, {"bytes", stamp.bytes}, {"crc32", fmt::format("{:08x}", crc)}};
}

void add(nlohmann::json& list, const std::string& path) {
  if (path.empty()) return;
  if (fs::is_directory(path)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(path)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) list.push_back(fingerprint(file));
  } else {
    list.push_back(fingerprint(path));
  }
}

nlohmann::json in_memory_fingerprint(const char* what, std::uint32_t crc, std::uint64_t bytes) {
  return {{"path", what}, {"bytes", bytes}, {"crc32", fmt::format("{:08x}", crc)}};
}

}  // namespace

nlohmann::json input_fingerprints(const Scenario& s) {
  nlohmann::json list = nlohmann::json::array();
  if (s.data.kind == "arrays") {
    if (s.data.arrays) {
      const auto [crc, bytes] = arrays_crc32(*s.data.arrays);
      list.push_back(in_memory_fingerprint("<arrays>", crc, bytes));
    }
  } else if (s.data.kind == "cifar10") {
    // The files it reads, not the directory's other files (the archive's readme and metadata).
    for (const std::string& file : cifar10_files(s.data.path)) add(list, file);
  } else if (s.data.kind != "synthetic") {
    add(list, s.data.path);
    add(list, s.data.test_path);
  }
  if (s.compute.kind == "empirical") {
    if (s.compute.times_in_memory) {
      if (s.compute.times) {
        const auto& times = *s.compute.times;
        const auto bytes = times.size() * sizeof(SimTime);
        const auto crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(times.data()),
                               static_cast<uInt>(bytes));
        list.push_back(
            in_memory_fingerprint("<step times>", static_cast<std::uint32_t>(crc), bytes));
      }
    } else {
      add(list, s.compute.path);
    }
  }
  return list;
}

}  // namespace sgdsim
