// Every model's analytic gradient against central finite differences, in float64.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "models/model_spec.hpp"
#include "models/rng.hpp"

namespace {

using sgdsim::Activation;
using sgdsim::ModelSpec;
using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;

// ModelSpec by parts (designated initializers trip GCC 12's -Wmissing-field-initializers).
ModelSpec spec_of(std::string kind, std::vector<int> hidden = {},
                  Activation activation = Activation::relu) {
  ModelSpec spec;
  spec.kind = std::move(kind);
  spec.hidden = std::move(hidden);
  spec.activation = activation;
  return spec;
}

struct ModelCase {
  std::string label;
  ModelSpec spec;
  int num_classes;
};

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

// Samples N(0, 1); targets N(0, 1) for regression, else uniform class indices.
void random_batch(Eigen::Index num_features, Eigen::Index batch, int num_classes, sgdsim::Rng& rng,
                  Matrix& features, Vector& targets) {
  features.resize(num_features, batch);
  for (double& x : features.reshaped()) x = rng.normal();
  targets.resize(batch);
  for (double& y : targets) {
    y = num_classes == 0
            ? rng.normal()
            : static_cast<double>(rng.uniform_index(static_cast<unsigned>(num_classes)));
  }
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
