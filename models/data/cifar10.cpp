// CIFAR-10's binary version (cifar-10-batches-bin/): fixed-size records, no header.
#include "models/data/cifar10.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

namespace sgdsim {
namespace {

namespace fs = std::filesystem;

constexpr int kNumClasses = 10;
constexpr std::int64_t kSide = 32;
constexpr std::int64_t kPixels = 3 * kSide * kSide;
constexpr std::int64_t kRecordBytes = 1 + kPixels;
constexpr std::int64_t kRecordsPerFile = 10'000;
constexpr int kTrainingBatches = 5;

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// The bytes of the samples read so far: pixels as the d × n column-major matrix, and labels.
struct RawSamples {
  std::vector<unsigned char> pixels;
  std::vector<unsigned char> labels;
  std::int64_t count() const { return static_cast<std::int64_t>(labels.size()); }
};

// The number of records in `path`, after checking that it holds a whole number of them.
std::int64_t count_records(const std::string& path) {
  std::error_code error;
  const auto status = fs::status(path, error);
  if (!fs::exists(status)) {
    std::string what =
        path + ": missing: a CIFAR-10 directory holds data_batch_1.bin ... " +
        "data_batch_5.bin and test_batch.bin (the binary version: " + kCifar10Source + ")";
    const fs::path nested = fs::path(path).parent_path() / "cifar-10-batches-bin";
    if (fs::is_directory(nested, error)) what += "; did you mean " + nested.string() + "?";
    throw DataError(what);
  }
  if (!fs::is_regular_file(status)) throw DataError(path + ": not a regular file");
  const auto bytes = static_cast<std::int64_t>(fs::file_size(path, error));
  if (error) throw DataError("cannot read '" + path + "': " + error.message());
  const std::int64_t records = bytes / kRecordBytes;
  if (const std::int64_t rest = bytes % kRecordBytes; rest != 0) {
    throw DataError(path + ": record " + std::to_string(records) +
                    " is truncated: " + std::to_string(rest) + " of " +
                    std::to_string(kRecordBytes) + " bytes (the file's " + std::to_string(bytes) +
                    " bytes are not a whole number of records)");
  }
  if (records == 0) throw DataError(path + ": empty: no CIFAR-10 records");
  if (records > kRecordsPerFile) {
    throw DataError(path + ": " + std::to_string(records) + " records, more than the " +
                    std::to_string(kRecordsPerFile) +
                    " of a CIFAR-10 batch file: not a CIFAR-10 binary batch");
  }
  return records;
}

// Appends the first `count` records of `path` to `samples`.
void read_records(const std::string& path, std::int64_t count, RawSamples& samples) {
  errno = 0;
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw DataError("cannot open '" + path + "': " + std::strerror(errno));
  std::vector<unsigned char> record(kRecordBytes);
  for (std::int64_t r = 0; r < count; ++r) {
    const std::size_t got = std::fread(record.data(), 1, record.size(), file.get());
    if (got != record.size()) {  // the file shrank since it was measured, or a read failed
      if (std::ferror(file.get())) {
        throw DataError("cannot read '" + path + "': " + std::strerror(errno));
      }
      throw DataError(path + ": record " + std::to_string(r) + " is truncated: " +
                      std::to_string(got) + " of " + std::to_string(kRecordBytes) + " bytes");
    }
    if (record[0] >= kNumClasses) {
      throw DataError(path + ": record " + std::to_string(r) + ": label byte " +
                      std::to_string(record[0]) + " is not in 0..9");
    }
    samples.labels.push_back(record[0]);
    samples.pixels.insert(samples.pixels.end(), record.begin() + 1, record.end());
  }
}

// Reads `paths` in order until `limit` samples (0: all) are read.
template <class Scalar>
Dataset<Scalar> load_batches(const std::vector<std::string>& paths,
                             const std::vector<std::int64_t>& records, std::int64_t limit) {
  std::int64_t total = 0;
  for (const std::int64_t n : records) total += n;
  const std::int64_t n = limit > 0 ? std::min(limit, total) : total;
  RawSamples samples;
  samples.labels.reserve(static_cast<std::size_t>(n));
  samples.pixels.reserve(static_cast<std::size_t>(n * kPixels));
  for (std::size_t f = 0; f < paths.size() && samples.count() < n; ++f) {
    read_records(paths[f], std::min(records[f], n - samples.count()), samples);
  }
  Dataset<Scalar> data;
  // A record's pixels are already C, H, W: the bytes form the d × n matrix as they are.
  data.features = Eigen::Map<const Eigen::Matrix<unsigned char, Eigen::Dynamic, Eigen::Dynamic>>(
                      samples.pixels.data(), kPixels, n)
                      .template cast<Scalar>() /
                  Scalar(255);
  data.targets =
      Eigen::Map<const Eigen::Matrix<unsigned char, Eigen::Dynamic, 1>>(samples.labels.data(), n)
          .template cast<Scalar>();
  data.num_classes = kNumClasses;
  data.image = ImageShape{3, kSide, kSide};
  return data;
}

}  // namespace

std::vector<std::string> cifar10_files(const std::string& dir) {
  const fs::path root(dir);
  std::vector<std::string> files;
  for (int b = 1; b <= kTrainingBatches; ++b) {
    files.push_back((root / ("data_batch_" + std::to_string(b) + ".bin")).string());
  }
  files.push_back((root / "test_batch.bin").string());
  return files;
}

template <class Scalar>
TrainTestData<Scalar> load_cifar10(const std::string& dir, std::int64_t train_limit,
                                   std::int64_t test_limit) {
  std::vector<std::string> train = cifar10_files(dir);
  const std::vector<std::string> test = {train.back()};
  train.pop_back();
  // Every file is measured before any is read, so a missing or cut-off one is reported at once.
  std::vector<std::int64_t> train_records;
  for (const std::string& path : train) train_records.push_back(count_records(path));
  const std::vector<std::int64_t> test_records = {count_records(test.front())};
  TrainTestData<Scalar> data;
  data.train = load_batches<Scalar>(train, train_records, train_limit);
  data.test = load_batches<Scalar>(test, test_records, test_limit);
  return data;
}

template TrainTestData<float> load_cifar10<float>(const std::string&, std::int64_t, std::int64_t);
template TrainTestData<double> load_cifar10<double>(const std::string&, std::int64_t, std::int64_t);

}  // namespace sgdsim
