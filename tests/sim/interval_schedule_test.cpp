// Communication schedules of local SGD (`algorithm.interval`): the theory formula of Yu, Yang & Zhu
// (2019), post-local SGD, explicit phases and the AdaComm-style adaptive interval; how scenarios
// spell them, and what a run records.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/algorithms/interval_schedule.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sgdsim::IntervalKind;
using sgdsim::IntervalSchedule;
using sgdsim::IntervalScheduleSpec;

// The steps in 1..steps after which `schedule` synchronises.
std::vector<std::int64_t> sync_steps(const IntervalSchedule& schedule, std::int64_t steps) {
  std::vector<std::int64_t> out;
  for (std::int64_t t = 1; t <= steps; ++t) {
    if (schedule.synchronizes_after(t)) out.push_back(t);
  }
  return out;
}

std::string scenario_with(const std::string& algorithm_lines, int workers = 4,
                          std::int64_t steps = 40) {
  return "name: tiny\nseed: 7\nworkers: " + std::to_string(workers) +
         "\nsteps: " + std::to_string(steps) + "\nalgorithm:\n  kind: local_sgd\n" +
         algorithm_lines +
         "model: {kind: softmax}\n"
         "data: {kind: synthetic, samples: 400, test_samples: 100, features: 5, classes: 3}\n"
         "compute: {kind: constant, mean: 30ms}\n"
         "network: {latency: 50us, bandwidth: 10Gbps}\n";
}

std::string errors_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    (void)sgdsim::load_scenario_text(text, "test.yaml", overrides);
  } catch (const sgdsim::ConfigError& e) {
    std::string all;
    for (const auto& m : e.messages()) all += m + "\n";
    return all;
  }
  FAIL("no ConfigError for:\n" << text);
  return {};
}

// What `sgdsim validate` prints loads back to the same scenario.
void check_round_trip(const sgdsim::Scenario& s) {
  const std::string resolved = sgdsim::scenario_to_json(s).dump(2);
  const sgdsim::Scenario again = sgdsim::load_scenario_text(resolved, "again.yaml");
  CHECK(sgdsim::scenario_to_json(again).dump(2) == resolved);
}

}  // namespace

TEST_CASE("theory picks I = max(1, floor(T^(1/4) / N^(3/4)))", "[sim][schedule]") {
  CHECK(sgdsim::theory_interval(1, 1) == 1);
  CHECK(sgdsim::theory_interval(1, 16) == 2);
  CHECK(sgdsim::theory_interval(1, 80) == 2);
  CHECK(sgdsim::theory_interval(1, 81) == 3);
  CHECK(sgdsim::theory_interval(1, 10000) == 10);
  CHECK(sgdsim::theory_interval(8, 10000) == 2);        // 10 / 4.76 = 2.1 (T ≥ 16·8³ = 8192)
  CHECK(sgdsim::theory_interval(16, 1'000'000) == 3);   // 31.6 / 8 = 3.95
  CHECK(sgdsim::theory_interval(16, 65536 * 4) == 2);   // 22.6 / 8 = 2.83
  CHECK(sgdsim::theory_interval(2, 10000, 2.0) == 11);  // 2·10/1.68 = 11.9
  // It first exceeds 1 at T = 16·N³.
  for (int n : {1, 2, 4, 8, 16, 64}) {
    const std::int64_t threshold = 16 * static_cast<std::int64_t>(n) * n * n;
    INFO("N = " << n);
    CHECK(sgdsim::theory_interval(n, threshold - 1) == 1);
    CHECK(sgdsim::theory_interval(n, threshold) == 2);
    CHECK(sgdsim::theory_interval(n, 81 * static_cast<std::int64_t>(n) * n * n - 1) == 2);
    CHECK(sgdsim::theory_interval(n, 81 * static_cast<std::int64_t>(n) * n * n) == 3);
  }
  CHECK(sgdsim::theory_lr(4, 400) == Approx(0.1));
  CHECK(sgdsim::theory_lr(16, 1'000'000, 2.0) == Approx(0.008));
}

TEST_CASE("a scenario with interval: theory and lr: theory resolves both", "[sim][schedule]") {
  const auto s = sgdsim::load_scenario_text(
      scenario_with("  interval: theory\n  lr: theory\n", 2, 128), "test.yaml");
  CHECK(s.algorithm.interval_schedule.kind == IntervalKind::theory);
  CHECK(s.algorithm.interval == 2);  // T = 16·N³
  CHECK(s.algorithm.lr == Approx(0.125));
  check_round_trip(s);
  const auto scaled = sgdsim::load_scenario_text(
      scenario_with(
          "  interval: theory\n  interval_constant: 3\n  lr: theory\n  lr_constant: 0.5\n", 2, 128),
      "test.yaml");
  CHECK(scaled.algorithm.interval == 6);
  CHECK(scaled.algorithm.lr == Approx(0.0625));
  check_round_trip(scaled);
  // lr stays a number when only the interval is theory.
  CHECK(sgdsim::load_scenario_text(scenario_with("  interval: theory\n  lr: 0.3\n"), "t.yaml")
            .algorithm.lr == 0.3);
}

