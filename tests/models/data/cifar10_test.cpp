#include "models/data/cifar10.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "tests/support/cifar10_files.hpp"
#include "tests/support/data_error_message.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

namespace sgdsim {
namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using testing::cifar10_file_name;
using testing::cifar10_test_batch;
using testing::cifar10_test_label;
using testing::cifar10_test_pixel;
using testing::data_error_message;
using testing::kCifarRecordBytes;
using testing::TempDir;
using testing::write_cifar10_dir;
using testing::write_file;

// The byte of the pixel at (channel, row, col) of a record: CIFAR-10 stores the red plane, then
// the green, then the blue, each row after row.
std::size_t pixel_offset(int channel, int row, int col) {
  return 1 + static_cast<std::size_t>(channel * 1024 + row * 32 + col);
}

}  // namespace

TEMPLATE_TEST_CASE("CIFAR-10 records become columns in file order, pixels C,H,W scaled by 1/255",
                   "[cifar10]", float, double) {
  TempDir dir("cifar10");
  write_cifar10_dir(dir.path(), 3);
  const auto data = load_cifar10<TestType>(dir.path().string());
  REQUIRE(data.train.num_samples() == 15);
  REQUIRE(data.train.num_features() == 3072);
  REQUIRE(data.train.image == ImageShape{3, 32, 32});
  CHECK(data.train.num_classes == 10);
  REQUIRE(data.test);
  REQUIRE(data.test->num_samples() == 3);
  CHECK(data.test->image == ImageShape{3, 32, 32});
  CHECK(data.test->num_classes == 10);
  for (int file = 0; file < 5; ++file) {
    for (int r = 0; r < 3; ++r) {
      const int sample = 3 * file + r;
      CHECK(data.train.targets[sample] == cifar10_test_label(file, r));
      for (int p : {0, 1, 31, 32, 1023, 1024, 2047, 2048, 3071}) {
        CHECK(data.train.features(p, sample) == TestType(cifar10_test_pixel(file, r, p)) / 255);
      }
    }
  }
  for (int r = 0; r < 3; ++r) {
    CHECK(data.test->targets[r] == cifar10_test_label(5, r));
    CHECK(data.test->features(100, r) == TestType(cifar10_test_pixel(5, r, 100)) / 255);
  }
}

TEST_CASE("a CIFAR-10 pixel lands at feature c*1024 + row*32 + col, with 0 and 255 at 0 and 1",
          "[cifar10]") {
  TempDir dir("cifar10_positions");
  write_cifar10_dir(dir.path(), 1);
  std::string record(kCifarRecordBytes, '\0');
  record[0] = 4;
  record[pixel_offset(0, 2, 5)] = static_cast<char>(255);   // red, row 2, column 5
  record[pixel_offset(1, 31, 0)] = static_cast<char>(51);   // green, last row, first column
  record[pixel_offset(2, 0, 31)] = static_cast<char>(102);  // blue, first row, last column
  write_file(dir / "data_batch_1.bin", record);
  const auto data = load_cifar10<double>(dir.path().string());
  const auto x = data.train.features.col(0);
  CHECK(data.train.targets[0] == 4);
  CHECK(x[0 * 1024 + 2 * 32 + 5] == 1.0);
  CHECK(x[1 * 1024 + 31 * 32 + 0] == 0.2);
  CHECK(x[2 * 1024 + 0 * 32 + 31] == 0.4);
  CHECK(x.sum() == Approx(1.6));  // every other pixel is 0
}

TEST_CASE("CIFAR-10 limits take the first samples across the training batches", "[cifar10]") {
  TempDir dir("cifar10_limit");
  write_cifar10_dir(dir.path(), 4);
  const auto data = load_cifar10<float>(dir.path().string(), 6, 3);
  REQUIRE(data.train.num_samples() == 6);
  CHECK(data.train.targets[4] == cifar10_test_label(1, 0));  // the second file's first record
  CHECK(data.train.targets[5] == cifar10_test_label(1, 1));
  CHECK(data.train.features(7, 5) == float(cifar10_test_pixel(1, 1, 7)) / 255);
  REQUIRE(data.test->num_samples() == 3);
  CHECK(data.train.image == ImageShape{3, 32, 32});
  CHECK(load_cifar10<float>(dir.path().string(), 1000).train.num_samples() == 20);
}

