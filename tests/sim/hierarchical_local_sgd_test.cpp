// Hierarchical local SGD (Lin et al. 2020; PyTorch's HierarchicalModelAverager): group rounds
// average within consecutive blocks of g workers, leaving the other groups and the consensus alone;
// global rounds are local SGD's. Checked against a hand-written reference, against local SGD at
// g = N and g = 1, and timed on a two-level cluster against the collectives' closed forms, each
// group waiting only for its own members.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/rng.hpp"
#include "sim/algorithms/local_sgd.hpp"
#include "sim/algorithms/registry.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/run/averaged_model_probe.hpp"
#include "sim/run/run_observer.hpp"
#include "sim/run/synchronous_run.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/runner/scenario_run.hpp"
#include "sim/scenario/scenario.hpp"
#include "tests/support/files.hpp"
#include "tests/support/owned_sampler.hpp"
#include "tests/support/synthetic_problem.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sgdsim::AlgorithmKind;
using sgdsim::AlgorithmSpec;
using sgdsim::MomentumSync;
using sgdsim::SimTime;
using sgdsim::TrainingProblem;
using Vector = Eigen::VectorXd;
using Matrix = Eigen::MatrixXd;

const sgdsim::testing::SyntheticProblemOptions kProblemOptions{
    .test_samples = 60, .data_seed = 31, .partition_seed = 6, .init_seed = 10, .run_seed = 99};

constexpr double kLr = 0.3;
constexpr std::int64_t kBatch = 8;
constexpr std::int64_t kStepNs = 30'000'000;  // c

struct Problem : sgdsim::testing::SyntheticProblem<double> {
  Problem() : sgdsim::testing::SyntheticProblem<double>(kProblemOptions) {}
};

AlgorithmSpec local_sgd_spec(std::int64_t interval) {
  AlgorithmSpec spec;
  spec.interval = interval;
  spec.lr = kLr;
  spec.batch_size = kBatch;
  return spec;
}

AlgorithmSpec hierarchical_spec(int group_size, std::int64_t interval,
                                std::int64_t global_interval) {
  AlgorithmSpec spec = local_sgd_spec(interval);
  spec.kind = AlgorithmKind::hierarchical_local_sgd;
  spec.group_size = group_size;
  spec.global_interval = global_interval;
  return spec;
}

std::vector<int> range(int first, int count) {
  std::vector<int> ids(count);
  for (int i = 0; i < count; ++i) ids[i] = first + i;
  return ids;
}

Vector mean_of(const std::vector<Vector>& x, int first, int count) {
  Vector mean = Vector::Zero(x.front().size());
  for (int w = first; w < first + count; ++w) mean += x[w];
  return mean / count;
}

double relative_difference(const Vector& a, const Vector& b) {
  return (a - b).norm() / std::max(b.norm(), 1e-300);
}

// Every worker's model after `steps` steps of hierarchical local SGD, written out directly: SGD
// (heavy ball with μ > 0) on each worker's batches, drawn as the algorithm draws them; block means
// at group rounds, the mean of all at global rounds and after the last step; the momentum buffers
// averaged over the same workers, kept or zeroed as `sync` says.
std::vector<Vector> reference(const Problem& problem, const TrainingProblem<double>& p,
                              int group_size, std::int64_t interval, std::int64_t global_interval,
                              double mu = 0.0, MomentumSync sync = MomentumSync::average) {
  const int n = p.workers();
  std::vector<sgdsim::testing::OwnedSampler> samplers;
  for (int w = 0; w < n; ++w) {
    samplers.emplace_back(p.shards[w], kBatch, sgdsim::derive_seed(p.seed, "batches", w));
  }
  std::vector<Vector> x(n, p.initial_params);
  std::vector<Vector> v(n, Vector::Zero(p.initial_params.size()));
  for (std::int64_t step = 1; step <= p.steps; ++step) {
    for (int w = 0; w < n; ++w) {
      const Vector g = problem.gradient(x[w], samplers[w].next());
      if (mu > 0) {
        v[w] = mu * v[w] + g;
        x[w] -= kLr * v[w];
      } else {
        x[w] -= kLr * g;
      }
    }
    const bool global = step % global_interval == 0 || step == p.steps;
    if (!global && step % interval != 0) continue;
    const int size = global ? n : group_size;
    for (int first = 0; first < n; first += size) {
      const Vector x_mean = mean_of(x, first, size);
      const Vector v_mean = mean_of(v, first, size);
      for (int w = first; w < first + size; ++w) {
        x[w] = x_mean;
        if (sync == MomentumSync::average) v[w] = v_mean;
        if (sync == MomentumSync::reset) v[w].setZero();
      }
    }
  }
  return x;
}

