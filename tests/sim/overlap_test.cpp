// Averaging that overlaps with local steps: its time hides behind compute when it is shorter than
// I steps, the math keeps the progress made meanwhile, and the last average is exact.
#include <catch2/catch.hpp>

#include "sim/algorithms/local_sgd.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/run/averaged_model_probe.hpp"
#include "sim/run/synchronous_run.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "tests/support/synthetic_problem.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sgdsim::SimTime;

SimTime ms(std::int64_t value) {
  return SimTime::from_ns(value * 1'000'000);
}

const sgdsim::testing::SyntheticProblemOptions kOptions{
    .test_samples = 0, .data_seed = 15, .partition_seed = 16, .init_seed = 17, .run_seed = 18};

struct Outcome {
  sgdsim::RunResult result;
  std::vector<Eigen::VectorXd> replicas;
  SimTime round_time;
};

// N workers, I = 4, T = 40 steps of 10 ms; a ring whose rounds take 2(N−1)·latency (bandwidth
// too high to matter).
Outcome simulate(int workers, SimTime latency, bool overlap) {
  const sgdsim::testing::SyntheticProblem<double> problem(kOptions);
  sgdsim::AlgorithmSpec spec;
  spec.interval = 4;
  spec.lr = 0.2;
  spec.batch_size = 8;
  sgdsim::LocalSgd<double> algorithm(problem.training(workers, 40), spec);
  sgdsim::ComputeSpec compute_spec;
  compute_spec.kind = "constant";
  compute_spec.mean = ms(10);
  sgdsim::ComputeModel compute(compute_spec, workers, 1);
  sgdsim::NetworkSpec network_spec;
  network_spec.link.latency = latency;
  network_spec.link.bytes_per_second = 1e30;
  sgdsim::Network network(network_spec, workers);
  sgdsim::ClusterTiming timing{&compute, &network, algorithm.rounds().payload_bytes(), nullptr,
                               overlap};
  sgdsim::RunObserver quiet;
  sgdsim::AveragedModelProbe<double> probe(algorithm);
  sgdsim::SynchronousRun run(algorithm, probe, timing, 10, quiet);
  Outcome outcome{run.run(), {}, {}};
  for (int w = 0; w < workers; ++w) outcome.replicas.push_back(algorithm.replica(w));
  outcome.round_time =
      network.allreduce_cost(sgdsim::all_workers(workers), algorithm.rounds().payload_bytes())
          ->duration;
  return outcome;
}

void check_times_add_up(const sgdsim::RunResult& result) {
  for (std::size_t w = 0; w < result.workers.size(); ++w) {
    const auto& t = result.workers[w];
    CHECK((t.compute + t.communication + t.idle + result.extras(w).down).ns() ==
          result.sim_time.ns());
  }
}

}  // namespace

TEST_CASE("overlapped rounds shorter than I steps hide: sim time is T·c plus the last round",
          "[sim][overlap]") {
  const auto overlapped = simulate(4, ms(1), true);  // a round takes 6 ms < I·c = 40 ms
  const auto blocking = simulate(4, ms(1), false);
  REQUIRE(overlapped.round_time == ms(6));
  CHECK(overlapped.result.sim_time == ms(400) + overlapped.round_time);
  CHECK(blocking.result.sim_time == ms(400) + SimTime::from_ns(10 * blocking.round_time.ns()));
  CHECK(overlapped.result.comm_rounds == 10);
  for (std::size_t w = 0; w < overlapped.result.workers.size(); ++w) {
    // Only the last round is exposed; each of 9 averages lands one step after it was sent.
    CHECK(overlapped.result.workers[w].communication == overlapped.round_time);
    CHECK(overlapped.result.extras(w).stale_steps == 9);
  }
  check_times_add_up(overlapped.result);
}

TEST_CASE("overlapped rounds longer than I steps pace the run: I·c + R·d", "[sim][overlap]") {
  // A round takes 60 ms > I·c = 40 ms: workers wait at each next round's step for the previous
  // average, so rounds follow each other back to back after the first I steps.
  const auto overlapped = simulate(4, ms(10), true);
  REQUIRE(overlapped.round_time == ms(60));
  CHECK(overlapped.result.sim_time == ms(40) + SimTime::from_ns(10 * overlapped.round_time.ns()));
  for (std::size_t w = 0; w < overlapped.result.workers.size(); ++w) {
    CHECK(overlapped.result.extras(w).stale_steps == 9 * 4);
  }
  check_times_add_up(overlapped.result);
}

