#include "models/data/idx.hpp"

#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/support/data_error_message.hpp"
#include "tests/support/temp_dir.hpp"

namespace sgdsim {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<unsigned char>;
using Catch::Matchers::Contains;
using testing::data_error_message;
using testing::TempDir;

void append_u32(Bytes& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back((value >> shift) & 0xFF);
}

Bytes idx_images(std::uint32_t n, std::uint32_t rows, std::uint32_t cols, const Bytes& pixels) {
  Bytes bytes;
  append_u32(bytes, 0x803);
  append_u32(bytes, n);
  append_u32(bytes, rows);
  append_u32(bytes, cols);
  bytes.insert(bytes.end(), pixels.begin(), pixels.end());
  return bytes;
}

Bytes idx_labels(const Bytes& labels) {
  Bytes bytes;
  append_u32(bytes, 0x801);
  append_u32(bytes, static_cast<std::uint32_t>(labels.size()));
  bytes.insert(bytes.end(), labels.begin(), labels.end());
  return bytes;
}

void write_plain(const std::string& path, const Bytes& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

void write_gz(const std::string& path, const Bytes& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  REQUIRE(file != nullptr);
  REQUIRE(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())) ==
          static_cast<int>(bytes.size()));
  REQUIRE(gzclose(file) == Z_OK);
}

Bytes read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Three 2×3 images whose pixel p of image i is 10·i + p, with labels 7, 0, 9.
const Bytes kPixels = {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 255};
const Bytes kLabels = {7, 0, 9};

}  // namespace

TEMPLATE_TEST_CASE("IDX image i becomes column i, pixels scaled by 1/255", "[idx]", float, double) {
  TempDir dir("idx_test");
  const auto images = dir.file("images");
  const auto labels = dir.file("labels");
  write_plain(images, idx_images(3, 2, 3, kPixels));
  write_plain(labels, idx_labels(kLabels));

  const auto data = load_idx<TestType>(images, labels);
  REQUIRE(data.num_features() == 6);
  REQUIRE(data.num_samples() == 3);
  CHECK(data.num_classes == 10);
  for (int i = 0; i < 3; ++i) {
    for (int p = 0; p < 6; ++p) {
      CHECK(data.features(p, i) == TestType(kPixels[6 * i + p]) / TestType(255));
    }
    CHECK(data.targets(i) == TestType(kLabels[i]));
  }
  CHECK(data.features(5, 2) == TestType(1));
}

TEST_CASE("IDX gzip-compressed files load the same data as plain ones", "[idx]") {
  TempDir dir("idx_test");
  write_plain(dir.file("images"), idx_images(3, 2, 3, kPixels));
  write_plain(dir.file("labels"), idx_labels(kLabels));
  write_gz(dir.file("images.gz"), idx_images(3, 2, 3, kPixels));
  write_gz(dir.file("labels.gz"), idx_labels(kLabels));
  REQUIRE(read_all(dir.file("images.gz")) != read_all(dir.file("images")));

  const auto plain = load_idx<float>(dir.file("images"), dir.file("labels"));
  const auto gz = load_idx<float>(dir.file("images.gz"), dir.file("labels.gz"));
  CHECK(gz.features == plain.features);
  CHECK(gz.targets == plain.targets);
}

TEST_CASE("IDX limit keeps the first samples; 0 or more than the file holds keeps all", "[idx]") {
  TempDir dir("idx_test");
  write_gz(dir.file("images.gz"), idx_images(3, 2, 3, kPixels));
  write_gz(dir.file("labels.gz"), idx_labels(kLabels));
  const auto all = load_idx<double>(dir.file("images.gz"), dir.file("labels.gz"));

  const auto two = load_idx<double>(dir.file("images.gz"), dir.file("labels.gz"), 2);
  REQUIRE(two.num_samples() == 2);
  CHECK(two.features == all.features.leftCols(2));
  CHECK(two.targets == all.targets.head(2));
  CHECK(load_idx<double>(dir.file("images.gz"), dir.file("labels.gz"), 0).num_samples() == 3);
  CHECK(load_idx<double>(dir.file("images.gz"), dir.file("labels.gz"), 99).num_samples() == 3);
}

