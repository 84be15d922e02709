// Chunked full-data evaluation: the same bits for any thread count, and the same values as one
// pass over all samples.
#include <catch2/catch.hpp>

#include "models/batched_evaluation.hpp"
#include "models/data/synthetic.hpp"
#include "models/model_spec.hpp"

TEST_CASE("chunked evaluation gives the same bits on any number of threads", "[models]") {
  sgdsim::SyntheticSpec spec;
  spec.task = sgdsim::Task::multiclass;
  spec.samples = 5 * sgdsim::kEvaluationChunk + 123;  // six chunks, the last a short one
  spec.test_samples = 0;
  spec.features = 6;
  spec.classes = 4;
  const auto data = sgdsim::make_synthetic<float>(spec, 4);
  sgdsim::ModelSpec model;
  model.kind = "mlp";
  model.hidden = {5};
  const auto objective = sgdsim::make_objective<float>(model, 6, 4);
  sgdsim::Rng rng(2);
  const auto params = objective->initial_params(true, rng);

  Eigen::VectorXf grad_one;
  const double loss_one =
      sgdsim::chunked_loss_and_gradient(*objective, params, data.train, std::nullopt, grad_one, 1);
  const auto eval_one = sgdsim::chunked_evaluate(*objective, params, data.train, 1);
  for (int threads : {2, 3, 4, 8}) {
    INFO(threads << " threads");
    Eigen::VectorXf grad;
    CHECK(sgdsim::chunked_loss_and_gradient(*objective, params, data.train, std::nullopt, grad,
                                            threads) == loss_one);
    CHECK(grad == grad_one);
    const auto eval = sgdsim::chunked_evaluate(*objective, params, data.train, threads);
    CHECK(eval.loss == eval_one.loss);
    CHECK(eval.accuracy == eval_one.accuracy);
  }
  // And the chunks add up to one pass over every sample (to float rounding).
  Eigen::VectorXf grad_whole;
  const float loss_whole =
      objective->loss_and_gradient(params, data.train.features, data.train.targets, grad_whole);
  CHECK(loss_one == Approx(loss_whole).epsilon(1e-5));
  CHECK((grad_one - grad_whole).lpNorm<Eigen::Infinity>() < 1e-5F);
}
