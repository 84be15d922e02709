// SynchronousRun drives local SGD through simulated time: totals against the closed form of a
// constant-compute cluster on a ring, per-worker time accounting, stragglers, metrics rows and
// divergence.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/algorithms/local_sgd.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/run/averaged_model_probe.hpp"
#include "sim/run/run_observer.hpp"
#include "sim/run/synchronous_run.hpp"
#include "tests/support/synthetic_problem.hpp"

namespace {

using sgdsim::AlgorithmSpec;
using sgdsim::ComputeModel;
using sgdsim::ComputeSpec;
using sgdsim::LocalSgd;
using sgdsim::RunResult;
using sgdsim::RunStatus;
using sgdsim::SimTime;

constexpr std::int64_t kStepNs = 30'000'000;  // c: 30 ms per local step
constexpr std::int64_t kLatencyNs = 50'000;   // α: 50 us
constexpr double kBandwidth = 1.25e9;         // B: 10 Gb/s

// The seeds of this file's runs; the problem is softmax regression (or least squares) on 400
// samples of 5 features and 3 classes, in float64.
const sgdsim::testing::SyntheticProblemOptions kProblemOptions{
    .test_samples = 0, .data_seed = 3, .partition_seed = 1, .init_seed = 2, .run_seed = 11};

class Recorder final : public sgdsim::RunObserver {
 public:
  struct Span {
    int worker;
    std::int64_t step;
    SimTime start, end;
  };
  void on_compute(int worker, std::int64_t step, SimTime start, SimTime end) override {
    computes.push_back({worker, step, start, end});
    if (stop_after > 0 && static_cast<std::int64_t>(computes.size()) == stop_after) {
      stop->store(true);
    }
  }
  void on_wait(int worker, SimTime start, SimTime end) override {
    waits.push_back({worker, 0, start, end});
  }
  void on_collective(std::int64_t round, SimTime start, const sgdsim::CollectiveCost& cost,
                     const std::vector<int>& /*participants*/) override {
    collective_rounds.push_back(round);
    collective_starts.push_back(start);
    collective_durations.push_back(cost.duration);
  }
  void on_metrics(const sgdsim::MetricsRow& row) override { rows.push_back(row); }

  std::vector<Span> computes, waits;
  std::vector<std::int64_t> collective_rounds;
  std::vector<SimTime> collective_starts, collective_durations;
  std::vector<sgdsim::MetricsRow> rows;
  std::atomic<bool>* stop = nullptr;  // set once `stop_after` local steps have completed
  std::int64_t stop_after = 0;
};

struct RunSetup {
  int workers = 4;
  std::int64_t steps = 40;
  std::int64_t interval = 4;
  std::int64_t eval_every = 10;
  double lr = 0.1;
  std::vector<double> speed_factors;
  std::string compute_kind = "constant";
  std::string collective = "ring_allreduce";
  std::string model = "softmax";
  std::atomic<bool>* stop = nullptr;
  std::int64_t stop_after_computes = 0;  // > 0: `stop` is set once this many steps completed
};

struct RunRecord {
  RunResult result;
  Recorder recorder;
  double payload_bytes = 0.0;
};

std::unique_ptr<RunRecord> simulate(const RunSetup& setup) {
  const sgdsim::testing::SyntheticProblem<double> problem(kProblemOptions, setup.model);
  AlgorithmSpec spec;
  spec.interval = setup.interval;
  spec.lr = setup.lr;
  spec.batch_size = 8;
  LocalSgd<double> algorithm(problem.training(setup.workers, setup.steps), spec);
  ComputeSpec compute_spec;
  compute_spec.kind = setup.compute_kind;
  compute_spec.mean = SimTime::from_ns(kStepNs);
  compute_spec.sigma = setup.compute_kind == "lognormal" ? 0.3 : 0.0;
  compute_spec.speed_factors = setup.speed_factors;
  ComputeModel compute(compute_spec, setup.workers, 5);
  sgdsim::NetworkSpec network_spec;
  network_spec.collective = setup.collective;
  network_spec.link.latency = SimTime::from_ns(kLatencyNs);
  network_spec.link.bytes_per_second = kBandwidth;
  sgdsim::Network network(network_spec, setup.workers);
  sgdsim::ClusterTiming timing;
  timing.compute = &compute;
  timing.network = &network;
  timing.payload_bytes = algorithm.rounds().payload_bytes();
  auto record = std::make_unique<RunRecord>();
  record->payload_bytes = timing.payload_bytes;
  record->recorder.stop = setup.stop;
  record->recorder.stop_after = setup.stop_after_computes;
  sgdsim::AveragedModelProbe<double> probe(algorithm);
  sgdsim::SynchronousRun run(algorithm, probe, timing, setup.eval_every, record->recorder,
                             setup.stop);
  record->result = run.run();
  return record;
}

// 2(N−1)α + 2(N−1)/N·S/B, in nanoseconds.
double ring_ns(int workers, double payload_bytes) {
  const double n = workers;
  return 2 * (n - 1) * static_cast<double>(kLatencyNs) +
         2 * (n - 1) / n * payload_bytes / kBandwidth * 1e9;
}

}  // namespace

