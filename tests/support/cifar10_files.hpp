// CIFAR-10 binary batch files written by a test (the format of models/data/cifar10.hpp: records of
// a label byte and 3072 pixel bytes, red plane, green plane, blue plane, each 32×32 row-major).
#pragma once

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace sgdsim::testing {

inline constexpr int kCifarPixels = 3 * 32 * 32;
inline constexpr int kCifarRecordBytes = 1 + kCifarPixels;

// The pixel bytes and label the test batches hold: file f (0..4: data_batch_{f+1}.bin, 5:
// test_batch.bin), record r, pixel p (c·1024 + row·32 + col).
inline unsigned char cifar10_test_pixel(int file, int record, int pixel) {
  return static_cast<unsigned char>((37 * file + 11 * record + pixel) % 256);
}
inline unsigned char cifar10_test_label(int file, int record) {
  return static_cast<unsigned char>((file + 3 * record) % 10);
}

// `records` records of file `file` as the loader reads them.
inline std::string cifar10_test_batch(int file, int records) {
  std::string bytes;
  bytes.reserve(static_cast<std::size_t>(records) * kCifarRecordBytes);
  for (int r = 0; r < records; ++r) {
    bytes += static_cast<char>(cifar10_test_label(file, r));
    for (int p = 0; p < kCifarPixels; ++p)
      bytes += static_cast<char>(cifar10_test_pixel(file, r, p));
  }
  return bytes;
}

inline std::string cifar10_file_name(int file) {
  return file < 5 ? "data_batch_" + std::to_string(file + 1) + ".bin" : "test_batch.bin";
}

// The six files of a CIFAR-10 directory in `dir` (created), `records` records each.
inline void write_cifar10_dir(const std::filesystem::path& dir, int records) {
  std::filesystem::create_directories(dir);
  for (int file = 0; file < 6; ++file) {
    const auto path = dir / cifar10_file_name(file);
    std::ofstream out(path, std::ios::binary);
    out << cifar10_test_batch(file, records);
    if (!out) throw std::runtime_error("cannot write " + path.string());
  }
}

}  // namespace sgdsim::testing