TEST_CASE("post_local synchronises after every step up to t0, then every H", "[sim][schedule]") {
  IntervalScheduleSpec spec;
  spec.kind = IntervalKind::post_local;
  spec.switch_step = 5;
  spec.local_interval = 4;
  const IntervalSchedule schedule(spec, 1, 20);
  CHECK(sync_steps(schedule, 20) == std::vector<std::int64_t>{1, 2, 3, 4, 5, 9, 13, 17, 20});
  spec.switch_step = 0;  // plain local SGD with I = H
  CHECK(sync_steps(IntervalSchedule(spec, 1, 10), 10) == std::vector<std::int64_t>{4, 8, 10});
}

TEST_CASE("an explicit list counts each phase's interval from its first step", "[sim][schedule]") {
  IntervalScheduleSpec spec;
  spec.kind = IntervalKind::list;
  spec.phases = {{0, 8}, {20, 2}, {25, 5}};
  const IntervalSchedule schedule(spec, 1, 37);
  CHECK(sync_steps(schedule, 37) == std::vector<std::int64_t>{8, 16, 22, 24, 30, 35, 37});
}

TEST_CASE("the last step always synchronises", "[sim][schedule]") {
  IntervalScheduleSpec fixed;
  CHECK(sync_steps(IntervalSchedule(fixed, 4, 10), 10) == std::vector<std::int64_t>{4, 8, 10});
  IntervalScheduleSpec adaptive;
  adaptive.kind = IntervalKind::adaptive;
  adaptive.initial = 100;
  CHECK(sync_steps(IntervalSchedule(adaptive, 1, 7), 7) == std::vector<std::int64_t>{7});
}

TEST_CASE("adaptive shrinks I with sqrt(F/F0) as the loss falls, never below minimum",
          "[sim][schedule]") {
  IntervalScheduleSpec spec;
  spec.kind = IntervalKind::adaptive;
  spec.initial = 16;
  spec.minimum = 2;
  IntervalSchedule schedule(spec, 1, 1000);
  CHECK_FALSE(schedule.synchronizes_after(15));
  CHECK(schedule.synchronizes_after(16));
  schedule.on_round_end(16, 4.0);  // F0
  CHECK(schedule.current_interval() == 16);
  CHECK(schedule.synchronizes_after(32));
  schedule.on_round_end(32, 1.0);  // ⌈16·√(1/4)⌉ = 8
  CHECK(schedule.current_interval() == 8);
  CHECK_FALSE(schedule.synchronizes_after(39));
  CHECK(schedule.synchronizes_after(40));
  schedule.on_round_end(40, 0.25);  // ⌈16·√(1/16)⌉ = 4
  CHECK(schedule.current_interval() == 4);
  CHECK(schedule.synchronizes_after(44));
  schedule.on_round_end(44, 0.0001);  // ⌈0.08⌉ = 1, held at the minimum
  CHECK(schedule.current_interval() == 2);
  CHECK_FALSE(schedule.synchronizes_after(45));
  CHECK(schedule.synchronizes_after(46));
  schedule.on_round_end(46, 100.0);  // a loss spike never lengthens rounds beyond I0
  CHECK(schedule.current_interval() == 16);
}

TEST_CASE("the YAML forms of algorithm.interval load and load back", "[sim][schedule]") {
  const auto post = sgdsim::load_scenario_text(
      scenario_with("  interval: {kind: post_local, switch_step: 10, interval: 4}\n  lr: 0.1\n"),
      "test.yaml");
  CHECK(post.algorithm.interval_schedule.kind == IntervalKind::post_local);
  CHECK(post.algorithm.interval_schedule.switch_step == 10);
  CHECK(post.algorithm.interval_schedule.local_interval == 4);
  check_round_trip(post);

  const auto adaptive = sgdsim::load_scenario_text(
      scenario_with("  interval: {kind: adaptive, initial: 8, minimum: 2}\n  lr: 0.1\n"),
      "test.yaml");
  CHECK(adaptive.algorithm.interval_schedule.kind == IntervalKind::adaptive);
  CHECK(adaptive.algorithm.interval_schedule.initial == 8);
  CHECK(adaptive.algorithm.interval_schedule.minimum == 2);
  check_round_trip(adaptive);

  const auto list = sgdsim::load_scenario_text(
      scenario_with("  interval: [[0, 8], [20, 2]]\n  lr: 0.1\n"), "test.yaml");
  CHECK(list.algorithm.interval_schedule.kind == IntervalKind::list);
  REQUIRE(list.algorithm.interval_schedule.phases.size() == 2);
  CHECK(list.algorithm.interval_schedule.phases[1].from_step == 20);
  CHECK(list.algorithm.interval_schedule.phases[1].interval == 2);
  check_round_trip(list);

  const auto fixed =
      sgdsim::load_scenario_text(scenario_with("  interval: 4\n  lr: 0.1\n"), "test.yaml");
  CHECK(fixed.algorithm.interval_schedule.kind == IntervalKind::fixed);
  CHECK(fixed.algorithm.interval == 4);
  check_round_trip(fixed);
}