TEST_CASE("with constant compute on a ring, sim time is T·c + (T/I)·t_ring", "[sim][run]") {
  RunSetup setup;
  setup.workers = 4;
  setup.steps = 40;
  setup.interval = 4;
  const auto record = simulate(setup);
  const RunResult& r = record->result;
  REQUIRE(r.status == RunStatus::ok);
  REQUIRE(record->payload_bytes == 18 * 8);  // softmax 6×3 parameters in float64
  const std::int64_t rounds = 40 / 4;
  const double expected_ns =
      40.0 * static_cast<double>(kStepNs) + rounds * ring_ns(4, record->payload_bytes);
  CHECK(std::abs(static_cast<double>(r.sim_time.ns()) - expected_ns) <= rounds * 2.0);
  CHECK(r.comm_rounds == rounds);
  CHECK(r.bytes_sent == Approx(rounds * 2.0 * (4 - 1) * record->payload_bytes).epsilon(1e-12));
  for (const auto& w : r.workers) CHECK(w.steps == 40);
}

TEST_CASE("when I does not divide T there are ceil(T/I) rounds, the last after step T",
          "[sim][run]") {
  for (const std::int64_t interval : {3, 7, 40}) {
    INFO("interval " << interval);
    RunSetup setup;
    setup.workers = 3;
    setup.steps = 40;
    setup.interval = interval;
    const auto record = simulate(setup);
    const RunResult& r = record->result;
    const std::int64_t rounds = (40 + interval - 1) / interval;
    CHECK(r.comm_rounds == rounds);
    const double expected_ns =
        40.0 * static_cast<double>(kStepNs) + rounds * ring_ns(3, record->payload_bytes);
    CHECK(std::abs(static_cast<double>(r.sim_time.ns()) - expected_ns) <= rounds * 2.0);
    REQUIRE(record->recorder.collective_rounds.size() == static_cast<std::size_t>(rounds));
    for (std::int64_t i = 0; i < rounds; ++i) CHECK(record->recorder.collective_rounds[i] == i + 1);
  }
}

TEST_CASE("a parameter-server run takes T·c plus its own closed form per round", "[sim][run]") {
  RunSetup setup;
  setup.workers = 4;
  setup.steps = 20;
  setup.interval = 5;
  setup.collective = "parameter_server";
  const auto record = simulate(setup);
  const double server_ns =
      2 * (static_cast<double>(kLatencyNs) + 4 * record->payload_bytes / kBandwidth * 1e9);
  const double expected_ns = 20.0 * static_cast<double>(kStepNs) + 4 * server_ns;
  CHECK(std::abs(static_cast<double>(record->result.sim_time.ns()) - expected_ns) <= 4 * 2.0);
}

TEST_CASE("every worker's compute + communication + idle equals the simulated time", "[sim][run]") {
  for (const std::string kind : {"constant", "lognormal"}) {
    SECTION(kind) {
      RunSetup setup;
      setup.compute_kind = kind;
      setup.workers = 4;
      setup.interval = 3;
      if (kind == "constant") setup.speed_factors = {1.0, 0.5, 2.0, 0.8};
      const auto record = simulate(setup);
      const RunResult& r = record->result;
      REQUIRE(r.status == RunStatus::ok);
      REQUIRE(r.workers.size() == 4);
      CHECK(r.worker_extras.empty());  // no failures, sampling, overlap or extra steps: no zeros
      for (std::size_t w = 0; w < r.workers.size(); ++w) {
        INFO("worker " << w);
        const auto& t = r.workers[w];
        CHECK((t.compute + t.communication + t.idle).ns() == r.sim_time.ns());
        SimTime waited;
        for (const auto& span : record->recorder.waits) {
          if (span.worker == static_cast<int>(w)) waited += span.end - span.start;
        }
        CHECK(waited == t.idle);
      }
    }
  }
}

