#include "models/data/libsvm.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/support/data_error_message.hpp"
#include "tests/support/temp_dir.hpp"

namespace sgdsim {
namespace {

using namespace std::string_literals;
using Catch::Matchers::Contains;
using testing::data_error_message;
using testing::TempDir;

LibsvmOptions with_task(Task task) {
  LibsvmOptions options;
  options.task = task;
  return options;
}

// What loading `train` (and `test`, unless empty) written to h.libsvm and t.libsvm reports, with
// the directory left out of every path.
template <class Scalar = double>
std::string message(const std::string& train, const LibsvmOptions& options,
                    const std::string& test = "") {
  TempDir dir("libsvm_test");
  const auto train_path = dir.write("h.libsvm", train);
  const auto test_path = test.empty() ? std::string() : dir.write("t.libsvm", test);
  std::string text =
      data_error_message([&] { load_libsvm<Scalar>(train_path, test_path, options); });
  const std::string prefix = dir.path().string() + "/";
  for (auto at = text.find(prefix); at != std::string::npos; at = text.find(prefix)) {
    text.erase(at, prefix.size());
  }
  return text;
}

}  // namespace

TEMPLATE_TEST_CASE("LIBSVM sparse lines become dense columns, absent indices 0", "[libsvm]", float,
                   double) {
  TempDir dir("libsvm_test");
  const auto path = dir.write("d.libsvm", "1.5 1:2 3:-4\n-2 2:0.5\n0.25 3:1e3 4:0\n");
  const auto data = load_libsvm<TestType>(path, "", with_task(Task::regression));

  REQUIRE(data.train.num_features() == 4);  // index 4 counts though its value is 0
  REQUIRE(data.train.num_samples() == 3);
  CHECK_FALSE(data.test.has_value());
  typename Dataset<TestType>::Matrix expected(4, 3);
  expected << 2, 0, 0,  //
      0, 0.5, 0,        //
      -4, 0, 1000,      //
      0, 0, 0;
  CHECK(data.train.features == expected);
  CHECK(data.train.targets(0) == TestType(1.5));
  CHECK(data.train.targets(1) == TestType(-2));
  CHECK(data.train.targets(2) == TestType(0.25));
  CHECK(data.train.num_classes == 0);
}

TEST_CASE("LIBSVM training and test sets take the width of the wider file", "[libsvm]") {
  TempDir dir("libsvm_test");
  const auto narrow = dir.write("narrow.libsvm", "1 1:1 2:2\n2 2:3\n");
  const auto wide = dir.write("wide.libsvm", "1 5:7\n");
  for (const bool wide_test : {true, false}) {
    INFO("wider file is the " << (wide_test ? "test" : "training") << " file");
    const auto data = load_libsvm<float>(wide_test ? narrow : wide, wide_test ? wide : narrow,
                                         with_task(Task::regression));
    REQUIRE(data.test.has_value());
    CHECK(data.train.num_features() == 5);
    CHECK(data.test->num_features() == 5);
  }
  const auto data = load_libsvm<float>(narrow, wide, with_task(Task::regression));
  CHECK(data.test->features(4, 0) == 7.0f);
  CHECK(data.train.features.bottomRows(3).isZero());
}

TEST_CASE("LIBSVM explicit features fix the width; an index above it names its line", "[libsvm]") {
  TempDir dir("libsvm_test");
  const auto train = dir.write("a.libsvm", "1 1:1\n");
  const auto test = dir.write("b.libsvm", "1 2:1\n\n1 3:1\n");
  LibsvmOptions options = with_task(Task::regression);
  options.num_features = 10;
  const auto data = load_libsvm<double>(train, test, options);
  CHECK(data.train.num_features() == 10);
  CHECK(data.test->num_features() == 10);

  options.num_features = 2;
  CHECK_THAT(data_error_message([&] { load_libsvm<double>(train, test, options); }),
             Contains("b.libsvm:3: '3:1': index 3 exceeds the 2 features asked for"));
}

TEST_CASE("LIBSVM labels follow the task", "[libsvm]") {
  TempDir dir("libsvm_test");
  auto targets = [&dir](const std::string& content, Task task, int* num_classes = nullptr) {
    const auto data = load_libsvm<double>(dir.write("l.libsvm", content), "", with_task(task));
    if (num_classes) *num_classes = data.train.num_classes;
    return std::vector<double>(data.train.targets.begin(), data.train.targets.end());
  };
  int classes = -1;
  SECTION("binary -1/+1 becomes 0/1") {
    CHECK(targets("+1 1:1\n-1 1:1\n1 1:1\n", Task::binary, &classes) ==
          std::vector<double>{1, 0, 1});
    CHECK(classes == 2);
  }
  SECTION("binary 0/1 stays 0/1") {
    CHECK(targets("0 1:1\n1 1:1\n0 1:1\n", Task::binary) == std::vector<double>{0, 1, 0});
  }
  SECTION("multiclass 1..k becomes 0..k-1") {
    CHECK(targets("3 1:1\n1 1:1\n2 1:1\n3 1:1\n", Task::multiclass, &classes) ==
          std::vector<double>{2, 0, 1, 2});
    CHECK(classes == 3);
  }
  SECTION("multiclass: any integers, in increasing order") {
    CHECK(targets("10 1:1\n-5 1:1\n3.0 1:1\n", Task::multiclass, &classes) ==
          std::vector<double>{2, 0, 1});
    CHECK(classes == 3);
  }
  SECTION("multiclass with one label still has two classes") {
    CHECK(targets("7 1:1\n7 1:1\n", Task::multiclass, &classes) == std::vector<double>{0, 0});
    CHECK(classes == 2);
  }
  SECTION("regression keeps any finite real") {
    CHECK(targets("-1e3 1:1\n2.5 1:1\n+7 1:1\n", Task::regression) ==
          std::vector<double>{-1000, 2.5, 7});
  }
}

TEST_CASE("LIBSVM test labels map to the training file's classes", "[libsvm]") {
  TempDir dir("libsvm_test");
  const auto train = dir.write("a.libsvm", "2 1:1\n4 1:1\n8 1:1\n");
  const auto test = dir.write("b.libsvm", "8 1:1\n2 1:1\n");
  const auto data = load_libsvm<float>(train, test, with_task(Task::multiclass));
  REQUIRE(data.test.has_value());
  CHECK(data.test->targets(0) == 2.0f);
  CHECK(data.test->targets(1) == 0.0f);
  CHECK(data.test->num_classes == 3);
}

TEST_CASE("LIBSVM reader accepts comments, CRLF, blank lines, tabs, qid and a byte-order mark",
          "[libsvm]") {
  TempDir dir("libsvm_test");
  const auto path = dir.write("c.libsvm",
                              "\xEF\xBB\xBF# a header comment\r\n"
                              "\r\n"
                              "1 qid:3 1:0.5\t 3:2 # trailing comment 9:9\r\n"
                              "   \n"
                              "#1 1:1\n"
                              "-1\t2:+4\r\n"
                              "+1 # no features at all\n"
                              "-1 1:-1");  // no final newline
  const auto data = load_libsvm<double>(path, "", with_task(Task::binary));
  REQUIRE(data.train.num_samples() == 4);
  REQUIRE(data.train.num_features() == 3);
  CHECK(data.train.features.col(0) == Eigen::Vector3d(0.5, 0, 2));
  CHECK(data.train.features.col(1) == Eigen::Vector3d(0, 4, 0));
  CHECK(data.train.features.col(2).isZero());
  CHECK(data.train.features.col(3) == Eigen::Vector3d(-1, 0, 0));
  CHECK(data.train.targets == Eigen::Vector4d(1, 0, 1, 0));
}

TEST_CASE("LIBSVM limits keep the first samples but every line is checked", "[libsvm]") {
  TempDir dir("libsvm_test");
  const auto train = dir.write("a.libsvm", "1 1:1\n2 1:2\n3 9:3\n");
  const auto test = dir.write("b.libsvm", "4 1:4\n5 1:5\n");
  LibsvmOptions options = with_task(Task::regression);
  options.limit = 2;
  options.test_limit = 1;
  const auto data = load_libsvm<double>(train, test, options);
  CHECK(data.train.num_samples() == 2);
  CHECK(data.train.num_features() == 9);  // from the line past the limit
  CHECK(data.train.targets(1) == 2.0);
  CHECK(data.test->num_samples() == 1);
  options.limit = 99;
  CHECK(load_libsvm<double>(train, test, options).train.num_samples() == 3);

  options.limit = 1;
  const auto bad = dir.write("c.libsvm", "1 1:1\n2 1:x\n");
  CHECK_THAT(data_error_message([&] { load_libsvm<double>(bad, "", options); }),
             Contains("c.libsvm:2: '1:x': the value is not a number"));
}

TEST_CASE("LIBSVM hostile inputs fail naming file, line and token", "[libsvm]") {
  struct Case {
    std::string content;
    Task task;
    std::string expected;
  };
  const Task r = Task::regression;
  const Task b = Task::binary;
  const Task m = Task::multiclass;
  const std::vector<Case> cases = {
      // Labels.
      {"abc 1:2\n", r, "h.libsvm:1: label 'abc' is not a number"},
      {"+-1 1:2\n", r, "h.libsvm:1: label '+-1' is not a number"},
      {"1 1:1\nnan 1:2\n", r, "h.libsvm:2: label 'nan' is not a finite number"},
      {"-inf 1:2\n", r, "h.libsvm:1: label '-inf' is not a finite number"},
      {"1e999 1:2\n", r, "h.libsvm:1: label '1e999' is out of range"},
      {"1:2 3:4\n", r, "h.libsvm:1: no label: the line starts with '1:2'"},
      {"2 1:1\n", b, "h.libsvm:1: binary label '2' must be -1 or +1, or 0 or 1"},
      {"0.5 1:1\n", b, "h.libsvm:1: binary label '0.5' must be -1 or +1, or 0 or 1"},
      {"-1 1:1\n1 1:1\n0 1:1\n", b,
       "h.libsvm:3: binary label 0 after label -1 at h.libsvm:1; use -1 and +1, or 0 and 1, "
       "not both"},
      {"1 1:1\n2.5 1:1\n", m, "h.libsvm:2: class label '2.5' is not an integer"},
      {"1e30 1:1\n", m, "h.libsvm:1: class label '1e30' is not an integer of at most"},
      // Indices.
      {"1 x:2\n", r, "h.libsvm:1: 'x:2': the index is not an integer"},
      {"1 1.5:2\n", r, "h.libsvm:1: '1.5:2': the index is not an integer"},
      {"1 :2\n", r, "h.libsvm:1: ':2': the index is not an integer"},
      {"1 +2:2\n", r, "h.libsvm:1: '+2:2': the index is not an integer"},
      {"1 0:1\n", r, "h.libsvm:1: '0:1': indices start at 1, not 0"},
      {"1 -3:1\n", r, "h.libsvm:1: '-3:1': indices start at 1, not -3"},
      {"1 3:1 2:1\n", r, "h.libsvm:1: '2:1': index 2 after 3: indices must increase along a line"},
      {"1 2:1 2:1\n", r, "h.libsvm:1: '2:1': index 2 after 2: indices must increase"},
      {"1 1:1 qid:4\n", r, "h.libsvm:1: 'qid:4': the index is not an integer"},
      {"1 99999999999999999999:1\n", r,
       "h.libsvm:1: '99999999999999999999:1': the index is out of range (far too large)"},
      {"1 -99999999999999999999:1\n", r, "the index is out of range (negative)"},
      {"1 1:1\n1 5000000000:1\n", r,
       "h.libsvm:2: index 5000000000 makes h.libsvm a dense 5000000000 × 2 matrix of 74.51 GiB, "
       "over the limit of 16 GiB; is an index garbled?"},
      // Separators.
      {"1 3 4:1\n", r, "h.libsvm:1: '3' has no ':'; expected index:value"},
      {"1 1 : 2\n", r, "h.libsvm:1: '1' has no ':'; expected index:value"},
      // Values.
      {"1 1:abc\n", r, "h.libsvm:1: '1:abc': the value is not a number"},
      {"1 1:\n", r, "h.libsvm:1: '1:': the value is not a number"},
      {"1 1:2:3\n", r, "h.libsvm:1: '1:2:3': the value is not a number"},
      {"1 1:0x10\n", r, "h.libsvm:1: '1:0x10': the value is not a number"},
      {"1 1:nan\n", r, "h.libsvm:1: '1:nan': the value is not a finite number"},
      {"1 1:-inf\n", r, "h.libsvm:1: '1:-inf': the value is not a finite number"},
      {"1 1:1e999\n", r, "h.libsvm:1: '1:1e999': the value is out of range"},
      {"1 1:\0\n"s, r, "h.libsvm:1: '1:?': the value is not a number"},
      {std::string("1 1:").append(100000, 'z').append("\n"), r,
       "h.libsvm:1: '1:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...': the value is not a number"},
      {std::string("1 1:").append(400, '7').append("\n"), r,
       "h.libsvm:1: '1:77777777777777777777777777777777777777...': the value is out of range"},
      // Whole files, and the line an error is on.
      {"", r, "h.libsvm: no samples (the file is empty"},
      {"\xEF\xBB\xBF", r, "h.libsvm: no samples"},
      {"# only\n\n \t \r\n# comments\n", r, "h.libsvm: no samples"},
      {"1\n-1\n", r, "h.libsvm: no features: no line has an index:value pair"},
      {"1 1:1\n\n# c\n2 1:2\r\n3 1:x\n", r, "h.libsvm:5: '1:x': the value is not a number"},
  };
  for (const Case& c : cases) {
    INFO("input: " << c.content.substr(0, 60));
    CHECK_THAT(message(c.content, with_task(c.task)), Contains(c.expected));
  }
  CHECK(cases.size() >= 15);
}

TEST_CASE("LIBSVM hostile test files and options fail naming the file at fault", "[libsvm]") {
  CHECK_THAT(message("1 1:1\n2 1:1\n", with_task(Task::multiclass), "2 1:1\n\n9 1:1\n"),
             Contains("t.libsvm:3: label 9 does not occur in the training file h.libsvm (2 "
                      "classes, labels 1 to 2)"));
  CHECK_THAT(message("-1 1:1\n1 1:1\n", with_task(Task::binary), "0 1:1\n"),
             Contains("t.libsvm:1: binary label 0 after label -1 at h.libsvm:1"));
  CHECK_THAT(message("1 1:1\n", with_task(Task::regression), "1 2:1\n1 1:1 1:2\n"),
             Contains("t.libsvm:2: '1:2': index 1 after 1"));
  CHECK_THAT(message("1 1:1\n", with_task(Task::regression), "1 4000000000:1\n"),
             Contains("t.libsvm:1: index 4000000000 makes h.libsvm a dense 4000000000 × 1"));
  LibsvmOptions huge = with_task(Task::regression);
  huge.num_features = std::int64_t{1} << 32;
  CHECK_THAT(message("1 1:1\n2 2:2\n", huge),
             Contains("h.libsvm: 4294967296 features makes h.libsvm a dense 4294967296 × 2 "
                      "matrix of 64 GiB, over the limit of 16 GiB"));
}

TEST_CASE("LIBSVM values beyond float range are rejected in single precision only", "[libsvm]") {
  const auto options = with_task(Task::regression);
  CHECK_THAT(message<double>("1 1:1e39\n", options), Contains("(no DataError thrown)"));
  CHECK_THAT(message<float>("1 1:1e39\n", options),
             Contains("h.libsvm:1: '1:1e39': the value is out of range for single precision"));
  CHECK_THAT(message<float>("-1e39 1:1\n", options),
             Contains("h.libsvm:1: label '-1e39' is out of range for single precision"));
}

TEST_CASE("LIBSVM missing files and directories give the system's reason", "[libsvm]") {
  TempDir dir("libsvm_test");
  const auto train = dir.write("a.libsvm", "1 1:1\n");
  const auto missing = dir.file("missing.libsvm");
  const auto options = with_task(Task::regression);
  CHECK_THAT(data_error_message([&] { load_libsvm<double>(missing, "", options); }),
             Contains("cannot open '" + missing + "': No such file or directory"));
  CHECK_THAT(data_error_message([&] { load_libsvm<double>(train, missing, options); }),
             Contains("cannot open '" + missing + "'"));
  const std::string directory = dir.path().string();
  CHECK_THAT(data_error_message([&] { load_libsvm<double>(directory, "", options); }),
             Contains("cannot read '" + directory + "': Is a directory"));
}

}  // namespace sgdsim
