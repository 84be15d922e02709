// data: {kind: libsvm} from the scenario file to a finished run, and the checks a run makes on
// file-based data (LIBSVM and CSV) before it starts.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/data/dataset.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "tests/support/files.hpp"
#include "tests/support/scenario_errors.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using nlohmann::json;
using sgdsim::testing::read_file;
using sgdsim::testing::TempDir;

// `samples` lines of 3 classes labelled 1..3, as LIBSVM sets often are: class c has feature c
// large; the first line also has index `widest_index`. Built piecewise: GCC 12 warns (-Wrestrict,
// falsely) on "..." + std::string&&.
std::string three_class_lines(int samples, int widest_index) {
  std::string text = "# three classes, labels 1..3\n";
  for (int i = 0; i < samples; ++i) {
    const int label = 1 + i % 3;
    text += std::to_string(label);
    for (int f = 1; f <= 3; ++f) {
      text += ' ';
      text += std::to_string(f);
      text += f == label ? ":1.5" : ":0.1";
    }
    if (i == 0) {
      text += ' ';
      text += std::to_string(widest_index);
      text += ":0.25";
    }
    text += "\r\n";
  }
  return text;
}

std::string scenario(const std::string& data, const std::string& model = "softmax") {
  return "name: libsvm\nseed: 3\nworkers: 2\nsteps: 20\nprecision: float64\n"
         "algorithm: {kind: local_sgd, interval: 5, lr: 0.2, batch_size: 4}\n"
         "model: {kind: " +
         model + "}\ndata: " + data +
         "\ncompute: {kind: constant, mean: 10ms}\n"
         "network: {latency: 50us, bandwidth: 10Gbps}\neval: {every: 10}\n"
         "output: {trace: false, model: false}\n";
}

sgdsim::RunOutcome run_file(const std::string& path, const fs::path& out,
                            const std::vector<std::string>& overrides = {}) {
  const sgdsim::Scenario s = sgdsim::load_scenario_file(path, overrides);
  sgdsim::RunOptions options;
  options.out_dir = out.string();
  options.quiet = true;
  return sgdsim::run_scenario(s, options);
}

std::string data_error_of_run(const std::string& path, const fs::path& out) {
  try {
    run_file(path, out);
  } catch (const sgdsim::ConfigError& e) {  // the data file's message, placed at data.path
    return e.what();
  }
  return "(no ConfigError thrown)";
}

}  // namespace

TEST_CASE("a libsvm scenario runs end to end with paths relative to the scenario",
          "[sim][libsvm]") {
  TempDir dir("libsvm_scenario_test");
  dir.write("train.libsvm", three_class_lines(60, 4));
  dir.write("test.libsvm", three_class_lines(30, 6));  // wider: both sets get 6 features
  const auto path =
      dir.write("s.yaml", scenario("{kind: libsvm, path: train.libsvm, test_path: test.libsvm}"));

  const sgdsim::RunOutcome outcome = run_file(path, dir / "out");
  const json summary = json::parse(read_file(dir / "out" / "summary.json"));
  CHECK(summary.at("status") == "ok");
  CHECK(summary.at("train_samples") == 60);
  CHECK(summary.at("test_samples") == 30);
  CHECK(summary.at("parameters") == (6 + 1) * 3);  // softmax: (d + 1) · k
  CHECK(summary.at("scenario").at("data").at("path") == dir.file("train.libsvm"));
  const std::string metrics = read_file(dir / "out" / "metrics.csv");
  CHECK_THAT(metrics, !Contains(",,"));  // every row has its test loss and accuracy
  // Well separated classes: the averaged model learns them.
  CHECK(summary.at("final_test_accuracy").get<double>() > 0.9);
}

TEST_CASE("libsvm features widens the data; limits keep the first samples", "[sim][libsvm]") {
  TempDir dir("libsvm_scenario_test");
  dir.write("train.libsvm", three_class_lines(60, 4));
  dir.write("test.libsvm", three_class_lines(30, 4));
  const auto path =
      dir.write("s.yaml", scenario("{kind: libsvm, path: train.libsvm, test_path: test.libsvm, "
                                   "features: 10, limit: 40, test_limit: 1000}"));
  run_file(path, dir / "out");
  const json summary = json::parse(read_file(dir / "out" / "summary.json"));
  CHECK(summary.at("parameters") == (10 + 1) * 3);
  CHECK(summary.at("train_samples") == 40);
  CHECK(summary.at("test_samples") == 30);  // a limit beyond the file keeps it all

  const auto narrow =
      dir.write("n.yaml", scenario("{kind: libsvm, path: train.libsvm, features: 3}"));
  CHECK_THAT(data_error_of_run(narrow, dir / "bad"),
             Contains("data.path: " + dir.file("train.libsvm") +
                      ":2: '4:0.25': index 4 exceeds the 3 features asked for"));
  CHECK_FALSE(fs::exists(dir / "bad" / "metrics.csv"));
}