TEST_CASE("with speeds [1, 0.5] the fast worker idles T·c and the slow one never waits",
          "[sim][run]") {
  RunSetup setup;
  setup.workers = 2;
  setup.steps = 40;
  setup.interval = 4;
  setup.speed_factors = {1.0, 0.5};
  const auto record = simulate(setup);
  const RunResult& r = record->result;
  REQUIRE(r.status == RunStatus::ok);
  CHECK(std::abs(r.workers[0].idle.ns() - 40 * kStepNs) <= 1);
  CHECK(r.workers[1].idle.ns() == 0);
  CHECK(r.workers[0].compute.ns() == 40 * kStepNs);
  CHECK(r.workers[1].compute.ns() == 2 * 40 * kStepNs);
  // The run takes as long as the slow worker's compute plus the rounds.
  const double expected_ns =
      80.0 * static_cast<double>(kStepNs) + 10 * ring_ns(2, record->payload_bytes);
  CHECK(std::abs(static_cast<double>(r.sim_time.ns()) - expected_ns) <= 10 * 2.0);
}

TEST_CASE("local steps of a worker are back to back, and rounds start when the last arrives",
          "[sim][run]") {
  RunSetup setup;
  setup.workers = 3;
  setup.steps = 12;
  setup.interval = 4;
  setup.compute_kind = "lognormal";
  const auto record = simulate(setup);
  const Recorder& rec = record->recorder;
  REQUIRE(rec.computes.size() == 3 * 12);
  REQUIRE(rec.collective_starts.size() == 3);
  for (int w = 0; w < 3; ++w) {
    std::vector<Recorder::Span> mine;
    for (const auto& span : rec.computes) {
      if (span.worker == w) mine.push_back(span);
    }
    REQUIRE(mine.size() == 12);
    for (std::size_t i = 0; i < mine.size(); ++i) {
      CHECK(mine[i].step == static_cast<std::int64_t>(i + 1));
      CHECK(mine[i].end > mine[i].start);
      if (i == 0) continue;
      if (i % 4 == 0) {  // first step of a new period: starts when the round ends
        const std::size_t round = i / 4 - 1;
        CHECK(mine[i].start == rec.collective_starts[round] + rec.collective_durations[round]);
      } else {
        CHECK(mine[i].start == mine[i - 1].end);
      }
    }
  }
  for (std::size_t round = 0; round < 3; ++round) {
    SimTime last_arrival;
    for (const auto& span : rec.computes) {
      if (span.step == static_cast<std::int64_t>(4 * (round + 1))) {
        last_arrival = std::max(last_arrival, span.end);
      }
    }
    CHECK(rec.collective_starts[round] == last_arrival);
  }
}

TEST_CASE("metrics rows come at steps 0, every, 2·every, ..., T in increasing order",
          "[sim][run]") {
  SECTION("every divides T") {
    RunSetup setup;
    setup.steps = 40;
    setup.interval = 4;
    setup.eval_every = 10;  // 10 and 30 fall between rounds, 20 and 40 on them
    const auto record = simulate(setup);
    const auto& rows = record->recorder.rows;
    std::vector<std::int64_t> steps;
    for (const auto& row : rows) steps.push_back(row.step);
    CHECK(steps == std::vector<std::int64_t>{0, 10, 20, 30, 40});
    for (std::size_t i = 1; i < rows.size(); ++i) {
      CHECK(rows[i].time >= rows[i - 1].time);
      CHECK(rows[i].comm_rounds >= rows[i - 1].comm_rounds);
    }
    CHECK(rows.front().time == SimTime::zero());
    CHECK(rows.front().comm_rounds == 0);
    CHECK(rows.back().time == record->result.sim_time);
    CHECK(rows.back().comm_rounds == 10);
    CHECK(rows[2].comm_rounds == 5);  // step 20 is measured after its round
    REQUIRE(record->result.last_metrics.has_value());
    CHECK(record->result.last_metrics->step == 40);
    CHECK(rows.back().model.train_loss < rows.front().model.train_loss);
  }
  SECTION("every does not divide T") {
    RunSetup setup;
    setup.steps = 40;
    setup.interval = 8;
    setup.eval_every = 15;
    const auto record = simulate(setup);
    std::vector<std::int64_t> steps;
    for (const auto& row : record->recorder.rows) steps.push_back(row.step);
    CHECK(steps == std::vector<std::int64_t>{0, 15, 30, 40});
  }
  SECTION("every 0 measures only the start and the end") {
    RunSetup setup;
    setup.eval_every = 0;
    const auto record = simulate(setup);
    std::vector<std::int64_t> steps;
    for (const auto& row : record->recorder.rows) steps.push_back(row.step);
    CHECK(steps == std::vector<std::int64_t>{0, 40});
  }
}

