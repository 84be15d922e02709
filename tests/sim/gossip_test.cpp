// Decentralized (gossip) SGD: graphs and Metropolis weights checked by hand, mixing preserves the
// mean, a complete graph is local SGD with I = 1, the neighbour exchange's time on a switch is
// α + deg·S/B, and a run takes T·c plus that time per round.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/algorithms/gossip.hpp"
#include "sim/algorithms/local_sgd.hpp"
#include "sim/algorithms/registry.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/run/averaged_model_probe.hpp"
#include "sim/run/run_observer.hpp"
#include "sim/run/synchronous_run.hpp"
#include "tests/support/synthetic_problem.hpp"

namespace {

using sgdsim::AlgorithmSpec;
using sgdsim::Gossip;
using sgdsim::GossipGraph;
using Vector = Eigen::VectorXd;
using Neighbors = std::vector<std::vector<int>>;

const sgdsim::testing::SyntheticProblemOptions kProblemOptions{
    .test_samples = 0, .data_seed = 23, .partition_seed = 4, .init_seed = 8, .run_seed = 321};

constexpr std::int64_t kStepNs = 30'000'000;  // c
constexpr std::int64_t kLatencyNs = 50'000;   // α
constexpr double kBandwidth = 1.25e9;         // B: 10 Gb/s

AlgorithmSpec gossip_spec(GossipGraph graph, std::int64_t interval = 1, double lr = 0.2) {
  AlgorithmSpec spec;
  spec.kind = sgdsim::AlgorithmKind::gossip;
  spec.graph = graph;
  spec.interval = interval;
  spec.lr = lr;
  spec.batch_size = 8;
  return spec;
}

std::vector<int> all_of(int workers) {
  std::vector<int> ids(workers);
  for (int w = 0; w < workers; ++w) ids[w] = w;
  return ids;
}

// W as a dense matrix, from the rows the algorithm mixes with.
Eigen::MatrixXd dense(const std::vector<sgdsim::MixingRow>& rows) {
  const auto n = static_cast<Eigen::Index>(rows.size());
  Eigen::MatrixXd w = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (const auto& [j, weight] : rows[i]) w(i, j) = weight;
  }
  return w;
}

sgdsim::Network switch_network(int workers) {
  sgdsim::NetworkSpec spec;
  spec.link.latency = sgdsim::SimTime::from_ns(kLatencyNs);
  spec.link.bytes_per_second = kBandwidth;
  return sgdsim::Network(spec, workers);
}

class MetricsRecorder final : public sgdsim::RunObserver {
 public:
  void on_metrics(const sgdsim::MetricsRow& row) override { rows.push_back(row); }
  std::vector<sgdsim::MetricsRow> rows;
};

}  // namespace

TEST_CASE("ring neighbours: i±1 mod N, one neighbour for N = 2, none for N = 1", "[sim][gossip]") {
  CHECK(sgdsim::gossip_neighbors(GossipGraph::ring, 4) ==
        Neighbors{{1, 3}, {0, 2}, {1, 3}, {0, 2}});
  CHECK(sgdsim::gossip_neighbors(GossipGraph::ring, 2) == Neighbors{{1}, {0}});
  CHECK(sgdsim::gossip_neighbors(GossipGraph::ring, 1) == Neighbors{{}});
  // Every degree is 2, so W_ij = 1/3 for neighbours and W_ii = 1/3.
  const auto w4 = dense(sgdsim::metropolis_weights(sgdsim::gossip_neighbors(GossipGraph::ring, 4)));
  Eigen::MatrixXd expected(4, 4);
  expected << 1, 1, 0, 1,  //
      1, 1, 1, 0,          //
      0, 1, 1, 1,          //
      1, 0, 1, 1;
  CHECK((w4 - expected / 3.0).cwiseAbs().maxCoeff() <= 1e-15);
  const auto w2 = dense(sgdsim::metropolis_weights(sgdsim::gossip_neighbors(GossipGraph::ring, 2)));
  CHECK((w2 - Eigen::MatrixXd::Constant(2, 2, 0.5)).cwiseAbs().maxCoeff() <= 1e-15);
  CHECK(dense(sgdsim::metropolis_weights({{}}))(0, 0) == 1.0);
}

