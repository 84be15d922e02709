// The variants LocalSgd runs besides plain PR-SGD, each against its defining property: Nesterov
// momentum's update, the outer optimizers' closed forms (and plain averaging at outer_lr 1,
// outer_momentum 0), fedavg's sampling and shard weights (K = N is local SGD), and the
// heterogeneous keep-stepping rounds against a hand-driven replay.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "sim/algorithms/local_sgd.hpp"
#include "sim/algorithms/outer_optimizer.hpp"
#include "sim/algorithms/registry.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/run/averaged_model_probe.hpp"
#include "sim/run/synchronous_run.hpp"
#include "tests/support/owned_sampler.hpp"
#include "tests/support/synthetic_problem.hpp"

namespace {

using sgdsim::AlgorithmSpec;
using sgdsim::LocalSgd;
using sgdsim::SimTime;
using Vector = Eigen::VectorXd;

const sgdsim::testing::SyntheticProblemOptions kOptions{
    .test_samples = 0, .data_seed = 21, .partition_seed = 4, .init_seed = 8, .run_seed = 99};

constexpr std::int64_t kStepNs = 10'000'000;  // 10 ms per local step at speed factor 1

AlgorithmSpec spec_of(const char* kind, std::int64_t interval) {
  AlgorithmSpec spec;
  spec.kind = sgdsim::find_algorithm(kind)->kind;
  spec.interval = interval;
  spec.lr = 0.1;
  spec.batch_size = 8;
  return spec;
}

std::vector<int> all_of(int workers) {
  std::vector<int> all(workers);
  for (int w = 0; w < workers; ++w) all[w] = w;
  return all;
}

struct Simulated {
  sgdsim::RunResult result;
  Vector model;
  double round_ns = 0.0;  // one allreduce over every worker
};

// A SynchronousRun on a switch (α 50 us, 10 Gb/s, ring allreduce) with constant step times.
Simulated simulate(sgdsim::ReplicaAlgorithm<double>& algorithm,
                   const Vector* (*model_of)(sgdsim::Algorithm&),
                   std::vector<double> speed_factors = {}) {
  sgdsim::ComputeSpec compute_spec;
  compute_spec.kind = "constant";
  compute_spec.mean = SimTime::from_ns(kStepNs);
  compute_spec.speed_factors = std::move(speed_factors);
  sgdsim::ComputeModel compute(compute_spec, algorithm.workers(), 5);
  sgdsim::NetworkSpec network_spec;
  network_spec.link.latency = SimTime::from_ns(50'000);
  network_spec.link.bytes_per_second = 1.25e9;
  sgdsim::Network network(network_spec, algorithm.workers());
  sgdsim::ClusterTiming timing{&compute, &network, algorithm.rounds().payload_bytes()};
  sgdsim::RunObserver observer;  // every hook does nothing
  sgdsim::AveragedModelProbe<double> probe(algorithm);
  sgdsim::SynchronousRun run(algorithm, probe, timing, 0, observer);
  Simulated out;
  out.result = run.run();
  out.model = *model_of(algorithm);
  out.round_ns = static_cast<double>(
      network.allreduce_cost(all_of(algorithm.workers()), timing.payload_bytes)->duration.ns());
  return out;
}

const Vector* consensus_of(sgdsim::Algorithm& algorithm) {
  return &dynamic_cast<LocalSgd<double>&>(algorithm).consensus();
}

// Mini-batch gradient at x on the indices a sampler built like the algorithm's gives next.
Vector gradient_at(const sgdsim::testing::SyntheticProblem<double>& problem, const Vector& x,
                   std::span<const std::int64_t> indices) {
  const auto& train = problem.data.train;
  Eigen::MatrixXd features(train.num_features(), static_cast<Eigen::Index>(indices.size()));
  Vector targets(static_cast<Eigen::Index>(indices.size()));
  for (std::size_t j = 0; j < indices.size(); ++j) {
    features.col(static_cast<Eigen::Index>(j)) = train.features.col(indices[j]);
    targets[static_cast<Eigen::Index>(j)] = train.targets[indices[j]];
  }
  Vector grad;
  problem.objective->loss_and_gradient(x, features, targets, grad);
  return grad;
}

}  // namespace

TEST_CASE("nesterov momentum steps x ← x − γ(g + μv) after v ← μv + g", "[sim][variants]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kOptions);
  AlgorithmSpec spec = spec_of("local_sgd", 100);
  spec.momentum = 0.9;
  spec.nesterov = true;
  const auto training = problem.training(1, 100);
  LocalSgd<double> algorithm(training, spec);
  sgdsim::testing::OwnedSampler sampler(training.shards[0], spec.batch_size,
                                        sgdsim::derive_seed(training.seed, "batches", 0));
  Vector x = training.initial_params;
  Vector v = Vector::Zero(x.size());
  for (std::int64_t step = 1; step <= 6; ++step) {
    REQUIRE(algorithm.local_step(0, step));
    const Vector g = gradient_at(problem, x, sampler.next());
    v = 0.9 * v + g;
    x -= 0.1 * (g + 0.9 * v);
  }
  CHECK((algorithm.replica(0) - x).lpNorm<Eigen::Infinity>() < 1e-12);
  // Heavy-ball from the same start takes a different path.
  spec.nesterov = false;
  LocalSgd<double> heavy_ball(training, spec);
  for (std::int64_t step = 1; step <= 6; ++step) REQUIRE(heavy_ball.local_step(0, step));
  CHECK((heavy_ball.replica(0) - x).lpNorm<Eigen::Infinity>() > 1e-6);
}

TEST_CASE("outer optimizers follow their closed forms over two rounds", "[sim][variants]") {
  const Vector start{{1.0, 2.0}};
  const Vector average{{0.8, 1.5}};
  SECTION("slowmo: u ← βu + Δ/γ, x ← x_start − αγu") {
    sgdsim::OuterOptimizer<double> slowmo(sgdsim::OuterKind::slowmo, 2.0, 0.5, 2);
    const Vector first = slowmo.step(start, average, 0.1);  // u = (2, 5)
    CHECK(first[0] == Approx(0.6));
    CHECK(first[1] == Approx(1.0));
    const Vector second = slowmo.step(first, Vector{{0.5, 0.9}}, 0.1);  // u = (2, 3.5)
    CHECK(second[0] == Approx(0.2));
    CHECK(second[1] == Approx(0.3));
  }
  SECTION("diloco: m ← μm + Δ, x ← x_start − η(Δ + μm)") {
    sgdsim::OuterOptimizer<double> diloco(sgdsim::OuterKind::diloco, 0.7, 0.9, 2);
    const Vector first = diloco.step(start, average, 0.1);  // m = Δ = (0.2, 0.5)
    CHECK(first[0] == Approx(0.734));
    CHECK(first[1] == Approx(1.335));
    const Vector second = diloco.step(first, first - Vector{{0.1, 0.1}}, 0.1);  // m = (.28, .55)
    CHECK(second[0] == Approx(0.4876));
    CHECK(second[1] == Approx(0.9185));
  }
}

TEST_CASE("slowmo and diloco with outer_lr 1 and outer_momentum 0 are local SGD",
          "[sim][variants]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kOptions);
  const auto kind = GENERATE(as<const char*>{}, "slowmo", "diloco");
  LocalSgd<double> plain(problem.training(4, 24), spec_of("local_sgd", 4));
  LocalSgd<double> outer(problem.training(4, 24), spec_of(kind, 4));
  const Simulated a = simulate(plain, consensus_of);
  const Simulated b = simulate(outer, consensus_of);
  CHECK((a.model - b.model).lpNorm<Eigen::Infinity>() < 1e-12);
  CHECK(a.result.sim_time == b.result.sim_time);
  // With outer momentum the path differs, and every worker restarts from the outer model.
  AlgorithmSpec spec = spec_of(kind, 4);
  spec.outer_momentum = 0.8;
  LocalSgd<double> with_momentum(problem.training(4, 24), spec);
  const Simulated c = simulate(with_momentum, consensus_of);
  CHECK((a.model - c.model).lpNorm<Eigen::Infinity>() > 1e-6);
  for (int w = 0; w < 4; ++w) CHECK(with_momentum.replica(w) == c.model);
}

TEST_CASE("fedavg with K = N is local SGD, bit for bit", "[sim][variants]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kOptions);
  AlgorithmSpec spec = spec_of("fedavg", 5);
  spec.clients_per_round = 4;
  LocalSgd<double> fedavg(problem.training(4, 30), spec);
  LocalSgd<double> plain(problem.training(4, 30), spec_of("local_sgd", 5));
  CHECK_FALSE(fedavg.rounds().sampled_participants(1).has_value());
  const Simulated a = simulate(fedavg, consensus_of);
  const Simulated b = simulate(plain, consensus_of);
  CHECK(a.model == b.model);
  CHECK(a.result.sim_time == b.result.sim_time);
  CHECK(a.result.comm_rounds == b.result.comm_rounds);
}

TEST_CASE("fedavg samples K distinct workers per round, uniformly, from the seed",
          "[sim][variants]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kOptions);
  AlgorithmSpec spec = spec_of("fedavg", 5);
  spec.clients_per_round = 3;
  LocalSgd<double> fedavg(problem.training(8, 30), spec);
  LocalSgd<double> again(problem.training(8, 30), spec);
  std::vector<int> times_chosen(8, 0);
  std::map<std::vector<int>, int> distinct_sets;
  constexpr int kRounds = 4000;
  for (int round = 1; round <= kRounds; ++round) {
    const auto chosen = fedavg.rounds().sampled_participants(round);
    REQUIRE(chosen.has_value());
    REQUIRE(chosen->size() == 3);
    CHECK(std::is_sorted(chosen->begin(), chosen->end()));
    CHECK(std::adjacent_find(chosen->begin(), chosen->end()) == chosen->end());
    CHECK(*again.rounds().sampled_participants(round) == *chosen);
    for (int w : *chosen) ++times_chosen[w];
    ++distinct_sets[*chosen];
  }
  for (int count : times_chosen) CHECK(count == Approx(kRounds * 3.0 / 8.0).epsilon(0.06));
  CHECK(distinct_sets.size() == 56);  // every 3-subset of 8 appears
}

TEST_CASE("fedavg weights each participant by its shard size", "[sim][variants]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kOptions);
  auto training = problem.training(3, 10);
  // 40, 133 and 133 samples
  training.shards =
      sgdsim::Partition({{training.shards[0].begin(), training.shards[0].begin() + 40},
                         {training.shards[1].begin(), training.shards[1].end()},
                         {training.shards[2].begin(), training.shards[2].end()}});
  AlgorithmSpec spec = spec_of("fedavg", 2);
  spec.clients_per_round = 3;
  LocalSgd<double> fedavg(training, spec);
  for (int w = 0; w < 3; ++w) {
    REQUIRE(fedavg.local_step(w, 1));
    REQUIRE(fedavg.local_step(w, 2));
  }
  const double n0 = 40, n1 = static_cast<double>(training.shards[1].size()),
               n2 = static_cast<double>(training.shards[2].size());
  const Vector expected =
      (n0 * fedavg.replica(0) + n1 * fedavg.replica(1) + n2 * fedavg.replica(2)) / (n0 + n1 + n2);
  fedavg.synchronize(2, {0, 1, 2});
  for (int w = 0; w < 3; ++w) {
    CHECK((fedavg.replica(w) - expected).lpNorm<Eigen::Infinity>() < 1e-12);
  }
}

TEST_CASE("fedavg with K < N: sampled workers step, the others sit the round out",
          "[sim][variants]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kOptions);
  AlgorithmSpec spec = spec_of("fedavg", 5);
  spec.clients_per_round = 2;
  constexpr int kWorkers = 5;
  constexpr std::int64_t kRounds = 8;
  LocalSgd<double> fedavg(problem.training(kWorkers, 5 * kRounds), spec);
  LocalSgd<double> oracle(problem.training(kWorkers, 5 * kRounds), spec);
  std::vector<std::int64_t> chosen(kWorkers, 0);
  for (int round = 1; round <= kRounds; ++round) {
    const auto sampled = oracle.rounds().sampled_participants(round);
    for (int w : *sampled) ++chosen[w];
  }
  const Simulated run = simulate(fedavg, consensus_of);
  CHECK(run.result.comm_rounds == kRounds);
  for (int w = 0; w < kWorkers; ++w) {
    INFO("worker " << w);
    CHECK(run.result.workers[w].steps == 5 * chosen[w]);
    CHECK(run.result.extras(w).rounds_missed == kRounds - chosen[w]);
    CHECK(run.result.workers[w].compute.ns() == 5 * kStepNs * chosen[w]);
  }
  // Each round: 5 steps of 10 ms, then a ring allreduce over the 2 participants.
  sgdsim::NetworkSpec network_spec;
  network_spec.link.latency = SimTime::from_ns(50'000);
  network_spec.link.bytes_per_second = 1.25e9;
  sgdsim::Network network(network_spec, kWorkers);
  const SimTime pair_round =
      network.allreduce_cost({0, 1}, fedavg.rounds().payload_bytes())->duration;
  CHECK(run.result.sim_time.ns() == kRounds * (5 * kStepNs + pair_round.ns()));
}

TEST_CASE("keep-stepping rounds: fast workers step until the slowest arrives", "[sim][variants]") {
  // Worker 0 is 2.5× as fast: 4 ms a step against 10 ms. With I = 3 the slow worker arrives at
  // 30 ms into each round; by then worker 0 has done its 3 steps and 4 extra ones (the 8th, due at
  // 32 ms, is abandoned). Each round is 30 ms + one allreduce.
  const sgdsim::testing::SyntheticProblem<double> problem(kOptions);
  AlgorithmSpec spec = spec_of("local_sgd", 3);
  spec.while_waiting = sgdsim::WhileWaiting::local_steps;
  const auto training = problem.training(2, 6);
  LocalSgd<double> algorithm(training, spec);
  const Simulated run = simulate(algorithm, consensus_of, {2.5, 1.0});
  CHECK(run.result.workers[0].steps == 14);
  CHECK(run.result.extras(0).extra_steps == 8);
  CHECK(run.result.workers[1].steps == 6);
  CHECK(run.result.extras(1).extra_steps == 0);
  const double round_ns = 30e6 + run.round_ns;
  CHECK(static_cast<double>(run.result.sim_time.ns()) == Approx(2 * round_ns).margin(2));
  // Nobody idles: the fast worker computes (or wastes a step) until the round begins.
  CHECK(run.result.workers[0].idle.ns() == 0);
  CHECK(run.result.workers[0].compute.ns() == 2 * 30'000'000);

  // The same math driven by hand: 7 steps of worker 0 (the extra ones at the round's step), 3 of
  // worker 1, average; twice.
  LocalSgd<double> replay(training, spec);
  for (const std::int64_t round_step : {3, 6}) {
    for (std::int64_t k = 1; k <= 7; ++k) {
      REQUIRE(replay.local_step(0, std::min(round_step - 3 + k, round_step)));
    }
    for (std::int64_t k = 1; k <= 3; ++k) REQUIRE(replay.local_step(1, round_step - 3 + k));
    replay.synchronize(round_step, {0, 1});
  }
  CHECK(replay.replica(0) == run.model);
  // Idling at the barrier gives a different model.
  LocalSgd<double> idle(training, spec_of("local_sgd", 3));
  const Simulated idle_run = simulate(idle, consensus_of, {2.5, 1.0});
  CHECK(idle_run.result.workers[0].steps == 6);
  CHECK(idle_run.result.sim_time == run.result.sim_time);
  CHECK((idle_run.model - run.model).lpNorm<Eigen::Infinity>() > 1e-9);
}