TEST_CASE("bad interval schedules are rejected naming file, line and key", "[sim][schedule]") {
  using Catch::Contains;
  const auto with = [](const std::string& interval) {
    return errors_of(scenario_with("  interval: " + interval + "\n  lr: 0.1\n"));
  };
  CHECK_THAT(with("{kind: post_local, switch_step: 41, interval: 4}"),
             Contains("test.yaml:7:") && Contains("algorithm.interval.switch_step") &&
                 Contains("exceeds steps 40"));
  CHECK_THAT(with("{kind: post_local, switch_step: 4, interval: 0}"),
             Contains("algorithm.interval.interval"));
  CHECK_THAT(with("{kind: post_local, switch_step: 4}"),
             Contains("algorithm.interval.interval") && Contains("missing required key"));
  CHECK_THAT(with("{kind: adaptive, initial: 4, minimum: 8}"),
             Contains("algorithm.interval.minimum"));
  CHECK_THAT(with("{kind: adaptive, initial: 4, factr: 2}"), Contains("algorithm.interval.factr"));
  CHECK_THAT(with("{kind: sometimes}"), Contains("algorithm.interval.kind"));
  CHECK_THAT(with("[[1, 8], [20, 2]]"),
             Contains("test.yaml:7:") && Contains("algorithm.interval") && Contains("step 0"));
  CHECK_THAT(with("[[0, 8], [0, 2]]"), Contains("algorithm.interval") && Contains("increasing"));
  CHECK_THAT(with("[[0, 0]]"), Contains("algorithm.interval") && Contains("at least 1"));
  CHECK_THAT(with("[[0, 8], [50, 2]]"), Contains("algorithm.interval") && Contains("steps 40"));
  CHECK_THAT(with("[[0, 8], 20]"), Contains("algorithm.interval") && Contains("pair 2"));
  CHECK_THAT(with("0"), Contains("algorithm.interval"));
  CHECK_THAT(with("theroy"), Contains("algorithm.interval") && Contains("theory"));
  CHECK_THAT(errors_of(scenario_with("  interval: 4\n  interval_constant: 2\n  lr: 0.1\n")),
             Contains("algorithm.interval_constant"));
  CHECK_THAT(errors_of(scenario_with("  interval: 4\n  lr: 0.1\n  lr_constant: 2\n")),
             Contains("algorithm.lr_constant"));
  CHECK_THAT(errors_of(scenario_with("  interval: theory\n  lr: theory\n  lr_constant: 0\n")),
             Contains("algorithm.lr_constant"));
  CHECK_THAT(errors_of(scenario_with("  interval: {kind: adaptive, initial: 4}\n  lr: 0.1\n"),
                       {"network.overlap=true"}),
             Contains("algorithm.interval") && Contains("overlap"));
}

TEST_CASE("a run with interval: theory records the resolved I and lr in summary.json",
          "[sim][schedule]") {
  sgdsim::testing::TempDir dir("interval_schedule_test");
  const auto scenario = sgdsim::load_scenario_text(
      scenario_with("  interval: theory\n  lr: theory\n  batch_size: 8\n", 2, 128), "test.yaml");
  sgdsim::RunOptions options;
  options.out_dir = (dir / "out").string();
  options.quiet = true;
  (void)sgdsim::run_scenario(scenario, options);
  std::ifstream in(dir / "out" / "summary.json");
  const auto summary = nlohmann::json::parse(in);
  CHECK(summary["status"] == "ok");
  CHECK(summary["interval"] == 2);
  CHECK(summary["lr"].get<double>() == Approx(0.125));
  CHECK(summary["interval_schedule"] == "theory: every 2 steps (c_I = 1)");
  CHECK(summary["comm_rounds"] == 64);
  CHECK(summary["scenario"]["algorithm"]["interval"] == "theory");
}

TEST_CASE("runs with post_local and adaptive schedules average when the schedule says",
          "[sim][schedule]") {
  sgdsim::testing::TempDir dir("interval_schedule_test");
  sgdsim::RunOptions options;
  options.quiet = true;
  const auto run = [&](const std::string& interval, const std::string& out) {
    options.out_dir = (dir / out).string();
    (void)sgdsim::run_scenario(
        sgdsim::load_scenario_text(
            scenario_with("  interval: " + interval + "\n  lr: 0.1\n  batch_size: 8\n"),
            "test.yaml"),
        options);
    std::ifstream in(dir / out / "summary.json");
    return nlohmann::json::parse(in);
  };
  const auto post = run("{kind: post_local, switch_step: 10, interval: 8}", "post");
  CHECK(post["interval"].is_null());
  CHECK(post["comm_rounds"] == 10 + 3 + 1);  // 1..10, 18, 26, 34, 40
  const auto adaptive = run("{kind: adaptive, initial: 8, minimum: 2}", "adaptive");
  CHECK(adaptive["status"] == "ok");
  CHECK(adaptive["comm_rounds"].get<int>() >= 5);  // 40 / 8, more once the loss falls
}
