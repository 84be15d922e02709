// What every algorithm does with the model it reports: measure it on the whole training set (and
// the test set) for metrics.csv, and write it out as model.csv.
#pragma once

#include <fmt/format.h>

#include <ostream>

#include "models/batched_evaluation.hpp"
#include "models/data/dataset.hpp"
#include "models/objective.hpp"
#include "sim/algorithms/algorithm.hpp"

namespace sgdsim {

template <class Scalar>
ModelMetrics measure_model(const Objective<Scalar>& objective, const TrainTestData<Scalar>& data,
                           const typename Objective<Scalar>::Vector& model, int threads = 1) {
  ModelMetrics metrics;
  typename Objective<Scalar>::Vector grad;
  metrics.train_loss =
      chunked_loss_and_gradient(objective, model, data.train, nullptr, grad, threads);
  metrics.grad_norm_sq = grad.template cast<double>().squaredNorm();
  if (data.test) {
    const Evaluation test = chunked_evaluate(objective, model, *data.test, threads);
    metrics.test_loss = test.loss;
    metrics.test_accuracy = test.accuracy;
  }
  return metrics;
}

// A header line, then one parameter per line (shortest round-trip form).
template <class Vector>
void write_parameters(std::ostream& out, const Vector& model) {
  out << "parameter\n";
  for (Eigen::Index i = 0; i < model.size(); ++i) out << fmt::format("{}\n", model[i]);
}

}  // namespace sgdsim
