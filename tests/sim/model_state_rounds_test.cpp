// Batch norm's running statistics are model state: each worker's local steps move its own, and a
// round averages them with the parameters (PyTorch's model averagers average a module's state
// too), so that after the round every replica holds the workers' mean statistics.
#include <catch2/catch.hpp>

#include <vector>

#include "models/rng.hpp"
#include "models/sequential.hpp"
#include "sim/algorithms/local_sgd.hpp"
#include "tests/support/model_inputs.hpp"

namespace {

using sgdsim::nn::LayerKind;
using Vector = Eigen::VectorXd;

}  // namespace

TEST_CASE("a round averages batch-norm statistics with the parameters; local steps move them",
          "[sim][algorithms][nn]") {
  const sgdsim::ImageShape image{1, 4, 4};
  const sgdsim::Sequential<double> net(
      image,
      {{.kind = LayerKind::conv2d, .channels = 2, .kernel = 3, .padding = 1},
       {.kind = LayerKind::batch_norm},
       {.kind = LayerKind::relu},
       {.kind = LayerKind::global_avg_pool},
       {.kind = LayerKind::dense, .units = 3}},
      3);
  REQUIRE(net.num_state() == 4);
  sgdsim::Rng rng(3);
  sgdsim::TrainTestData<double> data;
  sgdsim::testing::random_batch(image.size(), 40, 3, rng, data.train.features, data.train.targets);
  data.train.num_classes = 3;
  data.train.image = image;
  sgdsim::TrainingProblem<double> problem;
  problem.objective = &net;
  problem.data = &data;
  problem.shards =
      sgdsim::Partition({{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {20, 21, 22, 23, 24, 25, 26, 27, 28, 29}});
  problem.initial_params = net.initial_params(true, rng);
  problem.steps = 4;
  problem.seed = 11;
  sgdsim::AlgorithmSpec spec;
  spec.interval = 2;
  spec.lr = 0.1;
  spec.batch_size = 4;
  sgdsim::LocalSgd<double> algorithm(problem, spec, nullptr);

  const Eigen::Index trainable = net.num_trainable();
  const Vector initial_state = problem.initial_params.tail(4);
  for (std::int64_t step = 1; step <= 2; ++step) {
    for (int w = 0; w < 2; ++w) REQUIRE(algorithm.local_step(w, step));
  }
  const Vector a = algorithm.replica(0), b = algorithm.replica(1);
  // Each worker moved its statistics from its own batches: they differ, and from the start.
  CHECK((a.tail(4) - initial_state).norm() > 1e-3);
  CHECK((a.tail(4) - b.tail(4)).norm() > 1e-3);
  REQUIRE(algorithm.rounds().synchronizes_after(2));
  algorithm.synchronize(2, {0, 1});
  const Vector mean = 0.5 * (a + b);
  for (int w = 0; w < 2; ++w) {
    CHECK((algorithm.replica(w).tail(4) - mean.tail(4)).norm() <= 1e-15);
    CHECK((algorithm.replica(w).head(trainable) - mean.head(trainable)).norm() <= 1e-14);
  }
  CHECK((algorithm.consensus() - mean).norm() <= 1e-14);
}
