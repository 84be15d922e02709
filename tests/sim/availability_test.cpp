// Workers that fail and come back: rounds go on among the workers that are up, a repaired worker
// restarts from an average, and every worker's time still adds up.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "sim/algorithms/local_sgd.hpp"
#include "sim/cluster/availability.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/run/averaged_model_probe.hpp"
#include "sim/run/synchronous_run.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "tests/support/synthetic_problem.hpp"

namespace {

using sgdsim::AvailabilitySpec;
using sgdsim::SimTime;

SimTime ms(std::int64_t value) {
  return SimTime::from_ns(value * 1'000'000);
}

const sgdsim::testing::SyntheticProblemOptions kOptions{
    .test_samples = 0, .data_seed = 5, .partition_seed = 6, .init_seed = 7, .run_seed = 8};

// N = 4 workers, I = 2, T = 20 steps of exactly 10 ms each, on a network whose rounds take no
// time, so that every simulated nanosecond is compute, idle or down time.
sgdsim::AlgorithmSpec local_sgd_spec() {
  sgdsim::AlgorithmSpec spec;
  spec.interval = 2;
  spec.lr = 0.1;
  spec.batch_size = 8;
  return spec;
}

// speeds: per worker (0.5 doubles a step's 10 ms); empty: all 1.
sgdsim::RunResult simulate(const AvailabilitySpec& spec, std::uint64_t seed = 1,
                           const sgdsim::AlgorithmSpec& algorithm_spec = local_sgd_spec(),
                           std::int64_t steps = 20, std::vector<double> speeds = {}) {
  const sgdsim::testing::SyntheticProblem<double> problem(kOptions);
  sgdsim::LocalSgd<double> algorithm(problem.training(4, steps), algorithm_spec);
  sgdsim::ComputeSpec compute_spec;
  compute_spec.kind = "constant";
  compute_spec.mean = ms(10);
  compute_spec.speed_factors = std::move(speeds);
  sgdsim::ComputeModel compute(compute_spec, 4, seed);
  sgdsim::NetworkSpec network_spec;
  network_spec.link.latency = SimTime::zero();
  network_spec.link.bytes_per_second = 1e30;
  sgdsim::Network network(network_spec, 4);
  sgdsim::AvailabilityModel availability(spec, 4, seed);
  sgdsim::ClusterTiming timing{&compute, &network, algorithm.rounds().payload_bytes(),
                               spec.enabled() ? &availability : nullptr};
  sgdsim::RunObserver quiet;
  sgdsim::AveragedModelProbe<double> probe(algorithm);
  sgdsim::SynchronousRun run(algorithm, probe, timing, 5, quiet);
  return run.run();
}

void check_times_add_up(const sgdsim::RunResult& result) {
  for (std::size_t w = 0; w < result.workers.size(); ++w) {
    const auto& t = result.workers[w];
    INFO("worker " << w);
    CHECK((t.compute + t.communication + t.idle + result.extras(w).down).ns() ==
          result.sim_time.ns());
  }
}

}  // namespace

TEST_CASE("scheduled outages come in time order, each once", "[sim][availability]") {
  AvailabilitySpec spec;
  spec.outages = {{1, ms(50), ms(5)}, {1, ms(10), ms(3)}, {0, ms(20), ms(1)}};
  sgdsim::AvailabilityModel model(spec, 2, 9);
  const auto first = model.next_outage(1, SimTime::zero());
  REQUIRE(first);
  CHECK(first->start == ms(10));
  CHECK(first->duration == ms(3));
  CHECK(model.next_outage(1, ms(13))->start == ms(50));
  CHECK_FALSE(model.next_outage(1, ms(51)));
  CHECK(model.next_outage(0, SimTime::zero())->start == ms(20));
}

