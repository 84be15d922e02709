// IDX files (the MNIST format): a big-endian header of magic number and dimensions, then unsigned
// bytes. Read through zlib's gz* calls, which pass plain files through unchanged.
#include "models/data/idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace sgdsim {
namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension
constexpr int kNumDigitClasses = 10;

std::string hex32(std::uint32_t value) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%08X", static_cast<unsigned>(value));
  return text;
}

class GzFile {
 public:
  explicit GzFile(const std::string& path) : path_(path) {
    errno = 0;
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) {
      throw DataError("cannot open '" + path_ +
                      "': " + (errno != 0 ? std::strerror(errno) : "out of memory"));
    }
  }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;
  ~GzFile() { gzclose(file_); }

  // Reads exactly `size` bytes; `what` names them, and `announced` (if not `size`) their total, in
  // the error on a short read.
  void read(void* data, std::size_t size, const char* what, std::size_t announced = 0) {
    auto* bytes = static_cast<unsigned char*>(data);
    std::size_t done = 0;
    while (done < size) {
      const auto chunk = static_cast<unsigned>(std::min<std::size_t>(size - done, INT_MAX / 2));
      const int got = gzread(file_, bytes + done, chunk);
      if (got < 0) throw_corrupt();
      // zlib reports a cut-off gzip stream as end of file too (Z_BUF_ERROR), not as an error.
      if (got == 0) {
        throw DataError(path_ + ": truncated: fewer than the " +
                        std::to_string(announced > 0 ? announced : size) + " bytes of " + what +
                        " its header announces");
      }
      done += static_cast<std::size_t>(got);
    }
  }

  // Reads `size` bytes into a vector that grows as they arrive, so that a header announcing far
  // more than the file holds fails as truncated rather than allocating all it announces first.
  std::vector<unsigned char> read_bytes(std::size_t size, const char* what) {
    constexpr std::size_t kChunk = std::size_t{1} << 24;
    std::vector<unsigned char> bytes;
    while (bytes.size() < size) {
      const std::size_t done = bytes.size();
      bytes.resize(done + std::min(kChunk, size - done));
      read(bytes.data() + done, bytes.size() - done, what, size);
    }
    return bytes;
  }

  // Reading on to the end makes zlib verify the gzip checksum, and catches a header that
  // announces less data than the file holds.
  void expect_end() {
    unsigned char extra;
    const int got = gzread(file_, &extra, 1);
    if (got < 0) throw_corrupt();
    if (got > 0) throw DataError(path_ + ": more data than its header announces");
  }

  std::uint32_t read_u32(const char* what) {
    unsigned char b[4];
    read(b, sizeof b, what);
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
           std::uint32_t{b[3]};
  }

  void expect_magic(std::uint32_t expected, const char* kind) {
    const std::uint32_t found = read_u32("header");
    if (found != expected) {
      throw DataError(path_ + ": not an IDX " + kind + " file: magic number " + hex32(found) +
                      ", expected " + hex32(expected));
    }
  }

 private:
  [[noreturn]] void throw_corrupt() {
    int code = Z_OK;
    const char* message = gzerror(file_, &code);
    throw DataError(path_ + ": corrupt or unreadable data (" + message + ")");
  }

  std::string path_;
  gzFile file_ = nullptr;
};

}  // namespace

template <class Scalar>
Dataset<Scalar> load_idx(const std::string& images_path, const std::string& labels_path,
                         std::int64_t limit) {
  GzFile images(images_path);
  images.expect_magic(kImagesMagic, "images");
  const std::uint32_t num_images = images.read_u32("header");
  const std::uint32_t rows = images.read_u32("header");
  const std::uint32_t cols = images.read_u32("header");

  GzFile labels(labels_path);
  labels.expect_magic(kLabelsMagic, "labels");
  const std::uint32_t num_labels = labels.read_u32("header");

  if (num_images != num_labels) {
    throw DataError(images_path + " holds " + std::to_string(num_images) + " images but " +
                    labels_path + " holds " + std::to_string(num_labels) + " labels");
  }
  if (num_images == 0 || rows == 0 || cols == 0) {
    throw DataError(images_path + ": empty: " + std::to_string(num_images) + " images of " +
                    std::to_string(rows) + "x" + std::to_string(cols) + " pixels");
  }
  const std::int64_t n = limit > 0 ? std::min<std::int64_t>(limit, num_images) : num_images;
  // Caps the allocation below, so a garbled header fails here rather than in operator new.
  constexpr std::uint64_t kMaxPixels = std::uint64_t{1} << 34;
  if (std::uint64_t{rows} * cols > kMaxPixels / static_cast<std::uint64_t>(n)) {
    throw DataError(images_path + ": implausible header: " + std::to_string(n) + " images of " +
                    std::to_string(rows) + "x" + std::to_string(cols) + " pixels");
  }
  const std::int64_t d = std::int64_t{rows} * cols;

  // Each image's pixels are contiguous, so the bytes already form the d × n column-major matrix.
  const std::vector<unsigned char> pixels =
      images.read_bytes(static_cast<std::size_t>(d * n), "pixel data");
  const std::vector<unsigned char> classes =
      labels.read_bytes(static_cast<std::size_t>(n), "labels");
  if (n == num_images) {
    images.expect_end();
    labels.expect_end();
  }

  Dataset<Scalar> data;
  data.features = Eigen::Map<const Eigen::Matrix<unsigned char, Eigen::Dynamic, Eigen::Dynamic>>(
                      pixels.data(), d, n)
                      .template cast<Scalar>() /
                  Scalar(255);
  data.targets.resize(n);
  for (std::int64_t i = 0; i < n; ++i) {
    if (classes[i] >= kNumDigitClasses) {
      throw DataError(labels_path + ": label " + std::to_string(classes[i]) + " of sample " +
                      std::to_string(i) + " is not in 0..9");
    }
    data.targets[i] = static_cast<Scalar>(classes[i]);
  }
  data.num_classes = kNumDigitClasses;
  data.image = ImageShape{1, rows, cols};  // IDX images are stored row after row
  return data;
}

template <class Scalar>
TrainTestData<Scalar> load_fashion_mnist(const std::string& dir, std::int64_t train_limit,
                                         std::int64_t test_limit) {
  const std::filesystem::path root(dir);
  auto file = [&root](const char* name) { return (root / name).string(); };
  TrainTestData<Scalar> data;
  data.train = load_idx<Scalar>(file("train-images-idx3-ubyte.gz"),
                                file("train-labels-idx1-ubyte.gz"), train_limit);
  data.test = load_idx<Scalar>(file("t10k-images-idx3-ubyte.gz"), file("t10k-labels-idx1-ubyte.gz"),
                               test_limit);
  return data;
}

template Dataset<float> load_idx<float>(const std::string&, const std::string&, std::int64_t);
template Dataset<double> load_idx<double>(const std::string&, const std::string&, std::int64_t);
template TrainTestData<float> load_fashion_mnist<float>(const std::string&, std::int64_t,
                                                        std::int64_t);
template TrainTestData<double> load_fashion_mnist<double>(const std::string&, std::int64_t,
                                                          std::int64_t);

}  // namespace sgdsim
