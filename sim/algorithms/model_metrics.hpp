// What measuring a model reports: its loss and gradient norm on the training set, and its loss and
// accuracy on the test set.
#pragma once

#include <cmath>
#include <limits>

namespace sgdsim {

struct ModelMetrics {
  double train_loss = 0.0;
  // ‖∇f(x̄)‖² of the full training objective; NaN when not measured (eval.grad_norm: false)
  double grad_norm_sq = 0.0;
  double test_loss = std::numeric_limits<double>::quiet_NaN();
  double test_accuracy = std::numeric_limits<double>::quiet_NaN();

  bool finite() const {
    return std::isfinite(train_loss) && (std::isfinite(grad_norm_sq) || !grad_norm_measured);
  }
  bool grad_norm_measured = true;
};

// What a measurement of the averaged model covers: everything metrics.csv reports, or only the
// training-set figures (eval.step_averages measures those at every step; the test set is not
// needed there).
enum class MeasureScope { train_and_test, train_only };

}  // namespace sgdsim