TEST_CASE("hostile CIFAR-10 files are refused with the file and the record", "[cifar10]") {
  TempDir dir("cifar10_hostile");
  write_cifar10_dir(dir.path(), 3);
  const std::string root = dir.path().string();
  auto message = [&root] { return data_error_message([&] { load_cifar10<float>(root); }); };

  SECTION("a label byte above 9") {
    std::string bytes = cifar10_test_batch(2, 3);
    bytes[kCifarRecordBytes * 1] = 12;
    write_file(dir / "data_batch_3.bin", bytes);
    CHECK_THAT(message(),
               Contains(dir.file("data_batch_3.bin") + ": record 1: label byte 12 is not in 0..9"));
  }
  SECTION("a label byte above 9 in the test batch") {
    std::string bytes = cifar10_test_batch(5, 3);
    bytes[kCifarRecordBytes * 2] = static_cast<char>(255);
    write_file(dir / "test_batch.bin", bytes);
    CHECK_THAT(message(),
               Contains(dir.file("test_batch.bin") + ": record 2: label byte 255 is not in 0..9"));
  }
  SECTION("a truncated last record: the size is not a whole number of records") {
    write_file(dir / "data_batch_2.bin", cifar10_test_batch(1, 3).substr(0, 2 * 3073 + 100));
    const std::string text = message();
    CHECK_THAT(text, Contains(dir.file("data_batch_2.bin") +
                              ": record 2 is truncated: 100 of 3073 bytes"));
    CHECK_THAT(text, Contains("6246 bytes are not a whole number of records"));
  }
  SECTION("a file shorter than one record") {
    write_file(dir / "test_batch.bin", std::string(10, '\1'));
    CHECK_THAT(message(),
               Contains(dir.file("test_batch.bin") + ": record 0 is truncated: 10 of 3073 bytes"));
  }
  SECTION("a batch cut mid-way is refused even when the limit would not read that far") {
    write_file(dir / "data_batch_5.bin", cifar10_test_batch(4, 3).substr(0, 3073 + 1));
    CHECK_THAT(data_error_message([&] { load_cifar10<float>(root, 2); }),
               Contains("data_batch_5.bin: record 1 is truncated: 1 of 3073 bytes"));
  }
  SECTION("an empty file") {
    write_file(dir / "data_batch_1.bin", "");
    CHECK_THAT(message(), Contains(dir.file("data_batch_1.bin") + ": empty"));
  }
  for (int file = 0; file < 6; ++file) {
    DYNAMIC_SECTION("a directory missing " << cifar10_file_name(file)) {
      fs::remove(dir / cifar10_file_name(file));
      const std::string text = message();
      CHECK_THAT(text, Contains(dir.file(cifar10_file_name(file)) + ": missing"));
      CHECK_THAT(text, Contains("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"));
    }
  }
  SECTION("a directory in place of a batch file") {
    fs::remove(dir / "data_batch_4.bin");
    fs::create_directory(dir / "data_batch_4.bin");
    CHECK_THAT(message(), Contains(dir.file("data_batch_4.bin") + ": not a regular file"));
  }
}

TEST_CASE("the directory above the extracted archive is named in the message", "[cifar10]") {
  TempDir dir("cifar10_nested");
  write_cifar10_dir(dir / "cifar-10-batches-bin", 1);
  const std::string text = data_error_message([&] { load_cifar10<float>(dir.path().string()); });
  CHECK_THAT(text, Contains(dir.file("data_batch_1.bin") + ": missing"));
  CHECK_THAT(text, Contains("did you mean " + dir.file("cifar-10-batches-bin") + "?"));
  CHECK(load_cifar10<float>(dir.file("cifar-10-batches-bin")).train.num_samples() == 5);
}

TEST_CASE("cifar10_files lists the five training batches in order, then the test batch",
          "[cifar10]") {
  const auto files = cifar10_files("/d");
  REQUIRE(files.size() == 6);
  CHECK(files.front() == "/d/data_batch_1.bin");
  CHECK(files[4] == "/d/data_batch_5.bin");
  CHECK(files.back() == "/d/test_batch.bin");
}

}  // namespace sgdsim