TEST_CASE("random failures arrive with the mean time between failures, seeded",
          "[sim][availability]") {
  AvailabilitySpec spec;
  spec.mean_time_between_failures = ms(200);
  spec.repair_time = ms(7);
  sgdsim::AvailabilityModel a(spec, 3, 42), b(spec, 3, 42);
  double total_gap_s = 0.0;
  const int draws = 100'000;
  SimTime now = SimTime::zero();
  for (int i = 0; i < draws; ++i) {
    const auto outage = a.next_outage(2, now);
    REQUIRE(outage);
    CHECK(outage->duration == ms(7));
    CHECK(b.next_outage(2, now)->start == outage->start);
    total_gap_s += (outage->start - now).seconds();
    now = outage->start + outage->duration;
  }
  CHECK(total_gap_s / draws == Approx(0.2).epsilon(0.01));
}

TEST_CASE("a failed worker misses rounds, rejoins from the average at a round end, times add up",
          "[sim][availability]") {
  // Worker 2 fails at 35 ms, in its 4th step, for 30 ms. The others average without it after
  // steps 4 and 6; it is back at 65 ms, waits for the round after step 8 (80 ms), and restarts
  // from that average. Nobody else is slowed: the run ends at T·c = 200 ms.
  AvailabilitySpec spec;
  spec.outages = {{2, ms(35), ms(30)}};
  const auto result = simulate(spec);
  REQUIRE(result.status == sgdsim::RunStatus::ok);
  CHECK(result.sim_time == ms(200));
  CHECK(result.comm_rounds == 10);
  REQUIRE(result.worker_extras.size() == 4);  // one failure keeps every worker's extras
  const auto& failed = result.workers[2];
  CHECK(result.extras(2).failures == 1);
  CHECK(result.extras(2).down == ms(30));
  CHECK(failed.idle == ms(15));
  CHECK(failed.compute == ms(3 * 10 + 5 + 12 * 10));  // steps 1-3, the lost half step, 9-20
  CHECK(result.extras(2).rounds_missed == 3);
  CHECK(failed.steps == 15);  // gradients computed: steps 1-3 and 9-20
  for (int w : {0, 1, 3}) {
    CHECK(result.extras(w).failures == 0);
    CHECK(result.extras(w).rounds_missed == 0);
    CHECK(result.workers[w].compute == ms(200));
  }
  check_times_add_up(result);
}

TEST_CASE("a failure of the worker the others wait for starts their round at once",
          "[sim][availability]") {
  // Worker 3 runs at half speed (20 ms steps); the others reach step 2 at 20 ms and wait. It
  // fails at 30 ms for 95 ms: their round starts then. It is back at 125 ms, rejoins from the
  // average of the round after step 12 (130 ms) and, slow again, paces the 4 rounds left: its 8
  // steps end at 290 ms, and the others idle 20 ms at each of those rounds.
  AvailabilitySpec spec;
  spec.outages = {{3, ms(30), ms(95)}};
  const auto result = simulate(spec, 1, local_sgd_spec(), 20, {1, 1, 1, 0.5});
  REQUIRE(result.status == sgdsim::RunStatus::ok);
  CHECK(result.sim_time == ms(290));
  CHECK(result.workers[0].idle == ms(10 + 4 * 20));
  CHECK(result.extras(3).rounds_missed == 6);  // after steps 2, 4, ..., 12
  check_times_add_up(result);
}

TEST_CASE("a failure opens only its own group's round in hierarchical local SGD",
          "[sim][availability]") {
  // Groups {0, 1} and {2, 3} average every 2 steps, everyone every 4 (T = 8); worker 3 runs at
  // half speed and fails at 30 ms for good. Group {2, 3}'s round after step 2 starts at 30 ms
  // with worker 2 alone (group {0, 1} averaged at 20 ms); the global round after step 4 waits for
  // worker 2 (50 ms), then rounds come every 20 ms: the run ends at 90 ms.
  AvailabilitySpec spec;
  spec.outages = {{3, ms(30), ms(1000)}};
  sgdsim::AlgorithmSpec algorithm = local_sgd_spec();
  algorithm.kind = sgdsim::AlgorithmKind::hierarchical_local_sgd;
  algorithm.group_size = 2;
  algorithm.global_interval = 4;
  const auto result = simulate(spec, 1, algorithm, 8, {1, 1, 1, 0.5});
  REQUIRE(result.status == sgdsim::RunStatus::ok);
  CHECK(result.sim_time == ms(90));
  CHECK(result.workers[0].idle == ms(10));  // 40 → 50 ms, at the global round
  CHECK(result.workers[2].idle == ms(10));  // 20 → 30 ms, until worker 3 failed
  check_times_add_up(result);
}

