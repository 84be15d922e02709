// Empirical step times: the CSV format (one column, or the step_time_s column of several), replay
// from each worker's offset, resampling that draws only the file's values and each about equally
// often, and bad files reported as DataError naming the file and the line.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/data/dataset.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/empirical_step_times.hpp"
#include "tests/support/data_error_message.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using Catch::Matchers::Contains;
using sgdsim::ComputeModel;
using sgdsim::ComputeSpec;
using sgdsim::EmpiricalMode;
using sgdsim::SimTime;
using sgdsim::testing::data_error_message;
using sgdsim::testing::TempDir;

const std::string kTenRows = std::string(SGDSIM_SOURCE_DIR) + "/tests/data/step_times.csv";
const std::string kColumns = std::string(SGDSIM_SOURCE_DIR) + "/tests/data/step_times_columns.csv";

// The rows of step_times.csv: 10, 20, ..., 100 ms.
std::int64_t row_ns(std::size_t row) {
  return static_cast<std::int64_t>(row + 1) * 10'000'000;
}

ComputeSpec empirical(const std::string& path, EmpiricalMode mode) {
  ComputeSpec spec;
  spec.kind = "empirical";
  spec.path = path;
  spec.mode = mode;
  return spec;
}

}  // namespace

TEST_CASE("a one-column step-time CSV is read in file order, in seconds", "[sim][compute]") {
  const auto times = sgdsim::load_step_times_csv(kTenRows);
  REQUIRE(times.size() == 10);
  for (std::size_t i = 0; i < times.size(); ++i) CHECK(times[i].ns() == row_ns(i));
}

TEST_CASE("with several columns, the one named step_time_s is read", "[sim][compute]") {
  const auto times = sgdsim::load_step_times_csv(kColumns);
  std::vector<std::int64_t> ns;
  for (const SimTime t : times) ns.push_back(t.ns());
  CHECK(ns == std::vector<std::int64_t>{31'000'000, 29'000'000, 45'000'000, 30'000'000});
}

TEST_CASE("replay: worker w walks the rows cyclically from row floor(w·n/N)", "[sim][compute]") {
  const int workers = 3;
  ComputeModel model(empirical(kTenRows, EmpiricalMode::replay), workers, 1);
  // Interleaved unevenly, to show each worker keeps its own place.
  std::vector<std::vector<std::int64_t>> seen(workers);
  for (int round = 0; round < 25; ++round) {
    for (int w = 0; w < workers; ++w) {
      for (int k = 0; k <= w; ++k) seen[w].push_back(model.step_time(w, SimTime::zero()).ns());
    }
  }
  for (int w = 0; w < workers; ++w) {
    INFO("worker " << w);
    const std::size_t start = static_cast<std::size_t>(w) * 10 / workers;  // 0, 3, 6
    for (std::size_t i = 0; i < seen[w].size(); ++i) {
      REQUIRE(seen[w][i] == row_ns((start + i) % 10));
    }
  }
}

TEST_CASE("resample draws only the file's values, each about equally often, per-worker seeded",
          "[sim][compute]") {
  ComputeModel model(empirical(kTenRows, EmpiricalMode::resample), 2, 3);
  ComputeModel again(empirical(kTenRows, EmpiricalMode::resample), 2, 3);
  const int n = 200'000;
  std::map<std::int64_t, int> counts;
  double sum = 0.0;
  std::vector<std::int64_t> first0, first1;
  for (int i = 0; i < n; ++i) {
    const std::int64_t t = model.step_time(0, SimTime::zero()).ns();
    ++counts[t];
    sum += static_cast<double>(t);
    if (i < 50) {
      first0.push_back(t);
      first1.push_back(model.step_time(1, SimTime::zero()).ns());
    }
  }
  REQUIRE(counts.size() == 10);
  for (std::size_t row = 0; row < 10; ++row) {
    INFO("row " << row);
    REQUIRE(counts.count(row_ns(row)) == 1);
    // Binomial(200k, 0.1): standard deviation 134 draws.
    CHECK(std::abs(counts[row_ns(row)] - n / 10) < 800);
  }
  CHECK(sum / n == Approx(55e6).epsilon(0.01));
  CHECK(first0 != first1);
  std::vector<std::int64_t> again0;
  for (int i = 0; i < 50; ++i) again0.push_back(again.step_time(0, SimTime::zero()).ns());
  CHECK(again0 == first0);
}

TEST_CASE("speed factors apply to empirical step times", "[sim][compute]") {
  ComputeSpec spec = empirical(kTenRows, EmpiricalMode::replay);
  spec.speed_factors = {0.5};
  ComputeModel model(spec, 1, 0);
  CHECK(model.step_time(0, SimTime::zero()).ns() == 2 * row_ns(0));
  CHECK(model.step_time(0, SimTime::zero()).ns() == 2 * row_ns(1));
}

TEST_CASE("a bad step-time CSV is a DataError naming the file and the line", "[sim][compute]") {
  TempDir dir("step_times");
  const auto message_for = [&dir](const std::string& content) {
    const std::string path = dir.write("times.csv", content);
    return data_error_message([&] { sgdsim::load_step_times_csv(path); });
  };
  const std::string file = dir.file("times.csv");
  CHECK_THAT(message_for("t\n0.1\nfast\n"), Contains(file + ":3:") && Contains("fast"));
  CHECK_THAT(message_for("t\n0.1\n-0.2\n"), Contains(file + ":3:") && Contains("-0.2"));
  CHECK_THAT(message_for("t\n0\n"), Contains(file + ":2:"));
  CHECK_THAT(message_for("step,seconds\n1,0.1\n"),
             Contains(file + ":1:") && Contains("step_time_s"));
  CHECK_THAT(message_for("step,step_time_s\n1,0.1\n2\n"), Contains(file + ":3:"));
  CHECK_THAT(message_for(""), Contains(file) && Contains("empty"));
  CHECK_THAT(message_for("step_time_s\n\n"), Contains(file) && Contains("no step times"));
  const std::string missing = dir.file("missing.csv");
  CHECK_THAT(data_error_message([&] { sgdsim::load_step_times_csv(missing); }), Contains(missing));
  CHECK_THROWS_AS(ComputeModel(empirical(missing, EmpiricalMode::replay), 1, 0), sgdsim::DataError);
}

TEST_CASE("blank lines, CRLF endings and a byte-order mark are tolerated", "[sim][compute]") {
  TempDir dir("step_times_crlf");
  const std::string path = dir.write("t.csv", "\xEF\xBB\xBFstep_time_s\r\n0.5\r\n\r\n0.25\r\n");
  const auto times = sgdsim::load_step_times_csv(path);
  REQUIRE(times.size() == 2);
  CHECK(times[0].ns() == 500'000'000);
  CHECK(times[1].ns() == 250'000'000);
}