TEST_CASE("IDX errors name the file at fault", "[idx]") {
  TempDir dir("idx_test");
  const auto images = dir.file("images.gz");
  const auto labels = dir.file("labels.gz");
  write_gz(images, idx_images(3, 2, 3, kPixels));
  write_gz(labels, idx_labels(kLabels));
  auto message = [](const std::string& images_path, const std::string& labels_path) {
    return data_error_message([&] { load_idx<float>(images_path, labels_path); });
  };

  SECTION("images and labels swapped: wrong magic, expected and found") {
    CHECK_THAT(message(labels, images),
               Contains(labels) && Contains("magic number 0x00000801, expected 0x00000803"));
  }
  SECTION("labels file with an image magic") {
    CHECK_THAT(message(images, images),
               Contains(images) && Contains("magic number 0x00000803, expected 0x00000801"));
  }
  SECTION("plain file shorter than its header announces") {
    const auto short_images = dir.file("short");
    write_plain(short_images, idx_images(3, 2, 3, Bytes(kPixels.begin(), kPixels.end() - 1)));
    CHECK_THAT(message(short_images, labels), Contains(short_images) && Contains("truncated"));
  }
  SECTION("gzip stream cut off part-way") {
    Bytes big_pixels(3 * 100 * 100);
    for (std::size_t i = 0; i < big_pixels.size(); ++i) big_pixels[i] = (i * 7919) % 251;
    const auto big = dir.file("big.gz");
    write_gz(big, idx_images(3, 100, 100, big_pixels));
    Bytes compressed = read_all(big);
    compressed.resize(compressed.size() / 2);
    write_plain(big, compressed);
    CHECK_THAT(message(big, labels), Contains(big) && Contains("truncated"));
  }
  SECTION("gzip stream with an invalid deflate block type") {
    Bytes compressed = read_all(images);
    compressed[10] |= 0x06;  // first deflate block header after the 10-byte gzip header: BTYPE 11
    const auto corrupt = dir.file("corrupt.gz");
    write_plain(corrupt, compressed);
    CHECK_THAT(message(corrupt, labels), Contains(corrupt) && Contains("corrupt"));
  }
  SECTION("gzip checksum mismatch") {
    Bytes compressed = read_all(images);
    compressed[compressed.size() - 8] ^= 0xFF;  // the CRC-32 in the gzip trailer
    const auto corrupt = dir.file("crc.gz");
    write_plain(corrupt, compressed);
    CHECK_THAT(message(corrupt, labels), Contains(corrupt) && Contains("corrupt"));
  }
  SECTION("more data than the header announces") {
    const auto long_labels = dir.file("long");
    Bytes bytes = idx_labels(kLabels);
    bytes.push_back(1);
    write_plain(long_labels, bytes);
    CHECK_THAT(message(images, long_labels),
               Contains(long_labels) && Contains("more data than its header announces"));
  }
  SECTION("different image and label counts") {
    const auto two_labels = dir.file("two");
    write_plain(two_labels, idx_labels({1, 2}));
    CHECK_THAT(message(images, two_labels),
               Contains(images + " holds 3 images but " + two_labels + " holds 2 labels"));
  }
  SECTION("label above 9") {
    const auto bad_labels = dir.file("bad");
    write_plain(bad_labels, idx_labels({1, 10, 2}));
    CHECK_THAT(message(images, bad_labels),
               Contains(bad_labels) && Contains("label 10 of sample 1 is not in 0..9"));
  }
  SECTION("missing file") {
    const auto missing = dir.file("missing.gz");
    CHECK_THAT(message(images, missing),
               Contains("cannot open '" + missing + "': No such file or directory"));
  }
}

TEST_CASE("Fashion-MNIST loads 28x28 images in [0, 1] with labels 0..9", "[idx][fashion-mnist]") {
  if (!fs::is_directory(kDefaultFashionMnistDir)) {
    WARN("skipped: " << kDefaultFashionMnistDir
                     << " is absent (apt-get install dataset-fashion-mnist)");
    return;
  }
  const auto data = load_fashion_mnist<float>(kDefaultFashionMnistDir, 100, 50);
  REQUIRE(data.train.num_features() == 784);
  REQUIRE(data.train.num_samples() == 100);
  REQUIRE(data.test.has_value());
  REQUIRE(data.test->num_features() == 784);
  REQUIRE(data.test->num_samples() == 50);
  for (const auto* set : {&data.train, &*data.test}) {
    CHECK(set->num_classes == 10);
    CHECK(set->features.minCoeff() == 0.0f);
    CHECK(set->features.maxCoeff() == 1.0f);
    CHECK(set->targets.minCoeff() >= 0.0f);
    CHECK(set->targets.maxCoeff() <= 9.0f);
    CHECK((set->targets.array() == set->targets.array().floor()).all());
    // Several classes appear among the first samples: the labels are not read as a constant.
    CHECK(set->targets.maxCoeff() - set->targets.minCoeff() >= 5.0f);
  }
  // The first training image of Fashion-MNIST is an ankle boot (class 9).
  CHECK(data.train.targets(0) == 9.0f);
}

}  // namespace sgdsim
