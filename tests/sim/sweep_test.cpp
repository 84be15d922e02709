// Sweeps: the grid's cartesian product in order, replicate seeds, every point validated before
// anything runs, results independent of how many run at once, resume after an interruption (and
// only for the same resolved scenario), and the aggregate's Student-t intervals.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "models/rng.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_runner.hpp"
#include "sim/sweep/sweep_tables.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sgdsim::testing::TempDir;

const std::string kSweep = R"(name: tiny_sweep
seed: 17
workers: 2
steps: 24
algorithm: {kind: local_sgd, interval: 4, lr: 0.1, batch_size: 8}
model: {kind: softmax}
data: {kind: synthetic, samples: 240, features: 4, classes: 3}
compute: {kind: lognormal, mean: 10ms, sigma: 0.3}
eval: {every: 8}
sweep:
  grid:
    workers: [1, 2]
    algorithm.interval: [1, 4, {kind: post_local, switch_step: 8, interval: 4}]
  replicates: 2
)";

// The CSV's rows as cells (no quoted commas in these tests' columns but the swept map, which is
// read back whole).
std::vector<std::vector<std::string>> read_rows(const std::filesystem::path& path) {
  std::istringstream in(sgdsim::testing::read_file(path));
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        cells.push_back(cell);
        cell.clear();
      } else {
        cell += c;
      }
    }
    cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  FAIL("no column " << name);
  return 0;
}

sgdsim::SweepOutcome sweep_into(const sgdsim::SweepPlan& plan, const std::filesystem::path& out,
                                int jobs, const std::atomic<bool>* stop = nullptr) {
  sgdsim::SweepOptions options;
  options.out_dir = out.string();
  options.jobs = jobs;
  options.quiet = true;
  options.stop_requested = stop;
  return sgdsim::run_sweep(plan, options);
}

}  // namespace

TEST_CASE("a sweep plan is the grid's product, last key fastest, with replicate seeds",
          "[sim][sweep]") {
  const TempDir dir("sweep_plan");
  const auto plan = sgdsim::plan_sweep(dir.write("s.yaml", kSweep), {});
  REQUIRE(plan.points == 6);
  REQUIRE(plan.runs.size() == 12);
  CHECK(plan.runs[0].id == "p0000_r0");
  CHECK(plan.runs[1].id == "p0000_r1");
  CHECK(plan.runs[11].id == "p0005_r1");
  // Point 1: workers 1, interval 4; point 5: workers 2, post_local.
  CHECK(plan.runs[2].values == std::vector<std::string>{"1", "4"});
  CHECK(plan.runs[2].scenario.workers == 1);
  CHECK(plan.runs[2].scenario.algorithm.interval == 4);
  CHECK(plan.runs[10].scenario.workers == 2);
  CHECK(plan.runs[10].scenario.algorithm.interval_schedule.kind ==
        sgdsim::IntervalKind::post_local);
  CHECK(plan.runs[10].values[1] == "{kind: post_local, switch_step: 8, interval: 4}");
  for (const auto& run : plan.runs) {
    CHECK_FALSE(run.scenario.output.trace);
    CHECK(run.scenario.seed ==
          (run.replicate == 0 ? 17U : sgdsim::derive_seed(17, "replicate", run.replicate) >> 1));
  }
}

TEST_CASE("a bad sweep names the point, the key and what is wrong, before anything runs",
          "[sim][sweep]") {
  const TempDir dir("sweep_bad");
  const auto errors_of = [&dir](const std::string& from, const std::string& to) {
    std::string text = kSweep;
    text.replace(text.find(from), from.size(), to);
    try {
      (void)sgdsim::plan_sweep(dir.write("bad.yaml", text), {});
    } catch (const sgdsim::ConfigError& e) {
      std::string all;
      for (const auto& m : e.messages()) all += m + "\n";
      return all;
    }
    FAIL("no error");
    return std::string();
  };
  const std::string typo = errors_of("algorithm.interval: [", "algorithm.intervl: [");
  CHECK_THAT(typo, Catch::Contains("sweep point 0 (workers=1, algorithm.intervl=1, replicate 0)"));
  CHECK_THAT(typo, Catch::Contains("algorithm.intervl"));
  const std::string zero = errors_of("workers: [1, 2]", "workers: [0, 2]");
  CHECK_THAT(zero, Catch::Contains("sweep point 0"));
  CHECK_THAT(zero, Catch::Contains("workers"));
  CHECK(zero.find("sweep point 3") == std::string::npos);  // workers 2 is fine
  CHECK_THAT(errors_of("workers: [1, 2]", "workers: 2"),
             Catch::Contains("sweep.grid.workers: expected a non-empty list"));
  CHECK_THAT(errors_of("workers: [1, 2]", "workers: [2, 2]"), Catch::Contains("listed twice"));
  CHECK_THAT(errors_of("replicates: 2", "replicates: 0"), Catch::Contains("sweep.replicates"));
  CHECK_THAT(errors_of("  grid:", "  gird:"), Catch::Contains("did you mean"));
}