TEST_CASE("when every worker is down, the first one back restarts from the latest average",
          "[sim][availability]") {
  // All fail at 35 ms for 30 ms, in step 4; the latest average is from step 2. Worker 0 comes
  // back first (65 ms), redoes steps 3-4 alone and averages alone at 85 ms; the rest rejoin then.
  AvailabilitySpec spec;
  for (int w = 0; w < 4; ++w) spec.outages.push_back({w, ms(35), ms(30)});
  const auto result = simulate(spec);
  REQUIRE(result.status == sgdsim::RunStatus::ok);
  CHECK(result.sim_time == ms(85 + 16 * 10));
  // Gradients computed: steps 1-3 and 5-20, and worker 0 redid 3-4.
  CHECK(result.workers[0].steps == 21);
  for (int w = 0; w < 4; ++w) {
    if (w > 0) CHECK(result.workers[w].steps == 19);
    CHECK(result.extras(w).failures == 1);
  }
  CHECK(result.extras(1).rounds_missed == 1);  // the round after step 4, worker 0's alone
  check_times_add_up(result);
}

TEST_CASE("random failures are reproducible from the seed and every run still finishes",
          "[sim][availability]") {
  AvailabilitySpec spec;
  spec.mean_time_between_failures = ms(60);
  spec.repair_time = ms(25);
  const auto a = simulate(spec, 3);
  const auto b = simulate(spec, 3);
  const auto c = simulate(spec, 4);
  std::int64_t failures = 0;
  for (const auto& extras : a.worker_extras) failures += extras.failures;
  CHECK(failures > 4);
  CHECK(a.sim_time == b.sim_time);
  CHECK(a.last_metrics->model.train_loss == b.last_metrics->model.train_loss);
  // Failures need not delay the run (the others go on), but they differ between seeds.
  bool same_outages = true;
  for (std::size_t w = 0; w < a.workers.size(); ++w) {
    same_outages = same_outages && a.extras(w).down == c.extras(w).down;
  }
  CHECK_FALSE(same_outages);
  CHECK(a.last_metrics->step == 20);
  check_times_add_up(a);
  check_times_add_up(c);
}

TEST_CASE("the availability section loads and rejects a worker that does not exist",
          "[sim][availability][scenario]") {
  const std::string base =
      "workers: 4\nsteps: 10\nalgorithm: {kind: local_sgd, interval: 2, lr: 0.1}\n"
      "model: {kind: softmax}\ndata: {kind: synthetic, samples: 100, classes: 3}\n";
  const auto scenario =
      sgdsim::load_scenario_text(base +
                                     "availability:\n  outages: [{worker: 1, at: 2s, for: "
                                     "500ms}]\n  mtbf: 3600s\n  repair: 1s\n",
                                 "a.yaml");
  CHECK(scenario.availability.outages.size() == 1);
  CHECK(scenario.availability.outages[0].start == ms(2000));
  // What `sgdsim validate` prints loads back to the same availability.
  const auto again =
      sgdsim::load_scenario_text(sgdsim::scenario_to_json(scenario).dump(), "again.yaml");
  REQUIRE(again.availability.outages.size() == 1);
  CHECK(again.availability.outages[0].duration == ms(500));
  CHECK(again.availability.mean_time_between_failures == SimTime::from_seconds(3600));
  CHECK(again.availability.repair_time == ms(1000));
  try {
    sgdsim::load_scenario_text(base + "availability:\n  outages: [{worker: 4, at: 2s, for: 1s}]\n",
                               "b.yaml");
    FAIL("expected a ConfigError");
  } catch (const sgdsim::ConfigError& e) {
    CHECK_THAT(e.messages().front(),
               Catch::Contains("b.yaml:7:") && Catch::Contains("availability.outages[0].worker"));
  }
}
