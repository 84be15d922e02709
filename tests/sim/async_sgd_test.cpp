// Asynchronous parameter-server SGD (AsyncSgd driven by AsyncRun): staleness against a hand-made
// event order, one worker against plain SGD, per-worker time accounting, determinism, the server
// link's FIFO queue against its closed form, divergence and interruption, and a scenario end to
// end.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sim/algorithms/async_sgd.hpp"
#include "sim/algorithms/local_sgd.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/run/async_run.hpp"
#include "sim/run/averaged_model_probe.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/scenario/scenario.hpp"
#include "tests/support/files.hpp"
#include "tests/support/synthetic_problem.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sgdsim::AlgorithmSpec;
using sgdsim::RunResult;
using sgdsim::RunStatus;
using sgdsim::SimTime;

// Softmax regression on 400 samples of 5 features and 3 classes (18 parameters), in float64.
const sgdsim::testing::SyntheticProblemOptions kProblemOptions{
    .test_samples = 100, .data_seed = 4, .partition_seed = 6, .init_seed = 8, .run_seed = 13};
constexpr double kPayloadBytes = 18 * 8;

constexpr auto ms = [](std::int64_t n) { return SimTime::from_ns(n * 1'000'000); };
constexpr auto us = [](std::int64_t n) { return SimTime::from_ns(n * 1'000); };

struct Applied {
  int worker;
  std::int64_t step;
  std::int64_t staleness;
  bool operator==(const Applied&) const = default;
};

// Forwards to AsyncSgd and records every update the run applies.
class RecordingAsyncSgd final : public sgdsim::AsyncAlgorithm {
 public:
  RecordingAsyncSgd(sgdsim::TrainingProblem<double> problem, const AlgorithmSpec& spec)
      : inner_(std::move(problem), spec) {}
  int workers() const override { return inner_.workers(); }
  std::int64_t steps() const override { return inner_.steps(); }
  void pull(int worker) override { inner_.pull(worker); }
  bool compute_gradient(int worker) override { return inner_.compute_gradient(worker); }
  sgdsim::AppliedUpdate apply(int worker, std::int64_t step) override {
    const sgdsim::AppliedUpdate update = inner_.apply(worker, step);
    applied.push_back({worker, step, update.staleness});
    return update;
  }
  std::int64_t version() const override { return inner_.version(); }
  sgdsim::ModelMetrics evaluate() const override { return inner_.evaluate(); }
  double payload_bytes() const override { return inner_.payload_bytes(); }
  void write_model(std::ostream& out) const override { inner_.write_model(out); }
  std::vector<double> model() const override { return inner_.model(); }

  std::vector<Applied> applied;

 private:
  sgdsim::AsyncSgd<double> inner_;
};

class Recorder final : public sgdsim::RunObserver {
 public:
  struct Span {
    int worker;
    SimTime start, end;
  };
  void on_compute(int worker, std::int64_t, SimTime start, SimTime end) override {
    computes.push_back({worker, start, end});
  }
  void on_wait(int worker, SimTime start, SimTime end) override {
    waits.push_back({worker, start, end});
  }
  void on_metrics(const sgdsim::MetricsRow& row) override { rows.push_back(row); }

  std::vector<Span> computes, waits;
  std::vector<sgdsim::MetricsRow> rows;
};

struct AsyncSetup {
  int workers = 3;
  std::int64_t steps = 4;
  std::int64_t eval_every = 1;
  double lr = 0.1;
  sgdsim::LrSchedule lr_schedule;
  std::string compute_kind = "constant";
  SimTime step_time = ms(10);
  double sigma = 0.0;
  std::vector<double> speed_factors;
  std::uint64_t compute_seed = 5;
  std::string model = "softmax";
  SimTime latency;                 // of every link, the server's too
  double bytes_per_second = 1e18;  // a fast network: every message takes 0 ns
  const std::atomic<bool>* stop = nullptr;
};

struct AsyncRecord {
  RunResult result;
  Recorder recorder;
  std::vector<Applied> applied;
  std::string model;
  sgdsim::ResourceTable resources;
};

AlgorithmSpec spec_of(const AsyncSetup& setup) {
  AlgorithmSpec spec;
  spec.kind = sgdsim::AlgorithmKind::async_sgd;
  spec.lr = setup.lr;
  spec.lr_schedule = setup.lr_schedule;
  spec.batch_size = 8;
  return spec;
}

std::unique_ptr<AsyncRecord> simulate(const AsyncSetup& setup) {
  const sgdsim::testing::SyntheticProblem<double> problem(kProblemOptions, setup.model);
  RecordingAsyncSgd algorithm(problem.training(setup.workers, setup.steps), spec_of(setup));
  sgdsim::ComputeSpec compute_spec;
  compute_spec.kind = setup.compute_kind;
  compute_spec.mean = setup.step_time;
  compute_spec.sigma = setup.sigma;
  compute_spec.speed_factors = setup.speed_factors;
  sgdsim::ComputeModel compute(compute_spec, setup.workers, setup.compute_seed);
  sgdsim::NetworkSpec network_spec;
  network_spec.collective = "parameter_server";
  network_spec.link = {setup.latency, setup.bytes_per_second};
  sgdsim::Network network(network_spec, setup.workers);
  sgdsim::ClusterTiming timing;
  timing.compute = &compute;
  timing.network = &network;
  timing.payload_bytes = algorithm.payload_bytes();
  auto record = std::make_unique<AsyncRecord>();
  sgdsim::AsyncRun run(algorithm, timing, setup.eval_every, record->recorder, setup.stop);
  record->result = run.run();
  record->applied = algorithm.applied;
  std::ostringstream model;
  algorithm.write_model(model);
  record->model = model.str();
  record->resources = network.resources();
  return record;
}

double resource_bytes(const AsyncRecord& record, const std::string& name) {
  for (std::size_t r = 0; r < record.resources.size(); ++r) {
    if (record.resources.name(r) == name) return record.result.resource_bytes.at(r);
  }
  FAIL("no resource " << name);
  return 0.0;
}

}  // namespace

TEST_CASE("staleness follows the event order of constant step times of 10, 14 and 33 ms",
          "[sim][async]") {
  AsyncSetup setup;  // 3 workers, T = 4: 12 updates; messages take no time
  setup.speed_factors = {1.0, 10.0 / 14.0, 10.0 / 33.0};
  const auto record = simulate(setup);
  const RunResult& r = record->result;
  REQUIRE(r.status == RunStatus::ok);
  // Arrivals at 10 (w0), 14 (w1), 20, 28, 30, 33 (w2), 40, 42, 50, 56, 60, 66 ms. Staleness =
  // updates applied since the worker's pull, which followed its previous update (or time 0).
  const std::vector<Applied> expected = {{0, 1, 0}, {1, 1, 1}, {0, 1, 1}, {1, 2, 1},
                                         {0, 2, 1}, {2, 2, 5}, {0, 3, 1}, {1, 3, 3},
                                         {0, 3, 1}, {1, 4, 1}, {0, 4, 1}, {2, 4, 5}};
  CHECK(record->applied == expected);
  CHECK(r.sim_time == ms(66));
  CHECK(r.comm_rounds == 12);
  const std::vector<std::vector<std::int64_t>> per_worker = {{6, 5, 1}, {4, 6, 3}, {2, 10, 5}};
  for (int w = 0; w < 3; ++w) {  // updates, staleness sum and max
    const auto& extras = r.extras(w);
    CHECK(std::vector<std::int64_t>{r.workers[w].steps, extras.staleness_sum,
                                    extras.staleness_max} == per_worker[w]);
  }
  // A row at step 0 and whenever the updates reach a multiple of N·eval_every = 3.
  const std::vector<SimTime> row_times = {ms(0), ms(20), ms(33), ms(50), ms(66)};
  REQUIRE(record->recorder.rows.size() == row_times.size());
  for (std::size_t i = 0; i < row_times.size(); ++i) {
    CHECK(record->recorder.rows[i].step == static_cast<std::int64_t>(i));
    CHECK(record->recorder.rows[i].time == row_times[i]);
    CHECK(record->recorder.rows[i].comm_rounds == 3 * static_cast<std::int64_t>(i));
  }
}

TEST_CASE("one asynchronous worker is plain SGD bit for bit", "[sim][async]") {
  AsyncSetup setup;
  setup.workers = 1;
  setup.steps = 30;
  setup.eval_every = 5;
  setup.lr_schedule = {"step", 10, 0.5};  // the nominal step must pick each update's γ
  setup.compute_kind = "lognormal";
  setup.sigma = 0.3;
  setup.latency = us(50);
  setup.bytes_per_second = 1.25e9;
  const auto record = simulate(setup);
  REQUIRE(record->result.status == RunStatus::ok);

  const sgdsim::testing::SyntheticProblem<double> problem(kProblemOptions);
  AlgorithmSpec spec = spec_of(setup);
  spec.kind = sgdsim::AlgorithmKind::local_sgd;
  spec.interval = 1;
  sgdsim::LocalSgd<double> sgd(problem.training(1, setup.steps), spec);
  sgdsim::AveragedModelProbe<double> probe(sgd);
  std::vector<sgdsim::ModelMetrics> expected = {probe.measure(0)};
  for (std::int64_t step = 1; step <= setup.steps; ++step) {
    REQUIRE(sgd.local_step(0, step));
    sgd.synchronize(step, {0});
    if (step % setup.eval_every == 0) expected.push_back(probe.measure(step));
  }
  const auto& rows = record->recorder.rows;
  REQUIRE(rows.size() == expected.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("row " << i);
    CHECK(rows[i].step == static_cast<std::int64_t>(i) * setup.eval_every);
    CHECK(rows[i].model.train_loss == expected[i].train_loss);
    CHECK(rows[i].model.grad_norm_sq == expected[i].grad_norm_sq);
    CHECK(rows[i].model.test_loss == expected[i].test_loss);
  }
  CHECK(rows.back().model.train_loss < rows.front().model.train_loss);
  std::ostringstream model;
  probe.write_model(model);
  CHECK(record->model == model.str());
  CHECK(record->result.extras(0).staleness_max == 0);
}

TEST_CASE("per worker, compute + communication + idle equals the simulated time to the ns",
          "[sim][async]") {
  AsyncSetup setup;
  setup.workers = 4;
  setup.steps = 50;
  setup.eval_every = 10;
  setup.compute_kind = "lognormal";
  setup.step_time = ms(1);
  setup.sigma = 0.5;
  setup.speed_factors = {1.0, 0.5, 0.8, 1.3};
  setup.latency = us(50);
  setup.bytes_per_second = 1e6;  // 144 us per message: the server link is often busy
  const auto record = simulate(setup);
  const RunResult& r = record->result;
  REQUIRE(r.status == RunStatus::ok);
  CHECK(r.comm_rounds == 4 * 50);  // all applied, none in flight counted
  SimTime total_idle;
  for (int w = 0; w < 4; ++w) {
    INFO("worker " << w);
    const auto& t = r.workers[w];
    CHECK((t.compute + t.communication + t.idle).ns() == r.sim_time.ns());
    CHECK(t.compute > SimTime::zero());
    CHECK(t.communication > SimTime::zero());
    total_idle += t.idle;
    // The trace's waiting spans are exactly the idle time; compute spans never overlap.
    SimTime waited;
    for (const auto& span : record->recorder.waits) {
      if (span.worker == w) waited += span.end - span.start;
    }
    CHECK(waited == t.idle);
    SimTime previous_end;
    for (const auto& span : record->recorder.computes) {
      if (span.worker != w) continue;
      CHECK(span.start >= previous_end);
      previous_end = span.end;
    }
    CHECK(previous_end <= r.sim_time);
  }
  CHECK(total_idle > SimTime::zero());  // incast at the server did happen
  CHECK(record->recorder.rows.back().step == 50);
  CHECK(record->recorder.rows.back().time == r.sim_time);
}

TEST_CASE("the same seed gives identical asynchronous runs; another seed does not",
          "[sim][async]") {
  AsyncSetup setup;
  setup.workers = 5;
  setup.steps = 20;
  setup.eval_every = 4;
  setup.compute_kind = "lognormal";
  setup.sigma = 0.4;
  setup.latency = us(50);
  setup.bytes_per_second = 1e6;
  const auto a = simulate(setup);
  const auto b = simulate(setup);
  CHECK(a->result.sim_time == b->result.sim_time);
  CHECK(a->applied == b->applied);
  CHECK(a->model == b->model);
  REQUIRE(a->recorder.rows.size() == b->recorder.rows.size());
  for (std::size_t i = 0; i < a->recorder.rows.size(); ++i) {
    CHECK(a->recorder.rows[i].time == b->recorder.rows[i].time);
    CHECK(a->recorder.rows[i].model.train_loss == b->recorder.rows[i].model.train_loss);
  }
  setup.compute_seed = 6;
  const auto c = simulate(setup);
  CHECK(c->result.sim_time != a->result.sim_time);
  CHECK(c->model != a->model);
}

TEST_CASE("with compute c < (N-2)t the server queue stays busy: sim time = (NT + 1)t + c",
          "[sim][async]") {
  // t = α + S/B. Pull k (workers take turns) holds the server's tx during [kt, (k+1)t]; its push
  // holds the rx during [(k+1)t + c, (k+2)t + c], so update k+1 lands at (k+2)t + c. A worker's
  // first update is w stale, every later one N−1 (the other workers each applied one meanwhile).
  for (const int workers : {3, 4, 8}) {
    INFO(workers << " workers");
    AsyncSetup setup;
    setup.workers = workers;
    setup.steps = 5;
    setup.eval_every = 0;
    setup.step_time = us(1);
    setup.latency = us(10);
    setup.bytes_per_second = kPayloadBytes * 1e6;  // S/B = 1 us
    const auto record = simulate(setup);
    const RunResult& r = record->result;
    REQUIRE(r.status == RunStatus::ok);
    const std::int64_t t_ns = 11'000;
    const std::int64_t updates = workers * setup.steps;
    CHECK(r.sim_time.ns() == (updates + 1) * t_ns + 1'000);
    for (int w = 0; w < workers; ++w) {
      CHECK(r.workers[w].steps == setup.steps);
      CHECK(r.extras(w).staleness_sum == w + (setup.steps - 1) * (workers - 1));
      CHECK(r.extras(w).staleness_max == workers - 1);
    }
    // Every push arrived; the pulls that completed are the N·T answered ones and one more.
    CHECK(resource_bytes(*record, "server rx") == updates * kPayloadBytes);
    CHECK(resource_bytes(*record, "server tx") == (updates + 1) * kPayloadBytes);
    CHECK(r.bytes_sent == (2 * updates + 1) * kPayloadBytes);
    REQUIRE(record->recorder.rows.size() == 2);  // step 0 and the end
    CHECK(record->recorder.rows.back().comm_rounds == updates);
  }
}

TEST_CASE("a diverging asynchronous run stops with the step and worker; a stop request interrupts",
          "[sim][async]") {
  AsyncSetup setup;
  setup.workers = 3;
  setup.steps = 200;
  setup.model = "least_squares";
  setup.lr = 1e10;       // x grows ~1e10-fold per update
  setup.eval_every = 0;  // caught by a gradient or an update, not by a measurement
  setup.speed_factors = {1.0, 10.0 / 14.0, 10.0 / 33.0};
  const auto diverged = simulate(setup);
  CHECK(diverged->result.status == RunStatus::diverged);
  CHECK(diverged->result.diverged_worker >= 0);
  CHECK(diverged->result.diverged_step >= 1);
  CHECK(diverged->result.comm_rounds < 3 * 200);

  setup.lr = 0.01;
  const std::atomic<bool> stop{true};
  setup.stop = &stop;
  const auto interrupted = simulate(setup);
  CHECK(interrupted->result.status == RunStatus::interrupted);
  CHECK(interrupted->result.comm_rounds == 0);
  for (const auto& t : interrupted->result.workers) {
    CHECK((t.compute + t.communication + t.idle) == interrupted->result.sim_time);
  }
}

TEST_CASE("an async_sgd scenario runs end to end and reports staleness per worker",
          "[sim][async][run_scenario]") {
  const std::string text = R"(name: tiny_async
seed: 3
workers: 4
steps: 30
precision: float64
algorithm: {kind: async_sgd, lr: 0.1, batch_size: 8}
model: {kind: softmax}
data: {kind: synthetic, samples: 400, test_samples: 100, features: 5, classes: 3}
compute: {kind: lognormal, mean: 1ms, sigma: 0.3}
network: {latency: 50us, bandwidth: 10Mbps}
eval: {every: 10}
)";
  sgdsim::testing::TempDir dir("async_sgd_test");
  sgdsim::RunOptions options;
  options.out_dir = (dir / "out").string();
  options.quiet = true;
  const auto outcome = sgdsim::run_scenario(sgdsim::load_scenario_text(text, "t.yaml"), options);
  CHECK(outcome.result.status == RunStatus::ok);
  const auto summary =
      nlohmann::json::parse(sgdsim::testing::read_file(dir / "out" / "summary.json"));
  CHECK(summary["algorithm"] == "async_sgd");
  CHECK(summary["comm_rounds"] == 4 * 30);
  CHECK(summary["final_step"] == 30);
  double staleness = 0.0;
  for (const auto& worker : summary["per_worker"])
    staleness += worker["mean_staleness"].get<double>();
  CHECK(staleness > 0.0);
  const std::string metrics = sgdsim::testing::read_file(dir / "out" / "metrics.csv");
  CHECK(std::count(metrics.begin(), metrics.end(), '\n') == 1 + 4);  // header, steps 0,10,20,30
  const std::string model = sgdsim::testing::read_file(dir / "out" / "model.csv");
  CHECK(std::count(model.begin(), model.end(), '\n') == 1 + 18);
  CHECK_NOTHROW(nlohmann::json::parse(sgdsim::testing::read_file(dir / "out" / "trace.json")));
}
