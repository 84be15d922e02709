// Data files made to break the loaders: each must fail with a DataError a user can act on,
// before allocating what a garbled header or an endless file announces.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "models/data/csv.hpp"
#include "models/data/data_file.hpp"
#include "models/data/idx.hpp"
#include "tests/support/data_error_message.hpp"
#include "tests/support/temp_dir.hpp"

namespace sgdsim {
namespace {

using namespace std::string_literals;
using Bytes = std::vector<unsigned char>;
using Catch::Matchers::Contains;
using testing::data_error_message;
using testing::TempDir;

void append_u32(Bytes& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back((value >> shift) & 0xFF);
}

void write_bytes(const std::string& path, const Bytes& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

// An IDX image file whose header announces n images of rows × cols, followed by `pixels`.
void write_images(const std::string& path, std::uint32_t n, std::uint32_t rows, std::uint32_t cols,
                  const Bytes& pixels) {
  Bytes bytes;
  append_u32(bytes, 0x803);
  append_u32(bytes, n);
  append_u32(bytes, rows);
  append_u32(bytes, cols);
  bytes.insert(bytes.end(), pixels.begin(), pixels.end());
  write_bytes(path, bytes);
}

// An IDX label file whose header announces n labels, followed by `labels`.
void write_labels(const std::string& path, std::uint32_t n, const Bytes& labels) {
  Bytes bytes;
  append_u32(bytes, 0x801);
  append_u32(bytes, n);
  bytes.insert(bytes.end(), labels.begin(), labels.end());
  write_bytes(path, bytes);
}

Dataset<double> dataset(Eigen::Index d, std::vector<double> targets, int num_classes) {
  Dataset<double> data;
  data.features = Eigen::MatrixXd::Zero(d, static_cast<Eigen::Index>(targets.size()));
  data.targets = Eigen::Map<Eigen::VectorXd>(targets.data(), data.features.cols());
  data.num_classes = num_classes;
  return data;
}

}  // namespace

TEST_CASE("data files larger than the cap fail without being read to the end", "[data]") {
  TempDir dir("hostile_data_test");
  const auto path = dir.write("f.txt", std::string(100, 'x'));
  CHECK(read_data_file(path, 100).size() == 100);
  CHECK_THAT(data_error_message([&] { read_data_file(path, 99); }),
             Contains("'" + path + "' holds 100 bytes (1e-07 GB), more than the 99 bytes"));
  // An endless device: without the cap this would read until memory runs out.
  CHECK_THAT(data_error_message([] { read_data_file("/dev/zero", 1 << 20); }),
             Contains("'/dev/zero' holds more than 1048576 bytes"));
}

TEST_CASE("CSV hostile files: directory, byte-order mark only, NUL bytes, empty rows", "[csv]") {
  TempDir dir("hostile_data_test");
  auto message = [&dir](const std::string& content, Task task = Task::regression) {
    const auto path = dir.write("h.csv", content);
    return data_error_message([&] { load_csv<double>(path, task); });
  };
  const std::string directory = dir.path().string();
  CHECK_THAT(data_error_message([&] { load_csv<float>(directory, Task::regression); }),
             Contains("cannot read '" + directory + "': Is a directory"));
  CHECK_THAT(message("\xEF\xBB\xBF"), Contains("h.csv: empty file"));
  // A NUL would end what() early; a long cell would flood the terminal.
  CHECK_THAT(message("a,y\n1,\0\n"s), Contains("h.csv:2, column 2: '?' is not a number"));
  CHECK_THAT(message(std::string("a,y\n1,").append(10'000, 'z').append("\n")),
             Contains("h.csv:2, column 2: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...' is not "
                      "a number"));
  CHECK_THAT(message("a,y\n,\n"), Contains("h.csv:2, column 1: '' is not a number"));
  CHECK_THAT(message("a,y\n1,1\n1,65536\n", Task::multiclass),
             Contains("h.csv:3: label 65536 is too large a class index"));
  CHECK_THAT(message("a,y\n1,1\n1,1,\n"), Contains("h.csv:3: expected 2 columns"));
}

TEST_CASE("CSV a very wide file loads with one feature per column", "[csv]") {
  TempDir dir("hostile_data_test");
  constexpr int kColumns = 50'000;
  std::string text;
  for (int c = 0; c < kColumns; ++c) text += "x,";
  text += "y\n";
  for (int row = 0; row < 2; ++row) {
    for (int c = 0; c < kColumns; ++c) text += std::to_string(c % 7 + row) + ",";
    text += "1\n";
  }
  const auto data = load_csv<float>(dir.write("wide.csv", text), Task::regression);
  CHECK(data.num_features() == kColumns);
  CHECK(data.num_samples() == 2);
  CHECK(data.features(kColumns - 1, 1) == float((kColumns - 1) % 7 + 1));
}

TEST_CASE("a test set must have the training set's width and classes", "[data]") {
  const auto train = dataset(3, {0, 1, 2}, 3);
  CHECK_NOTHROW(check_test_fits_train(train, dataset(3, {2, 0}, 3), "t.csv"));
  CHECK_THAT(data_error_message([&] { check_test_fits_train(train, dataset(4, {0}, 3), "t.csv"); }),
             Contains("t.csv: 4 features per sample, but the training set has 3"));
  CHECK_THAT(data_error_message([&] {
               check_test_fits_train(train, dataset(3, {1, 3}, 4), "t.csv");
             }),
             Contains("t.csv: label 3 of sample 2 is not a class of the training set (0..2)"));
  CHECK_THAT(
      data_error_message([&] { check_test_fits_train(train, dataset(3, {-1}, 3), "t.csv"); }),
      Contains("t.csv: label -1 of sample 1 is not a class"));
  // Regression targets are any real numbers.
  CHECK_NOTHROW(check_test_fits_train(dataset(3, {0.5}, 0), dataset(3, {-7.5}, 0), "t.csv"));
}

TEST_CASE("IDX header announcing millions of images in a tiny file fails as truncated, at once",
          "[idx]") {
  TempDir dir("hostile_data_test");
  const auto images = dir.file("images");
  const auto labels = dir.file("labels");
  // 20 million 28×28 images: 15.7 GB, under the header cap, in a file of a few bytes. Allocating
  // what the header announces before reading would take that much memory.
  constexpr std::uint32_t kAnnounced = 20'000'000;
  write_images(images, kAnnounced, 28, 28, Bytes(100, 7));
  write_labels(labels, kAnnounced, Bytes(10, 1));
  const auto start = std::chrono::steady_clock::now();
  CHECK_THAT(data_error_message([&] { load_idx<float>(images, labels); }),
             Contains(images + ": truncated: fewer than the 15680000000 bytes of pixel data"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("IDX hostile headers and files: short labels, empty, implausible, a directory", "[idx]") {
  TempDir dir("hostile_data_test");
  const auto images = dir.file("images");
  const auto labels = dir.file("labels");
  write_images(images, 3, 2, 2, Bytes(12, 9));
  auto message = [&](std::int64_t limit = 0) {
    return data_error_message([&] { load_idx<double>(images, labels, limit); });
  };
  SECTION("label file shorter than the image file, counts agreeing") {
    write_labels(labels, 3, {1, 2});
    CHECK_THAT(message(), Contains(labels + ": truncated: fewer than the 3 bytes of labels"));
  }
  SECTION("label file announcing fewer labels than images, even under a limit") {
    write_labels(labels, 2, {1, 2});
    CHECK_THAT(message(1), Contains(images + " holds 3 images but " + labels + " holds 2 labels"));
  }
  SECTION("zero images, or images of no pixels") {
    write_labels(labels, 0, {});
    write_images(images, 0, 2, 2, {});
    CHECK_THAT(message(), Contains(images + ": empty: 0 images of 2x2 pixels"));
    write_labels(labels, 3, {1, 2, 3});
    write_images(images, 3, 0, 5, Bytes(12, 9));
    CHECK_THAT(message(), Contains(images + ": empty: 3 images of 0x5 pixels"));
  }
  SECTION("dimensions no memory holds") {
    write_labels(labels, 3, {1, 2, 3});
    write_images(images, 3, 100'000, 100'000, Bytes(12, 9));
    CHECK_THAT(message(), Contains(images + ": implausible header: 3 images of 100000x100000"));
  }
  SECTION("a limit larger than the file keeps every sample") {
    write_labels(labels, 3, {1, 2, 3});
    CHECK(load_idx<double>(images, labels, 1'000'000).num_samples() == 3);
  }
  SECTION("a directory instead of a file") {
    write_labels(labels, 3, {1, 2, 3});
    CHECK_THAT(data_error_message([&] { load_idx<double>(dir.path().string(), labels); }),
               Contains(dir.path().string()));
  }
}

}  // namespace sgdsim