TEST_CASE("torus neighbours: an r × c wrap-around grid, r the largest divisor ≤ √N",
          "[sim][gossip]") {
  CHECK(sgdsim::torus_shape(9) == std::pair{3, 3});
  CHECK(sgdsim::torus_shape(12) == std::pair{3, 4});
  CHECK(sgdsim::torus_shape(8) == std::pair{2, 4});
  // 0 1 2 / 3 4 5 / 6 7 8: up, down, left, right with wrap-around.
  const auto n9 = sgdsim::gossip_neighbors(GossipGraph::torus, 9);
  CHECK(n9[0] == std::vector<int>{1, 2, 3, 6});
  CHECK(n9[4] == std::vector<int>{1, 3, 5, 7});
  CHECK(n9[8] == std::vector<int>{2, 5, 6, 7});
  // Every degree is 4: W_ij = 1/5, W_ii = 1/5.
  const auto w9 = dense(sgdsim::metropolis_weights(n9));
  CHECK(w9(4, 1) == Approx(0.2).epsilon(1e-15));
  CHECK(w9(4, 4) == Approx(0.2).epsilon(1e-15));
  CHECK(w9(4, 0) == 0.0);
  // 2 × 2: the row and the column partner, each once.
  CHECK(sgdsim::gossip_neighbors(GossipGraph::torus, 4) ==
        Neighbors{{1, 2}, {0, 3}, {0, 3}, {1, 2}});
  for (const int prime_or_small : {2, 3, 5, 7, 13}) {
    INFO("N = " << prime_or_small);
    CHECK_THROWS_AS(sgdsim::gossip_neighbors(GossipGraph::torus, prime_or_small),
                    std::invalid_argument);
  }
  CHECK_THROWS_WITH(sgdsim::torus_shape(7), Catch::Contains("prime"));
}

TEST_CASE("Metropolis weights on irregular graphs are symmetric and doubly stochastic",
          "[sim][gossip]") {
  // A star-ish graph: 0 joined to 1, 2, 3; 3 also to 4. Degrees 3, 1, 1, 2, 1.
  const Neighbors star{{1, 2, 3}, {0}, {0}, {0, 4}, {3}};
  const auto w = dense(sgdsim::metropolis_weights(star));
  CHECK(w(0, 1) == Approx(0.25));
  CHECK(w(3, 4) == Approx(1.0 / 3.0));
  CHECK(w(0, 0) == Approx(0.25));
  CHECK(w(1, 1) == Approx(0.75));
  CHECK((w - w.transpose()).cwiseAbs().maxCoeff() <= 1e-15);
  for (const auto graph : {GossipGraph::ring, GossipGraph::torus, GossipGraph::complete}) {
    const auto m = dense(sgdsim::metropolis_weights(sgdsim::gossip_neighbors(graph, 12)));
    CHECK((m.rowwise().sum().array() - 1.0).abs().maxCoeff() <= 1e-15);
    CHECK((m.colwise().sum().array() - 1.0).abs().maxCoeff() <= 1e-15);
    CHECK(m.minCoeff() >= 0.0);
  }
  CHECK((dense(sgdsim::metropolis_weights(sgdsim::gossip_neighbors(GossipGraph::complete, 5))) -
         Eigen::MatrixXd::Constant(5, 5, 0.2))
            .cwiseAbs()
            .maxCoeff() <= 1e-15);
}

TEST_CASE("gossip mixing preserves the mean of the replicas and pulls them together",
          "[sim][gossip]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kProblemOptions);
  for (const auto graph : {GossipGraph::ring, GossipGraph::torus, GossipGraph::complete}) {
    Gossip<double> algorithm(problem.training(6, 10), gossip_spec(graph, 5));
    for (std::int64_t step = 1; step <= 5; ++step) {
      for (int w = 0; w < 6; ++w) REQUIRE(algorithm.local_step(w, step));
    }
    REQUIRE_FALSE(algorithm.rounds().synchronizes_after(4));
    REQUIRE(algorithm.rounds().synchronizes_after(5));
    const Vector mean = algorithm.average_of_replicas();
    auto spread = [&] {
      double s = 0.0;
      for (int w = 0; w < 6; ++w) s += (algorithm.replica(w) - mean).squaredNorm();
      return s;
    };
    const double spread_before = spread();
    // The expected models, from the dense W and the models from before the exchange.
    const Eigen::MatrixXd w = dense(algorithm.mixing_weights());
    std::vector<Vector> expected(6, Vector::Zero(mean.size()));
    for (int i = 0; i < 6; ++i) {
      for (int j = 0; j < 6; ++j) expected[i] += w(i, j) * algorithm.replica(j);
    }
    algorithm.synchronize(5, all_of(6));
    CHECK((algorithm.average_of_replicas() - mean).norm() <= 1e-14 * mean.norm());
    CHECK(spread() < 0.9 * spread_before);
    for (int i = 0; i < 6; ++i) {
      CHECK((algorithm.replica(i) - expected[i]).norm() <= 1e-14 * mean.norm());
    }
  }
}