TEST_CASE("sweep results do not depend on how many runs go at once, and match single runs",
          "[sim][sweep]") {
  const TempDir dir("sweep_jobs");
  const auto plan = sgdsim::plan_sweep(dir.write("s.yaml", kSweep), {});
  const auto serial = sweep_into(plan, dir / "serial", 1);
  const auto parallel = sweep_into(plan, dir / "parallel", 2);
  CHECK(serial.ran == 12);
  CHECK(parallel.ran == 12);
  const auto a = read_rows(dir / "serial" / "runs.csv");
  const auto b = read_rows(dir / "parallel" / "runs.csv");
  REQUIRE(a.size() == 13);
  const std::size_t wall = column(a[0], "wall_time_s");
  for (std::size_t r = 0; r < a.size(); ++r) {
    auto x = a[r], y = b[r];
    x.erase(x.begin() + static_cast<long>(wall));
    y.erase(y.begin() + static_cast<long>(wall));
    CHECK(x == y);
  }
  CHECK(a[0][4] == "workers");
  CHECK(a[0][5] == "algorithm.interval");
  CHECK(a[11][5] == "{kind: post_local, switch_step: 8, interval: 4}");  // quoted, read whole
  for (const auto& run : plan.runs) {
    INFO(run.id);
    CHECK(sgdsim::testing::read_file(dir / "serial" / "runs" / run.id / "metrics.csv") ==
          sgdsim::testing::read_file(dir / "parallel" / "runs" / run.id / "metrics.csv"));
  }
  // A run of the sweep is the scenario run alone with the point's overrides.
  sgdsim::RunOptions options;
  options.out_dir = (dir / "alone").string();
  options.quiet = true;
  (void)sgdsim::run_scenario(plan.runs[7].scenario, options);
  CHECK(sgdsim::testing::read_file(dir / "alone" / "metrics.csv") ==
        sgdsim::testing::read_file(dir / "serial" / "runs" / plan.runs[7].id / "metrics.csv"));
}

TEST_CASE("a sweep resumes: finished runs of the same scenario are kept, others redone",
          "[sim][sweep]") {
  const TempDir dir("sweep_resume");
  const std::string path = dir.write("s.yaml", kSweep);
  const auto plan = sgdsim::plan_sweep(path, {});
  std::atomic<bool> stop{true};
  const auto interrupted = sweep_into(plan, dir / "out", 2, &stop);
  CHECK(interrupted.interrupted);
  CHECK(interrupted.ran == 0);
  const auto rows = read_rows(dir / "out" / "runs.csv");
  CHECK(rows[1][column(rows[0], "status")] == "not run");

  CHECK(sweep_into(plan, dir / "out", 2).ran == 12);
  std::filesystem::remove(dir / "out" / "runs" / "p0003_r1" / "summary.json");
  const auto resumed = sweep_into(plan, dir / "out", 2);
  CHECK(resumed.ran == 1);
  CHECK(resumed.skipped == 11);
  // Another learning rate is another scenario: nothing is reused.
  const auto changed = sgdsim::plan_sweep(path, {"algorithm.lr=0.05"});
  CHECK(sweep_into(changed, dir / "out", 2).ran == 12);
}