TEST_CASE("a binary libsvm file with -1/+1 labels trains a logistic model", "[sim][libsvm]") {
  TempDir dir("libsvm_scenario_test");
  std::string text;
  for (int i = 0; i < 40; ++i) text += i % 2 ? "+1 1:1 2:0.2\n" : "-1 1:-1 3:0.2\n";
  dir.write("b.libsvm", text);
  const auto path = dir.write("s.yaml", scenario("{kind: libsvm, path: b.libsvm}", "logistic"));
  run_file(path, dir / "out");
  const json summary = json::parse(read_file(dir / "out" / "summary.json"));
  CHECK(summary.at("status") == "ok");
  CHECK(summary.at("parameters") == 3 + 1);
}

TEST_CASE("libsvm keys: path required, features only for libsvm, resolved form loads back",
          "[sim][libsvm]") {
  using sgdsim::testing::errors_of;
  using sgdsim::testing::message_with;
  // Data paths are checked when the scenario loads, so they must exist.
  const TempDir dir("libsvm_keys");
  const std::string a = dir.write("a.libsvm", "1 1:0.5\n");
  const std::string b = dir.write("b.libsvm", "1 2:0.5\n");
  const auto scenario_text =
      scenario("{kind: libsvm, path: " + a + ", test_path: " + b + ", features: 7}");
  const auto s = sgdsim::load_scenario_text(scenario_text, "test.yaml");
  CHECK(s.data.kind == "libsvm");
  CHECK(s.data.path == a);
  CHECK(s.data.test_path == b);
  CHECK(s.data.features == 7);

  const std::string resolved = sgdsim::scenario_to_json(s).dump(2);
  INFO(resolved);
  const auto again = sgdsim::load_scenario_text(resolved, "resolved.yaml");
  CHECK(again.data.features == 7);
  CHECK(again.data.test_path == b);
  CHECK(sgdsim::scenario_to_json(again).dump(2) == resolved);

  const auto without =
      sgdsim::load_scenario_text(scenario("{kind: libsvm, path: " + a + "}"), "t.yaml");
  CHECK(without.data.features == 0);
  CHECK_FALSE(sgdsim::scenario_to_json(without).at("data").contains("features"));

  message_with(errors_of(scenario("{kind: libsvm}")), {"data.path"});
  message_with(errors_of(scenario("{kind: libsvm, path: " + a + ", features: 0}")),
               {"data.features"});
  message_with(errors_of(scenario("{kind: csv, path: " + a + ", features: 7}")),
               {"data.features", "unknown key 'features'"});
}

TEST_CASE("a CSV test set of another width or with unknown classes fails before the run",
          "[sim][libsvm][csv]") {
  TempDir dir("libsvm_scenario_test");
  std::string train = "a,b,y\n";
  for (int i = 0; i < 20; ++i)
    train += std::to_string(i % 3) + ",1," + std::to_string(i % 3) + "\n";
  dir.write("train.csv", train);
  dir.write("wide.csv", "a,b,c,y\n1,2,3,0\n");
  dir.write("classes.csv", "a,b,y\n1,2,0\n1,2,5\n");
  const auto wide =
      dir.write("w.yaml", scenario("{kind: csv, path: train.csv, test_path: wide.csv}"));
  CHECK_THAT(data_error_of_run(wide, dir / "w"),
             Contains("data.test_path: " + dir.file("wide.csv") +
                      ": 3 features per sample, but the training set has 2"));
  CHECK_FALSE(fs::exists(dir / "w" / "metrics.csv"));
  const auto classes =
      dir.write("c.yaml", scenario("{kind: csv, path: train.csv, test_path: classes.csv}"));
  CHECK_THAT(data_error_of_run(classes, dir / "c"),
             Contains("data.test_path: " + dir.file("classes.csv") +
                      ": label 5 of sample 2 is not a class of the training set (0..2)"));
}

TEST_CASE("the shipped LIBSVM example runs", "[sim][libsvm]") {
  TempDir dir("libsvm_scenario_test");
  const std::string path = std::string(SGDSIM_SOURCE_DIR) + "/scenarios/data/libsvm.yaml";
  run_file(path, dir / "out", {"steps=20", "eval.every=10"});
  const json summary = json::parse(read_file(dir / "out" / "summary.json"));
  CHECK(summary.at("status") == "ok");
  CHECK(summary.at("test_samples").get<int>() > 0);
}