TEST_CASE("gossip on a complete graph is local SGD with I = 1", "[sim][gossip]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kProblemOptions);
  const int workers = 5;
  const std::int64_t steps = 30;
  Gossip<double> gossip(problem.training(workers, steps), gossip_spec(GossipGraph::complete));
  auto local_spec = gossip_spec(GossipGraph::complete);
  local_spec.kind = sgdsim::AlgorithmKind::local_sgd;
  sgdsim::LocalSgd<double> local(problem.training(workers, steps), local_spec);
  for (std::int64_t step = 1; step <= steps; ++step) {
    for (int w = 0; w < workers; ++w) {
      REQUIRE(gossip.local_step(w, step));
      REQUIRE(local.local_step(w, step));
    }
    REQUIRE(gossip.rounds().synchronizes_after(step));
    gossip.synchronize(step, all_of(workers));
    local.synchronize(step, all_of(workers));
  }
  const Vector& x = local.replica(0);
  REQUIRE((x - problem.training(workers, steps).initial_params).norm() > 1e-2);
  for (int w = 0; w < workers; ++w) CHECK((gossip.replica(w) - x).norm() <= 1e-12 * x.norm());
}

TEST_CASE("a neighbour exchange on a switch takes α + deg·S/B", "[sim][gossip]") {
  const double payload = 1e6;
  for (const auto& [graph, workers, degree] :
       {std::tuple{GossipGraph::ring, 6, 2}, std::tuple{GossipGraph::ring, 2, 1},
        std::tuple{GossipGraph::complete, 5, 4}, std::tuple{GossipGraph::torus, 9, 4}}) {
    INFO("N = " << workers << ", degree " << degree);
    auto network = switch_network(workers);
    const auto neighbors = sgdsim::gossip_neighbors(graph, workers);
    const auto cost = *network.neighbor_exchange_cost(neighbors, payload);
    const double expected_ns = kLatencyNs + degree * payload / kBandwidth * 1e9;
    CHECK(std::abs(static_cast<double>(cost.duration.ns()) - expected_ns) <= 0.5 + 1e-6);
    CHECK(cost.bytes_sent == Approx(workers * degree * payload));
  }
}

TEST_CASE("a gossip run takes T·c plus one neighbour exchange per round", "[sim][gossip]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kProblemOptions);
  for (const std::int64_t interval : {1, 4}) {
    INFO("interval " << interval);
    const int workers = 4;
    const std::int64_t steps = 40;
    auto algorithm = sgdsim::make_algorithm<double>(gossip_spec(GossipGraph::ring, interval),
                                                    problem.training(workers, steps));
    sgdsim::ComputeSpec compute_spec;
    compute_spec.mean = sgdsim::SimTime::from_ns(kStepNs);
    sgdsim::ComputeModel compute(compute_spec, workers, 5);
    auto network = switch_network(workers);
    const double payload = algorithm->rounds().payload_bytes();
    REQUIRE(payload == 18 * 8);  // softmax 6×3 parameters in float64
    const sgdsim::ClusterTiming timing{&compute, &network, payload};
    MetricsRecorder recorder;
    sgdsim::AveragedModelProbe<double> probe(*algorithm);
    sgdsim::SynchronousRun run(*algorithm, probe, timing, 10, recorder);
    const auto result = run.run();
    REQUIRE(result.status == sgdsim::RunStatus::ok);
    const std::int64_t rounds = steps / interval;
    CHECK(result.comm_rounds == rounds);
    const double exchange_ns = kLatencyNs + 2 * payload / kBandwidth * 1e9;  // ring: degree 2
    const double expected_ns = steps * static_cast<double>(kStepNs) + rounds * exchange_ns;
    CHECK(std::abs(static_cast<double>(result.sim_time.ns()) - expected_ns) <= rounds * 1.0);
    CHECK(result.bytes_sent == Approx(rounds * workers * 2 * payload));
    REQUIRE(recorder.rows.size() == 5);  // steps 0, 10, 20, 30, 40
    CHECK(recorder.rows.back().model.train_loss < 0.8 * recorder.rows.front().model.train_loss);
  }
}

TEST_CASE("gossip writes the mean of the replicas and refuses a torus of 7 workers",
          "[sim][gossip]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kProblemOptions);
  Gossip<double> algorithm(problem.training(3, 2), gossip_spec(GossipGraph::ring, 2));
  for (std::int64_t step = 1; step <= 2; ++step) {
    for (int w = 0; w < 3; ++w) REQUIRE(algorithm.local_step(w, step));
  }
  algorithm.synchronize(2, all_of(3));
  std::ostringstream written;
  sgdsim::AveragedModelProbe<double>(algorithm).write_model(written);
  std::ostringstream expected;
  expected << "parameter\n";
  const Vector mean = algorithm.average_of_replicas();
  for (Eigen::Index i = 0; i < mean.size(); ++i) expected << fmt::format("{}\n", mean[i]);
  CHECK(written.str() == expected.str());
  CHECK(algorithm.rounds().exchange().kind == sgdsim::Exchange::Kind::neighbors);
  CHECK_THROWS_WITH(
      sgdsim::make_algorithm<double>(gossip_spec(GossipGraph::torus), problem.training(7, 2)),
      Catch::Contains("prime"));
}