template <class Algorithm>
void step_all(Algorithm& algorithm, std::int64_t step) {
  for (int w = 0; w < algorithm.workers(); ++w) REQUIRE(algorithm.local_step(w, step));
}

struct Outcome {
  sgdsim::RunResult result;
  std::vector<double> final_model;
  std::vector<sgdsim::MetricsRow> rows;
};

class Recorder final : public sgdsim::RunObserver {
 public:
  struct Collective {
    SimTime start;
    SimTime duration;
    std::vector<int> participants;
  };
  struct Wait {
    int worker;
    SimTime end;
  };
  void on_wait(int worker, SimTime, SimTime end) override { waits.push_back({worker, end}); }
  void on_collective(std::int64_t, SimTime start, const sgdsim::CollectiveCost& cost,
                     const std::vector<int>& participants) override {
    collectives.push_back({start, cost.duration, participants});
  }
  void on_metrics(const sgdsim::MetricsRow& row) override { rows.push_back(row); }
  std::vector<Collective> collectives;
  std::vector<Wait> waits;
  std::vector<sgdsim::MetricsRow> rows;
};

sgdsim::NetworkSpec two_level_spec(int workers_per_node, const std::string& collective) {
  sgdsim::NetworkSpec spec;
  spec.topology = "two_level";
  spec.workers_per_node = workers_per_node;
  spec.intra = {SimTime::from_ns(2'000), 1e11};
  spec.inter = {SimTime::from_ns(20'000), 1.25e9};
  spec.collective = collective;
  return spec;
}

Outcome run(const AlgorithmSpec& spec, const TrainingProblem<double>& p,
            const sgdsim::NetworkSpec& network_spec, double payload_bytes,
            sgdsim::ComputeSpec compute_spec = {}, Recorder* recorder = nullptr) {
  auto algorithm = sgdsim::make_algorithm<double>(spec, p);
  compute_spec.mean = SimTime::from_ns(kStepNs);
  sgdsim::ComputeModel compute(compute_spec, p.workers(), 5);
  sgdsim::Network network(network_spec, p.workers());
  const sgdsim::ClusterTiming timing{&compute, &network, payload_bytes};
  Recorder own;
  Recorder& observer = recorder ? *recorder : own;
  sgdsim::AveragedModelProbe<double> probe(*algorithm);
  sgdsim::SynchronousRun synchronous(*algorithm, probe, timing, 4, observer);
  Outcome outcome{synchronous.run(), probe.final_model(), observer.rows};
  REQUIRE(outcome.result.status == sgdsim::RunStatus::ok);
  return outcome;
}

Vector as_vector(const std::vector<double>& values) {
  return Eigen::Map<const Vector>(values.data(), static_cast<Eigen::Index>(values.size()));
}

// Rounded once per phase (two phases per collective here): a few ns per round.
void check_ns(SimTime actual, double expected_ns, double rounds) {
  CHECK(std::abs(static_cast<double>(actual.ns()) - expected_ns) <= 2.0 * rounds + 1e-6);
}

}  // namespace

TEST_CASE("a group round replaces each member by its group's mean and leaves the others alone",
          "[sim][hierarchical]") {
  const Problem problem;
  const auto p = problem.training(6, 12);
  auto algorithm = sgdsim::make_algorithm<double>(hierarchical_spec(3, 2, 6), p);
  step_all(*algorithm, 1);
  step_all(*algorithm, 2);
  REQUIRE(algorithm->rounds().synchronizes_after(2));
  REQUIRE(algorithm->rounds().level_after(2) == 0);
  std::vector<Vector> before;
  for (int w = 0; w < 6; ++w) before.push_back(algorithm->replica(w));
  // The replicas drifted apart, or the checks below prove nothing.
  REQUIRE(relative_difference(before[0], before[1]) > 1e-6);
  const Vector consensus = algorithm->consensus();

  algorithm->synchronize(2, {3, 4, 5});
  const Vector group_mean = mean_of(before, 3, 3);
  for (int w = 3; w < 6; ++w) CHECK(relative_difference(algorithm->replica(w), group_mean) < 1e-12);
  for (int w = 0; w < 3; ++w) CHECK(algorithm->replica(w) == before[w]);
  CHECK(algorithm->consensus() == consensus);  // still the initial model
  CHECK(relative_difference(algorithm->average_of_replicas(), mean_of(before, 0, 6)) < 1e-12);

  // A driver may pass every group at once: each averages alone.
  algorithm->synchronize(2, range(0, 6));
  const Vector first_mean = mean_of(before, 0, 3);
  for (int w = 0; w < 3; ++w) CHECK(relative_difference(algorithm->replica(w), first_mean) < 1e-12);
  CHECK(relative_difference(first_mean, group_mean) > 1e-6);
}

TEST_CASE("after a global round every replica equals the mean of all, the new consensus",
          "[sim][hierarchical]") {
  const Problem problem;
  const auto p = problem.training(4, 12);
  auto algorithm = sgdsim::make_algorithm<double>(hierarchical_spec(2, 2, 6), p);
  for (std::int64_t step = 1; step <= 6; ++step) {
    step_all(*algorithm, step);
    if (step < 6 && algorithm->rounds().synchronizes_after(step)) {
      algorithm->synchronize(step, range(0, 4));
    }
  }
  REQUIRE(algorithm->rounds().level_after(6) == 1);
  std::vector<Vector> before;
  for (int w = 0; w < 4; ++w) before.push_back(algorithm->replica(w));
  REQUIRE(relative_difference(before[0], before[2]) > 1e-6);
  algorithm->synchronize(6, range(0, 4));
  const Vector mean = mean_of(before, 0, 4);
  for (int w = 0; w < 4; ++w) CHECK(relative_difference(algorithm->replica(w), mean) < 1e-12);
  CHECK(relative_difference(algorithm->consensus(), mean) < 1e-12);
  CHECK(algorithm->consensus_step() == 6);
}

TEST_CASE("hierarchical local SGD follows the hand-written reference, driven or timed",
          "[sim][hierarchical]") {
  const Problem problem;
  const int workers = 8;
  const std::int64_t steps = 22;  // not a multiple of I₂: the last step averages globally anyway
  const auto p = problem.training(workers, steps);
  const auto expected = reference(problem, p, 4, 2, 8);
  REQUIRE(relative_difference(expected[0], p.initial_params) > 1e-3);  // training moved it

  auto driven = sgdsim::make_algorithm<double>(hierarchical_spec(4, 2, 8), p);
  for (std::int64_t step = 1; step <= steps; ++step) {
    step_all(*driven, step);
    if (driven->rounds().synchronizes_after(step)) driven->synchronize(step, range(0, workers));
  }
  for (int w = 0; w < workers; ++w) {
    INFO("worker " << w);
    CHECK(relative_difference(driven->replica(w), expected[w]) < 1e-12);
  }

  const auto timed = run(hierarchical_spec(4, 2, 8), p, two_level_spec(4, "ring_allreduce"), 1e6);
  CHECK(relative_difference(as_vector(timed.final_model), expected[0]) < 1e-12);
  // Group rounds after 2, 4, 6, 10, 12, 14, 18, 20; global after 8, 16, 22.
  CHECK(timed.result.rounds_by_level == std::vector<std::int64_t>{8, 3});
  CHECK(timed.result.comm_rounds == 11);
}

TEST_CASE("with g = N hierarchical local SGD is local SGD at I₁, with g = 1 at I₂",
          "[sim][hierarchical]") {
  const Problem problem;
  const int workers = 4;
  const auto p = problem.training(workers, 24);
  const auto network = two_level_spec(2, "ring_allreduce");
  sgdsim::ComputeSpec lognormal;
  lognormal.kind = "lognormal";
  lognormal.sigma = 0.3;
  const auto at_interval = run(local_sgd_spec(2), p, network, 1e6, lognormal);
  const auto at_global = run(local_sgd_spec(8), p, network, 1e6, lognormal);
  const auto all = run(hierarchical_spec(workers, 2, 8), p, network, 1e6, lognormal);
  const auto single = run(hierarchical_spec(1, 2, 8), p, network, 1e6, lognormal);
  const auto pairs = run(hierarchical_spec(2, 2, 8), p, network, 1e6, lognormal);

  // The three trajectories differ, so the equalities below are not vacuous.
  REQUIRE(relative_difference(as_vector(at_interval.final_model),
                              as_vector(at_global.final_model)) > 1e-6);
  REQUIRE(relative_difference(as_vector(pairs.final_model), as_vector(at_interval.final_model)) >
          1e-9);
  REQUIRE(relative_difference(as_vector(pairs.final_model), as_vector(at_global.final_model)) >
          1e-9);

  for (const auto& [same, as] : {std::pair{&all, &at_interval}, std::pair{&single, &at_global}}) {
    CHECK(same->final_model == as->final_model);
    CHECK(same->result.sim_time == as->result.sim_time);
    CHECK(same->result.comm_rounds == as->result.comm_rounds);
    CHECK(same->result.bytes_sent == as->result.bytes_sent);
    REQUIRE(same->rows.size() == as->rows.size());
    for (std::size_t r = 0; r < as->rows.size(); ++r) {
      CHECK(same->rows[r].model.train_loss == as->rows[r].model.train_loss);
      CHECK(same->rows[r].time == as->rows[r].time);
    }
  }
  CHECK(all.result.rounds_by_level == std::vector<std::int64_t>{12});  // one level: every worker
  CHECK(single.result.rounds_by_level == std::vector<std::int64_t>{0, 3});

  // Same seed, same outputs.
  const auto again = run(hierarchical_spec(2, 2, 8), p, network, 1e6, lognormal);
  CHECK(again.final_model == pairs.final_model);
  CHECK(again.result.sim_time == pairs.result.sim_time);
  REQUIRE(again.rows.size() == pairs.rows.size());
  for (std::size_t r = 0; r < pairs.rows.size(); ++r) {
    CHECK(again.rows[r].model.train_loss == pairs.rows[r].model.train_loss);
  }
}

TEST_CASE(
    "a group round costs the collective among one node's workers on the intra links, a "
    "global round the collective on every worker",
    "[sim][hierarchical]") {
  const Problem problem;
  const int n = 8, g = 4, m = 2;  // two nodes of four
  const double bytes = 1e6;
  const auto p = problem.training(n, 16);  // group rounds after 2, 4, 6, 10, 12, 14; global 8, 16
  const double ai = 2'000, bi = 1e11 / 1e9, ao = 20'000, bo = 1.25e9 / 1e9;  // ns, bytes per ns
  struct Case {
    std::string collective;
    double group_ns, global_ns, group_bytes, global_bytes;
  };
  const std::vector<Case> cases = {
      {"ring_allreduce", 2 * (g - 1) * (ai + bytes / (g * bi)),
       2 * (n - 1) * std::max(ai + bytes / (n * bi), ao + bytes / (n * bo)), 2 * (g - 1) * bytes,
       2 * (n - 1) * bytes},
      {"hierarchical", 2 * 2 * (ai + bytes / bi),
       2 * 2 * (ai + bytes / bi) + 2 * (m - 1) * (ao + bytes / (m * bo)), 2 * (g - 1) * bytes,
       2 * (g - 1) * m * bytes + 2 * (m - 1) * bytes},
  };
  for (const Case& c : cases) {
    INFO(c.collective);
    Recorder recorder;
    const auto outcome =
        run(hierarchical_spec(g, 2, 8), p, two_level_spec(g, c.collective), bytes, {}, &recorder);
    REQUIRE(recorder.collectives.size() == 6 * 2 + 2);
    for (const auto& collective : recorder.collectives) {
      const bool global = collective.participants.size() == static_cast<std::size_t>(n);
      INFO("round starting at " << collective.start.ns() << " ns");
      check_ns(collective.duration, global ? c.global_ns : c.group_ns, 1);
    }
    check_ns(outcome.result.sim_time, 16.0 * kStepNs + 6 * c.group_ns + 2 * c.global_ns, 8);
    CHECK(outcome.result.bytes_sent == Approx(6 * m * c.group_bytes + 2 * c.global_bytes));
    CHECK(outcome.result.rounds_by_level == std::vector<std::int64_t>{6, 2});
  }
}

TEST_CASE("on a switch, a group round is the collective among the group's workers",
          "[sim][hierarchical]") {
  const Problem problem;
  const auto p = problem.training(6, 6);
  sgdsim::NetworkSpec spec;  // switch, ring_allreduce: 50 us, 10 Gb/s
  Recorder recorder;
  (void)run(hierarchical_spec(3, 2, 6), p, spec, 1e6, {}, &recorder);
  REQUIRE(recorder.collectives.size() == 2 * 2 + 1);
  const double group_ns = 2 * 2 * 50'000.0 + 2.0 * 2 / 3 * 1e6 / 1.25;
  for (std::size_t r = 0; r < 4; ++r) check_ns(recorder.collectives[r].duration, group_ns, 1);
}

TEST_CASE("at a group round each group waits for its own members only", "[sim][hierarchical]") {
  const Problem problem;
  const int n = 8, g = 4;
  const auto p = problem.training(n, 16);
  sgdsim::ComputeSpec compute;
  compute.speed_factors = {1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5};  // node 1 takes 2c a step
  Recorder recorder;
  const auto outcome = run(hierarchical_spec(g, 2, 8), p, two_level_spec(g, "ring_allreduce"), 1e6,
                           compute, &recorder);
  const SimTime group_time = recorder.collectives.front().duration;
  SimTime global_time;
  std::vector<SimTime> global_starts;
  for (const auto& c : recorder.collectives) {
    if (c.participants.size() == static_cast<std::size_t>(n)) {
      global_starts.push_back(c.start);
      global_time = c.duration;
    }
  }
  REQUIRE(global_starts.size() == 2);
  // The fast node's first group round starts after its own two steps, not the slow node's.
  CHECK(recorder.collectives.front().participants == range(0, g));
  CHECK(recorder.collectives.front().start == SimTime::from_ns(2 * kStepNs));
  // The fast workers wait at global rounds only, for the slow node.
  int fast_waits = 0;
  for (const auto& wait : recorder.waits) {
    if (wait.worker >= g) continue;
    ++fast_waits;
    CHECK((wait.end == global_starts[0] || wait.end == global_starts[1]));
  }
  CHECK(fast_waits == 2 * g);
  // The slow node never waits: it paces the run.
  const std::int64_t slow_path_ns = 16 * 2 * kStepNs + 6 * group_time.ns() + 2 * global_time.ns();
  CHECK(outcome.result.sim_time.ns() == slow_path_ns);
  CHECK(outcome.result.workers[n - 1].idle == SimTime{});
}

TEST_CASE("the group size defaults to the nodes' workers; run --real refuses the kind, saying why",
          "[sim][hierarchical]") {
  const std::string text = R"(workers: 8
steps: 32
algorithm: {kind: hierarchical_local_sgd, interval: 2, global_interval: 8, lr: 0.1}
model: {kind: softmax}
data: {kind: synthetic, samples: 400, features: 5, classes: 3}
network:
  topology: two_level
  workers_per_node: 4
  intra: {latency: 2us, bandwidth: 100GB/s}
  inter: {latency: 20us, bandwidth: 10Gbps}
)";
  const auto scenario = sgdsim::load_scenario_text(text, "hierarchical.yaml");
  CHECK(scenario.algorithm.group_size == 4);
  CHECK(scenario.algorithm.global_interval == 8);
  const auto explicit_groups =
      sgdsim::load_scenario_text(text, "hierarchical.yaml", {"algorithm.group_size=2"});
  CHECK(explicit_groups.algorithm.group_size == 2);
  CHECK_THROWS_WITH(sgdsim::check_real_execution(scenario),
                    Catch::Contains("algorithm.kind") && Catch::Contains("MPI_Comm_split"));

  // summary.json: the rounds and the collective's time of each level.
  const sgdsim::testing::TempDir dir("hierarchical");
  sgdsim::RunOptions options;
  options.out_dir = (dir / "run").string();
  options.quiet = true;
  (void)sgdsim::run_scenario(scenario, options);
  const auto summary =
      nlohmann::json::parse(sgdsim::testing::read_file(dir / "run" / "summary.json"));
  REQUIRE(summary["rounds_by_level"].size() == 2);
  const auto& group = summary["rounds_by_level"][0];
  const auto& global = summary["rounds_by_level"][1];
  CHECK(group["group_size"] == 4);
  CHECK(group["rounds"] == 12);  // after 2, 4, 6, 10, …, 30
  CHECK(global["rounds"] == 4);  // after 8, 16, 24, 32
  CHECK(summary["comm_rounds"] == 16);
  CHECK(global["collective_time_s"] == summary["collective_time_s"]);
  CHECK(group["collective_time_s"].get<double>() < global["collective_time_s"].get<double>());
}

TEST_CASE("group rounds average, keep or reset the momentum buffers within the group",
          "[sim][hierarchical]") {
  const Problem problem;
  const auto p = problem.training(6, 14);
  const double mu = 0.8;
  const auto plain = reference(problem, p, 3, 2, 6);
  for (const MomentumSync sync :
       {MomentumSync::average, MomentumSync::local, MomentumSync::reset}) {
    INFO("momentum_sync " << static_cast<int>(sync));
    const auto expected = reference(problem, p, 3, 2, 6, mu, sync);
    REQUIRE(relative_difference(expected[0], plain[0]) > 1e-6);  // momentum made a difference
    AlgorithmSpec spec = hierarchical_spec(3, 2, 6);
    spec.momentum = mu;
    spec.momentum_sync = sync;
    const auto timed = run(spec, p, two_level_spec(3, "ring_allreduce"), 1e6);
    CHECK(relative_difference(as_vector(timed.final_model), expected[0]) < 1e-12);
  }
}