TEST_CASE("after the last overlapped round every replica is the exact average", "[sim][overlap]") {
  const auto overlapped = simulate(4, ms(1), true);
  for (std::size_t w = 1; w < overlapped.replicas.size(); ++w) {
    CHECK(overlapped.replicas[w] == overlapped.replicas[0]);
  }
  // Staleness changes the trajectory, so the result differs from blocking averaging.
  const auto blocking = simulate(4, ms(1), false);
  CHECK(overlapped.replicas[0] != blocking.replicas[0]);
}

TEST_CASE("with one worker, overlapped averaging is plain SGD like blocking averaging",
          "[sim][overlap]") {
  const auto overlapped = simulate(1, ms(1), true);
  const auto blocking = simulate(1, ms(1), false);
  CHECK(overlapped.replicas[0] == blocking.replicas[0]);
  CHECK(overlapped.result.last_metrics->model.train_loss ==
        blocking.result.last_metrics->model.train_loss);
}

TEST_CASE("overlap with failing workers is refused when the scenario is read, at the key",
          "[sim][overlap][scenario]") {
  const std::string text =
      "workers: 2\nsteps: 8\nalgorithm: {kind: local_sgd, interval: 2, lr: 0.1, batch_size: 4}\n"
      "model: {kind: softmax}\ndata: {kind: synthetic, samples: 64, classes: 3}\n"
      "network: {overlap: true}\navailability: {mtbf: 10s, repair: 1s}\n";
  // Refused by the loader, so `validate`, `run` and a sweep's planning all refuse it.
  CHECK_THROWS_WITH(sgdsim::load_scenario_text(text, "both.yaml"),
                    Catch::Contains("both.yaml:6:") && Catch::Contains("network.overlap") &&
                        Catch::Contains("failing workers"));
}

TEST_CASE(
    "with overlap the momentum buffers stay local: payload one model, explicit average "
    "refused",
    "[sim][overlap][scenario]") {
  const std::string base =
      "workers: 2\nsteps: 8\nalgorithm: {kind: local_sgd, interval: 2, lr: 0.1, batch_size: 4, "
      "momentum: 0.9}\nmodel: {kind: softmax}\ndata: {kind: synthetic, samples: 64, classes: "
      "3, features: 5}\nnetwork: {overlap: true}\noutput: {trace: false}\n";
  const auto scenario = sgdsim::load_scenario_text(base, "overlap.yaml");
  CHECK(scenario.algorithm.momentum_sync == sgdsim::MomentumSync::local);
  CHECK(sgdsim::scenario_to_json(scenario)["algorithm"]["momentum_sync"] == "local");
  sgdsim::testing::TempDir dir("overlap_momentum");
  sgdsim::RunOptions options;
  options.out_dir = (dir / "out").string();
  options.quiet = true;
  const auto outcome = sgdsim::run_scenario(scenario, options);
  const double model_bytes = static_cast<double>(outcome.facts.parameters) * 4;  // float32
  CHECK(outcome.facts.payload_bytes == model_bytes);  // not ×2: buffers are not averaged
  CHECK(outcome.summary["bytes_sent"].get<double>() > 0);
  // Without overlap the default averages the buffers and sends them with the model.
  const auto blocking =
      sgdsim::load_scenario_text(base, "blocking.yaml", {"network.overlap=false"});
  CHECK(blocking.algorithm.momentum_sync == sgdsim::MomentumSync::average);

  for (const char* sync : {"average", "reset"}) {
    INFO(sync);
    CHECK_THROWS_WITH(sgdsim::load_scenario_text(base, "overlap.yaml",
                                                 {std::string("algorithm.momentum_sync=") + sync}),
                      Catch::Contains("algorithm.momentum_sync") &&
                          Catch::Contains("network.overlap") && Catch::Contains("use local"));
  }
}
