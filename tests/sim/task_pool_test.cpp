// Exceptions thrown by work on helper threads (a worker's local step on the task pool, a chunk of
// an evaluation) reach the caller instead of calling std::terminate.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

#include "models/batched_evaluation.hpp"
#include "sim/algorithms/local_sgd.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/run/averaged_model_probe.hpp"
#include "sim/run/synchronous_run.hpp"
#include "sim/run/task_pool.hpp"
#include "tests/support/synthetic_problem.hpp"

namespace {

// Local SGD whose worker 1 throws at its third local step.
class ThrowingLocalSgd final : public sgdsim::Algorithm {
 public:
  explicit ThrowingLocalSgd(sgdsim::LocalSgd<double>& inner) : inner_(inner) {}
  int workers() const override { return inner_.workers(); }
  std::int64_t steps() const override { return inner_.steps(); }
  sgdsim::RoundPolicy& rounds() override { return inner_.rounds(); }
  bool local_step(int worker, std::int64_t step) override {
    if (worker == 1 && step == 3) throw std::runtime_error("worker 1 failed at step 3");
    return inner_.local_step(worker, step);
  }
  void synchronize(std::int64_t step, const std::vector<int>& participants) override {
    inner_.synchronize(step, participants);
  }
  double take_round_loss() override { return inner_.take_round_loss(); }
  void rejoin(int worker) override { inner_.rejoin(worker); }
  void begin_delayed_round(int worker) override { inner_.begin_delayed_round(worker); }
  void complete_delayed_round(std::int64_t step, const std::vector<int>& participants) override {
    inner_.complete_delayed_round(step, participants);
  }
  void apply_delayed_round(int worker, std::int64_t steps_since_sent) override {
    inner_.apply_delayed_round(worker, steps_since_sent);
  }

 private:
  sgdsim::LocalSgd<double>& inner_;
};

}  // namespace

TEST_CASE("a task that throws on a helper thread rethrows in wait(), and the pool goes on",
          "[sim][threads]") {
  sgdsim::TaskPool pool(2);
  std::atomic<bool> started{false};
  const auto ticket = pool.submit([&]() -> bool {
    started = true;
    throw std::runtime_error("task failed");
  });
  // Only the helper runs a task before wait() is called: once it has started, it is the helper's.
  while (!started) std::this_thread::yield();
  CHECK_THROWS_WITH(pool.wait(ticket), "task failed");
  const auto next = pool.submit([] { return true; });
  CHECK(pool.wait(next));
}

TEST_CASE("for_chunks rethrows what a helper thread's chunk threw, after every thread stopped",
          "[models][threads]") {
  std::atomic<int> done{0};
  const auto body = [&](Eigen::Index chunk) {
    if (chunk == 3) throw std::invalid_argument("chunk 3 failed");
    ++done;
  };
  // Chunk 3 belongs to the helper of two threads (chunks 1, 3, 5, ...).
  CHECK_THROWS_WITH(sgdsim::for_chunks(0, 8, 2, body), "chunk 3 failed");
  CHECK(done == 5);  // the caller's four chunks, and the helper's chunk 1 before it threw
}

TEST_CASE("a local step that throws under threads 2 ends the run with that exception",
          "[sim][threads]") {
  const sgdsim::testing::SyntheticProblemOptions options{
      .test_samples = 0, .data_seed = 3, .partition_seed = 1, .init_seed = 2, .run_seed = 11};
  const sgdsim::testing::SyntheticProblem<double> problem(options);
  sgdsim::AlgorithmSpec spec;
  spec.interval = 4;
  spec.lr = 0.1;
  spec.batch_size = 8;
  sgdsim::LocalSgd<double> local_sgd(problem.training(4, 20), spec);
  ThrowingLocalSgd algorithm(local_sgd);
  sgdsim::ComputeSpec compute_spec;
  compute_spec.kind = "lognormal";
  compute_spec.sigma = 0.3;
  sgdsim::ComputeModel compute(compute_spec, 4, 5);
  sgdsim::Network network(sgdsim::NetworkSpec{}, 4);
  const sgdsim::ClusterTiming timing{&compute, &network, local_sgd.rounds().payload_bytes()};
  sgdsim::AveragedModelProbe<double> probe(local_sgd);
  sgdsim::RunObserver observer;
  for (int threads : {1, 2}) {
    INFO("threads " << threads);
    sgdsim::SynchronousRun run(algorithm, probe, timing, 0, observer, nullptr, threads);
    CHECK_THROWS_WITH(run.run(), "worker 1 failed at step 3");
  }
}
