// Every model's analytic gradient against central finite differences, in float64.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "models/model_spec.hpp"
#include "models/rng.hpp"
#include "tests/support/model_inputs.hpp"
#include "tests/support/model_specs.hpp"

namespace {

using sgdsim::Activation;
using sgdsim::testing::ModelCase;
using sgdsim::testing::random_batch;
using sgdsim::testing::spec_of;
using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;

std::vector<ModelCase> every_model() {
  return {
      {"least_squares", spec_of("least_squares"), 0},
      {"logistic", spec_of("logistic"), 2},
      {"softmax", spec_of("softmax"), 4},
      {"mlp without hidden layers", spec_of("mlp"), 3},
      {"mlp relu 6-5", spec_of("mlp", {6, 5}, Activation::relu), 3},
      {"mlp tanh 6-5", spec_of("mlp", {6, 5}, Activation::tanh), 3},
  };
}

}  // namespace

TEST_CASE("analytic gradient of every model matches central finite differences (float64)",
          "[models][gradient]") {
  constexpr Eigen::Index num_features = 4, batch = 9;
  constexpr double eps = 1e-6;
  for (const ModelCase& model_case : every_model()) {
    DYNAMIC_SECTION(model_case.label) {
      sgdsim::Rng rng(sgdsim::derive_seed(17, model_case.label));
      const auto objective =
          sgdsim::make_objective<double>(model_case.spec, num_features, model_case.num_classes);
      Matrix features;
      Vector targets;
      random_batch(num_features, batch, model_case.num_classes, rng, features, targets);
      // Parameters of order 1 so gradients are far from zero and relu units far from their kink.
      Vector params(objective->num_params());
      for (double& p : params) p = 0.7 * rng.normal();

      Vector grad;
      objective->loss_and_gradient(params, features, targets, grad);
      REQUIRE(grad.size() == params.size());

      Vector unused;
      double max_error = 0.0;
      for (Eigen::Index i = 0; i < params.size(); ++i) {
        Vector plus = params, minus = params;
        plus[i] += eps;
        minus[i] -= eps;
        const double numeric = (objective->loss_and_gradient(plus, features, targets, unused) -
                                objective->loss_and_gradient(minus, features, targets, unused)) /
                               (2 * eps);
        INFO("param " << i << ": analytic " << grad[i] << ", numeric " << numeric);
        CHECK(grad[i] == Approx(numeric).epsilon(1e-6).margin(1e-8));
        max_error = std::max(max_error, std::abs(grad[i] - numeric));
      }
      // The gradient is not trivially zero, so the comparison above has teeth.
      CHECK(grad.norm() > 1e-2);
      CHECK(max_error < 1e-7);  // measured ≈ 5e-10: central differences are O(eps²)
    }
  }
}
