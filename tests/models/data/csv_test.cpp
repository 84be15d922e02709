#include "models/data/csv.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "tests/support/data_error_message.hpp"
#include "tests/support/temp_dir.hpp"

namespace sgdsim {
namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using testing::data_error_message;
using testing::TempDir;

}  // namespace

TEMPLATE_TEST_CASE("CSV rows become feature columns with the last cell as the target", "[csv]",
                   float, double) {
  TempDir dir("csv_test");
  const auto path = dir.write("data.csv", "a,b,y\n1.5,-2,0.25\n3,4e1,-7\n");
  const auto data = load_csv<TestType>(path, Task::regression);

  REQUIRE(data.num_features() == 2);
  REQUIRE(data.num_samples() == 2);
  CHECK(data.features(0, 0) == TestType(1.5));
  CHECK(data.features(1, 0) == TestType(-2));
  CHECK(data.features(0, 1) == TestType(3));
  CHECK(data.features(1, 1) == TestType(40));
  CHECK(data.targets(0) == TestType(0.25));
  CHECK(data.targets(1) == TestType(-7));
  CHECK(data.num_classes == 0);
}

TEST_CASE("CSV reader accepts CRLF, blank lines, spaces, a leading '+' and no final newline",
          "[csv]") {
  TempDir dir("csv_test");
  const auto path =
      dir.write("data.csv", "\xEF\xBB\xBFx1, x2 ,label\r\n\r\n1, +2 ,3\r\n\n  \n4,5,6");
  const auto data = load_csv<double>(path, Task::regression);

  REQUIRE(data.num_samples() == 2);
  REQUIRE(data.num_features() == 2);
  CHECK(data.features(1, 0) == 2.0);
  CHECK(data.targets(0) == 3.0);
  CHECK(data.features(0, 1) == 4.0);
  CHECK(data.targets(1) == 6.0);
}

TEST_CASE("CSV class count is 2 for binary and max label + 1 (at least 2) for multiclass",
          "[csv]") {
  TempDir dir("csv_test");
  SECTION("binary") {
    const auto path = dir.write("b.csv", "x,y\n0.1,1\n0.2,0\n0.3,1\n");
    const auto data = load_csv<float>(path, Task::binary);
    CHECK(data.num_classes == 2);
    CHECK(data.targets(0) == 1.0f);
    CHECK(data.targets(1) == 0.0f);
  }
  SECTION("multiclass with labels up to 4") {
    const auto path = dir.write("m.csv", "x,y\n0.1,4\n0.2,0\n0.3,2.0\n");
    const auto data = load_csv<float>(path, Task::multiclass);
    CHECK(data.num_classes == 5);
    CHECK(data.targets(0) == 4.0f);
    CHECK(data.targets(2) == 2.0f);
  }
  SECTION("multiclass where every label is 0") {
    const auto path = dir.write("z.csv", "x,y\n0.1,0\n0.2,0\n");
    CHECK(load_csv<float>(path, Task::multiclass).num_classes == 2);
  }
}

TEST_CASE("CSV errors name the file, the line and the column of the bad cell", "[csv]") {
  TempDir dir("csv_test");
  auto message = [&dir](const std::string& content, Task task = Task::regression) {
    const auto path = dir.write("data.csv", content);
    return data_error_message([&] { load_csv<double>(path, task); });
  };

  CHECK_THAT(message("a,b,y\n1,2,3\n\n1,2\n"),
             Contains("data.csv:4: expected 3 columns (as in the header), found 2"));
  CHECK_THAT(message("a,b,y\n1,2,3,4\n"),
             Contains("data.csv:2: expected 3 columns (as in the header), found 4"));
  CHECK_THAT(message("a,b,y\n1,2,3\n1,abc,3\n"),
             Contains("data.csv:3, column 2: 'abc' is not a number"));
  CHECK_THAT(message("a,b,y\n1,2x,3\n"), Contains("data.csv:2, column 2: '2x' is not a number"));
  CHECK_THAT(message("a,b,y\n1,,3\n"), Contains("data.csv:2, column 2: '' is not a number"));
  CHECK_THAT(message("a,b,y\nnan,2,3\n"),
             Contains("data.csv:2, column 1: 'nan' is not a finite number"));
  CHECK_THAT(message("a,b,y\n1,2,-inf\n"),
             Contains("data.csv:2, column 3: '-inf' is not a finite number"));
  CHECK_THAT(message("a,b,y\n1,1e999,3\n"),
             Contains("data.csv:2, column 2: '1e999' is out of range"));
  CHECK_THAT(message("a,y\n1,2\n", Task::binary),
             Contains("data.csv:2: binary label 2 must be 0 or 1"));
  CHECK_THAT(message("a,y\n1,1\n1,2.5\n", Task::multiclass),
             Contains("data.csv:3: label 2.5 is not a class index"));
  CHECK_THAT(message("a,y\n1,-1\n", Task::multiclass),
             Contains("data.csv:2: label -1 is not a class index"));
  CHECK_THAT(message("a,y\n1,1e6\n", Task::multiclass),
             Contains("data.csv:2: label 1e6 is too large a class index"));
  CHECK_THAT(message(""), Contains("data.csv: empty file"));
  CHECK_THAT(message("\n\r\n"), Contains("data.csv: empty file"));
  CHECK_THAT(message("a,b,y\n\n"), Contains("data.csv: no data rows after the header"));
  CHECK_THAT(message("y\n1\n"), Contains("data.csv:1: the header has 1 column"));
}

TEST_CASE("CSV regression targets may be any real number", "[csv]") {
  TempDir dir("csv_test");
  const auto path = dir.write("data.csv", "a,y\n1,2.5\n1,-1e3\n");
  const auto data = load_csv<double>(path, Task::regression);
  CHECK(data.targets(0) == 2.5);
  CHECK(data.targets(1) == -1000.0);
}

TEST_CASE("CSV values beyond float range are rejected in single precision only", "[csv]") {
  TempDir dir("csv_test");
  const auto path = dir.write("data.csv", "a,y\n1e39,1\n");
  CHECK(load_csv<double>(path, Task::regression).features(0, 0) == 1e39);
  CHECK_THAT(data_error_message([&] { load_csv<float>(path, Task::regression); }),
             Contains("data.csv:2, column 1: '1e39' is out of range for single precision"));
}

TEST_CASE("CSV missing file gives the system's reason", "[csv]") {
  TempDir dir("csv_test");
  const auto path = dir.write("present.csv", "");
  const std::string missing = fs::path(path).replace_filename("x.csv").string();
  CHECK_THAT(data_error_message([&] { load_csv<double>(missing, Task::regression); }),
             Contains("cannot open '" + missing + "': No such file or directory"));
}

TEST_CASE("to_string(Task) gives each task's name", "[dataset]") {
  CHECK(std::string(to_string(Task::regression)) == "regression");
  CHECK(std::string(to_string(Task::binary)) == "binary");
  CHECK(std::string(to_string(Task::multiclass)) == "multiclass");
}

}  // namespace sgdsim