TEST_CASE("aggregate.csv gives each point's mean and Student-t 95 % half-width", "[sim][sweep]") {
  CHECK(sgdsim::student_t_975(1) == Approx(12.7062).epsilon(1e-5));
  CHECK(sgdsim::student_t_975(2) == Approx(4.30265).epsilon(1e-5));
  CHECK(sgdsim::student_t_975(30) == Approx(2.04227).epsilon(1e-5));

  const TempDir dir("sweep_aggregate");
  std::string text = kSweep;
  text.replace(text.find("replicates: 2"), 13, "replicates: 3");
  const auto plan = sgdsim::plan_sweep(dir.write("s.yaml", text), {});
  sweep_into(plan, dir / "out", 2);
  const auto runs = read_rows(dir / "out" / "runs.csv");
  const auto aggregate = read_rows(dir / "out" / "aggregate.csv");
  REQUIRE(aggregate.size() == 7);
  const std::size_t loss = column(runs[0], "final_train_loss");
  for (std::size_t point = 0; point < 6; ++point) {
    std::vector<double> x;
    for (int r = 0; r < 3; ++r) x.push_back(std::stod(runs[1 + point * 3 + r][loss]));
    const double mean = (x[0] + x[1] + x[2]) / 3;
    double squares = 0;
    for (double v : x) squares += (v - mean) * (v - mean);
    const double half_width = 4.30265 * std::sqrt(squares / 2) / std::sqrt(3.0);
    const auto& row = aggregate[1 + point];
    CHECK(row[column(aggregate[0], "replicates")] == "3");
    CHECK(std::stod(row[column(aggregate[0], "final_train_loss_mean")]) == Approx(mean));
    CHECK(std::stod(row[column(aggregate[0], "final_train_loss_ci95")]) ==
          Approx(half_width).epsilon(1e-4));
  }
}

TEST_CASE("csv fields are quoted only when they must be", "[sim][sweep]") {
  CHECK(sgdsim::csv_field("theory") == "theory");
  CHECK(sgdsim::csv_field("[[0, 8], [500, 2]]") == "\"[[0, 8], [500, 2]]\"");
  CHECK(sgdsim::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
}

TEST_CASE("linked axes set several keys together; the cluster key can be swept too",
          "[sim][sweep]") {
  const TempDir dir("sweep_linked");
  const std::string clusters = std::string(SGDSIM_SOURCE_DIR) + "/scenarios/clusters/";
  std::string text = kSweep;
  text.erase(text.find("compute:"), text.find("eval:") - text.find("compute:"));  // the cluster's
  std::string axes = "  grid:\n    cluster: [";  // built piecewise: GCC 12's -Wrestrict
  axes += clusters;
  axes += "ethernet-32.yaml, ";
  axes += clusters;
  axes += "nvlink-8.yaml]\n  linked:\n    schedule:\n";
  axes += "      - {algorithm.interval: 1}\n";
  axes += "      - {algorithm.interval: theory, algorithm.interval_constant: 4}\n";
  axes += "    size: [{workers: 1, steps: 32}, {workers: 4, steps: 8}]\n";
  text.replace(text.find("  grid:"), std::string::npos, axes);
  const auto plan = sgdsim::plan_sweep(dir.write("s.yaml", text), {});
  REQUIRE(plan.runs.size() == 8);
  // Point 3: ethernet, theory schedule, 4 workers for 8 steps; point 4: nvlink, I = 1, N = 1.
  const auto& theory = plan.runs[3].scenario;
  CHECK(theory.algorithm.interval_schedule.kind == sgdsim::IntervalKind::theory);
  CHECK(theory.algorithm.interval_schedule.interval_constant == 4.0);
  CHECK(theory.workers == 4);
  CHECK(theory.steps == 8);
  CHECK(theory.compute.kind == "lognormal");  // ethernet-32's steps
  CHECK(plan.runs[3].values[1] == "{algorithm.interval: theory, algorithm.interval_constant: 4}");
  CHECK(plan.runs[4].scenario.compute.kind == "flops");  // nvlink-8 times steps by FLOPs
  CHECK(plan.runs[4].scenario.workers == 1);
  CHECK(plan.runs[4].scenario.algorithm.interval == 1);

  const std::string pair = "{workers: 1, steps: 32}";
  const std::size_t at = text.find(pair);
  std::string bad = text.substr(0, at);  // not replace(): GCC 12's -Wrestrict false positive
  bad += '4';
  bad += text.substr(at + pair.size());
  try {
    (void)sgdsim::plan_sweep(dir.write("bad.yaml", bad), {});
    FAIL("no error");
  } catch (const sgdsim::ConfigError& e) {
    CHECK_THAT(e.messages().front(), Catch::Contains("sweep.linked.size"));
    CHECK_THAT(e.messages().front(), Catch::Contains("map of keys set together"));
  }
}

TEST_CASE("planning a sweep reports its progress point by point", "[sim][sweep]") {
  const TempDir dir("sweep_progress");
  std::vector<std::size_t> seen;
  const auto plan =
      sgdsim::plan_sweep(dir.write("s.yaml", kSweep), {}, [&](std::size_t done, std::size_t total) {
        CHECK(total == 6);
        seen.push_back(done);
      });
  CHECK(seen == std::vector<std::size_t>{1, 2, 3, 4, 5, 6});
  CHECK(plan.points == 6);
}
