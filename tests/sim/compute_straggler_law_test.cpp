// The straggler law, through a real SynchronousRun: with I = 1 every step ends at a barrier, so a
// round lasts as long as the slowest of N workers. With iid exponential step times of mean m the
// expected maximum is m·H_N (H_N = 1 + 1/2 + … + 1/N; the maximum of N iid Exp variables is a sum
// of independent Exp variables of means m/N, m/(N−1), …, m).
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/algorithms/local_sgd.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/run/averaged_model_probe.hpp"
#include "sim/run/run_observer.hpp"
#include "sim/run/synchronous_run.hpp"
#include "tests/support/synthetic_problem.hpp"

namespace {

using sgdsim::SimTime;

constexpr std::int64_t kMeanNs = 30'000'000;

class CollectiveRecorder final : public sgdsim::RunObserver {
 public:
  void on_collective(std::int64_t, SimTime start, const sgdsim::CollectiveCost& cost,
                     const std::vector<int>&) override {
    starts.push_back(start);
    durations.push_back(cost.duration);
  }
  std::vector<SimTime> starts, durations;
};

double harmonic(int n) {
  double h = 0.0;
  for (int i = 1; i <= n; ++i) h += 1.0 / i;
  return h;
}

// The mean time from the start of a round (time 0, or the end of the previous collective) to the
// start of its collective: the slowest worker's step, the collective's own time excluded exactly.
double mean_round_compute_ns(const sgdsim::ComputeSpec& compute_spec, int workers,
                             std::int64_t steps) {
  const sgdsim::testing::SyntheticProblem<double> problem(
      {.test_samples = 0, .data_seed = 1, .partition_seed = 2, .init_seed = 3, .run_seed = 4},
      "least_squares");
  sgdsim::AlgorithmSpec spec;
  spec.interval = 1;
  spec.lr = 0.01;
  spec.batch_size = 2;
  sgdsim::LocalSgd<double> algorithm(problem.training(workers, steps), spec);
  sgdsim::ComputeModel compute(compute_spec, workers, 2024);
  sgdsim::NetworkSpec network_spec;  // as good as free; its time is subtracted anyway
  network_spec.link.latency = SimTime::zero();
  network_spec.link.bytes_per_second = 1e18;
  sgdsim::Network network(network_spec, workers);
  sgdsim::ClusterTiming timing;
  timing.compute = &compute;
  timing.network = &network;
  timing.payload_bytes = algorithm.rounds().payload_bytes();
  CollectiveRecorder recorder;
  sgdsim::AveragedModelProbe<double> probe(algorithm);
  sgdsim::SynchronousRun run(algorithm, probe, timing, 0, recorder);
  const sgdsim::RunResult result = run.run();
  REQUIRE(result.status == sgdsim::RunStatus::ok);
  REQUIRE(recorder.starts.size() == static_cast<std::size_t>(steps));
  double total_ns = 0.0;
  SimTime round_start = SimTime::zero();
  for (std::size_t r = 0; r < recorder.starts.size(); ++r) {
    total_ns += static_cast<double>((recorder.starts[r] - round_start).ns());
    round_start = recorder.starts[r] + recorder.durations[r];
  }
  CHECK(round_start == result.sim_time);
  return total_ns / static_cast<double>(steps);
}

}  // namespace

TEST_CASE("with I = 1 and exponential steps of mean m, the mean round time tends to m·H_N",
          "[sim][compute][stragglers]") {
  sgdsim::ComputeSpec spec;
  spec.kind = "exponential";
  spec.mean = SimTime::from_ns(kMeanNs);
  for (const int workers : {8, 32}) {
    INFO("N = " << workers);
    const double mean_ns = mean_round_compute_ns(spec, workers, 40'000);
    const double expected_ns = static_cast<double>(kMeanNs) * harmonic(workers);
    INFO("mean round " << mean_ns / 1e6 << " ms, m·H_N " << expected_ns / 1e6 << " ms");
    CHECK(std::abs(mean_ns - expected_ns) / expected_ns < 0.02);
    // Far from the mean m itself: stragglers do show up.
    CHECK(mean_ns > 2.5 * static_cast<double>(kMeanNs));
  }
}

TEST_CASE(
    "with I = 1 and shifted-exponential steps, the mean round time tends to min + (m − min)·H_N",
    "[sim][compute][stragglers]") {
  sgdsim::ComputeSpec spec;
  spec.kind = "shifted_exponential";
  spec.minimum = SimTime::from_ns(20'000'000);
  spec.mean = SimTime::from_ns(kMeanNs);
  const int workers = 16;
  const double mean_ns = mean_round_compute_ns(spec, workers, 40'000);
  const double expected_ns = 20e6 + 10e6 * harmonic(workers);
  INFO("mean round " << mean_ns / 1e6 << " ms, expected " << expected_ns / 1e6 << " ms");
  CHECK(std::abs(mean_ns - expected_ns) / expected_ns < 0.02);
}
