// What every algorithm does with the model it reports: measure it on the training set (the whole
// set, or the fixed subset `eval.samples` chose) and the test set for metrics.csv, and write it out
// as model.csv. Without the gradient norm the
// training set needs a forward pass only, about a third of the cost.
#pragma once

#include <fmt/format.h>

#include <limits>
#include <optional>
#include <ostream>

#include "models/batched_evaluation.hpp"
#include "models/data/dataset.hpp"
#include "models/objective.hpp"
#include "sim/algorithms/model_metrics.hpp"

namespace sgdsim {

template <class Scalar>
ModelMetrics measure_model(const Objective<Scalar>& objective, const Dataset<Scalar>& train,
                           const std::optional<Dataset<Scalar>>& test,
                           const typename Objective<Scalar>::Vector& model, int threads = 1,
                           bool grad_norm = true,
                           MeasureScope scope = MeasureScope::train_and_test) {
  ModelMetrics metrics;
  if (grad_norm) {
    typename Objective<Scalar>::Vector grad;
    metrics.train_loss =
        chunked_loss_and_gradient(objective, model, train, std::nullopt, grad, threads);
    metrics.grad_norm_sq = grad.template cast<double>().squaredNorm();
    // A model with state (batch norm) computes its gradient with batch statistics; its train
    // loss is measured as its test loss is, with the running ones, whether or not the gradient
    // is measured too.
    if (objective.num_state() > 0) {
      metrics.train_loss = chunked_evaluate(objective, model, train, threads).loss;
    }
  } else {
    metrics.train_loss = chunked_evaluate(objective, model, train, threads).loss;
    metrics.grad_norm_sq = std::numeric_limits<double>::quiet_NaN();
    metrics.grad_norm_measured = false;
  }
  if (test && scope == MeasureScope::train_and_test) {
    const Evaluation measured = chunked_evaluate(objective, model, *test, threads);
    metrics.test_loss = measured.loss;
    metrics.test_accuracy = measured.accuracy;
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