TEST_CASE("a run is deterministic: same inputs, same times, events and metrics", "[sim][run]") {
  RunSetup setup;
  setup.compute_kind = "lognormal";
  setup.interval = 3;
  const auto a = simulate(setup);
  const auto b = simulate(setup);
  CHECK(a->result.sim_time == b->result.sim_time);
  CHECK(a->result.events == b->result.events);
  REQUIRE(a->recorder.rows.size() == b->recorder.rows.size());
  for (std::size_t i = 0; i < a->recorder.rows.size(); ++i) {
    CHECK(a->recorder.rows[i].time == b->recorder.rows[i].time);
    CHECK(a->recorder.rows[i].model.train_loss == b->recorder.rows[i].model.train_loss);
  }
}

TEST_CASE("a run with lr = 1e6 is reported as diverged at a step after 0", "[sim][run]") {
  RunSetup setup;
  setup.model = "least_squares";
  setup.workers = 2;
  setup.steps = 400;
  setup.interval = 4;
  setup.lr = 1e6;
  const auto record = simulate(setup);
  const RunResult& r = record->result;
  CHECK(r.status == RunStatus::diverged);
  CHECK(r.diverged_step > 0);
  CHECK(r.diverged_step <= 400);
  CHECK(std::string(sgdsim::to_string(r.status)) == "diverged");
  for (const auto& row : record->recorder.rows) CHECK(row.model.finite());
}

TEST_CASE("per-worker times still add up to the simulated time when a run diverges", "[sim][run]") {
  // Workers whose step was in flight when another diverged never finished it: its time counts as
  // compute up to the simulated time, as an asynchronous run counts it, so that summary.json's
  // fractions add up to 1.
  RunSetup setup;
  setup.model = "least_squares";
  setup.compute_kind = "lognormal";
  setup.workers = 4;
  setup.steps = 400;
  setup.interval = 4;
  setup.lr = 1e6;
  const auto record = simulate(setup);
  const RunResult& r = record->result;
  REQUIRE(r.status == RunStatus::diverged);
  for (std::size_t w = 0; w < r.workers.size(); ++w) {
    INFO("worker " << w);
    const auto& t = r.workers[w];
    CHECK((t.compute + t.communication + t.idle).ns() == r.sim_time.ns());
  }
}

TEST_CASE("per-worker times add up to the simulated time when a run is interrupted mid-step",
          "[sim][run]") {
  for (const std::int64_t stop_after_events : {7, 40, 333}) {
    std::atomic<bool> stop{false};
    RunSetup setup;
    setup.compute_kind = "lognormal";
    setup.steps = 400;
    setup.stop = &stop;
    setup.stop_after_computes = stop_after_events;
    const auto record = simulate(setup);
    const RunResult& r = record->result;
    REQUIRE(r.status == RunStatus::interrupted);
    for (std::size_t w = 0; w < r.workers.size(); ++w) {
      INFO("stopped after " << stop_after_events << " steps, worker " << w);
      const auto& t = r.workers[w];
      CHECK((t.compute + t.communication + t.idle).ns() == r.sim_time.ns());
    }
  }
}

TEST_CASE("a stop request interrupts the run", "[sim][run]") {
  std::atomic<bool> stop{true};
  RunSetup setup;
  setup.stop = &stop;
  const auto record = simulate(setup);
  CHECK(record->result.status == RunStatus::interrupted);
  CHECK(record->result.comm_rounds == 0);
}
