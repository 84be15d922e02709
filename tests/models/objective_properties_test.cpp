// Properties every model objective has: evaluate agrees with loss_and_gradient, the loss is an
// order-independent mean, float agrees with double, bad batches are rejected; and initialisation.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/model_spec.hpp"
#include "models/rng.hpp"
#include "tests/support/model_inputs.hpp"
#include "tests/support/model_specs.hpp"

namespace {

using sgdsim::Activation;
using sgdsim::testing::make_model;
using sgdsim::testing::ModelCase;
using sgdsim::testing::random_batch;
using sgdsim::testing::random_params;
using sgdsim::testing::spec_of;
using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;

std::vector<ModelCase> every_model() {
  return {
      {"least_squares", spec_of("least_squares"), 0},
      {"logistic", spec_of("logistic"), 2},
      {"softmax", spec_of("softmax"), 4},
      {"mlp relu 6-5", spec_of("mlp", {6, 5}, Activation::relu), 3},
      {"mlp tanh 6", spec_of("mlp", {6}, Activation::tanh), 3},
  };
}

}  // namespace

// ---- Properties over every model ----

TEST_CASE("evaluate's loss equals loss_and_gradient's loss for every model", "[models]") {
  for (const auto& model_case : every_model()) {
    DYNAMIC_SECTION(model_case.label) {
      sgdsim::Rng rng(11);
      const auto objective =
          sgdsim::make_objective<double>(model_case.spec, 3, model_case.num_classes);
      Matrix x;
      Vector y;
      random_batch(3, 10, model_case.num_classes, rng, x, y);
      const Vector params = random_params(objective->num_params(), rng);
      Vector grad;
      CHECK(objective->evaluate(params, x, y).loss ==
            Approx(objective->loss_and_gradient(params, x, y, grad)).epsilon(1e-12));
    }
  }
}

TEST_CASE("loss and gradient do not depend on the order of the samples", "[models]") {
  for (const auto& model_case : every_model()) {
    DYNAMIC_SECTION(model_case.label) {
      sgdsim::Rng rng(5);
      const auto objective =
          sgdsim::make_objective<double>(model_case.spec, 3, model_case.num_classes);
      Matrix x;
      Vector y;
      random_batch(3, 12, model_case.num_classes, rng, x, y);
      const Vector params = random_params(objective->num_params(), rng);

      std::vector<Eigen::Index> order(12);
      std::iota(order.begin(), order.end(), 0);
      rng.shuffle(order.begin(), order.end());
      const Matrix x_shuffled = x(Eigen::all, order);
      const Vector y_shuffled = y(order);
      REQUIRE(x_shuffled != x);

      Vector grad, grad_shuffled;
      const double loss = objective->loss_and_gradient(params, x, y, grad);
      CHECK(objective->loss_and_gradient(params, x_shuffled, y_shuffled, grad_shuffled) ==
            Approx(loss).epsilon(1e-12));
      CHECK((grad_shuffled - grad).norm() <= 1e-12 * (1 + grad.norm()));
    }
  }
}

TEST_CASE("loss is a mean: duplicating the batch leaves loss and gradient unchanged", "[models]") {
  for (const auto& model_case : every_model()) {
    DYNAMIC_SECTION(model_case.label) {
      sgdsim::Rng rng(6);
      const auto objective =
          sgdsim::make_objective<double>(model_case.spec, 3, model_case.num_classes);
      Matrix x;
      Vector y;
      random_batch(3, 7, model_case.num_classes, rng, x, y);
      const Vector params = random_params(objective->num_params(), rng);
      Matrix x_twice(3, 14);
      x_twice << x, x;
      Vector y_twice(14);
      y_twice << y, y;

      Vector grad, grad_twice;
      const double loss = objective->loss_and_gradient(params, x, y, grad);
      CHECK(objective->loss_and_gradient(params, x_twice, y_twice, grad_twice) ==
            Approx(loss).epsilon(1e-12));
      CHECK((grad_twice - grad).norm() <= 1e-12 * (1 + grad.norm()));
      CHECK(objective->evaluate(params, x_twice, y_twice).loss == Approx(loss).epsilon(1e-12));
    }
  }
}

TEST_CASE("float and double objectives agree to 1e-4 on the same inputs", "[models]") {
  for (const auto& model_case : every_model()) {
    DYNAMIC_SECTION(model_case.label) {
      sgdsim::Rng rng(8);
      const auto in_double =
          sgdsim::make_objective<double>(model_case.spec, 6, model_case.num_classes);
      const auto in_float =
          sgdsim::make_objective<float>(model_case.spec, 6, model_case.num_classes);
      Matrix x;
      Vector y;
      random_batch(6, 32, model_case.num_classes, rng, x, y);
      const Vector params = random_params(in_double->num_params(), rng);

      Vector grad;
      Eigen::VectorXf grad_float;
      const double loss = in_double->loss_and_gradient(params, x, y, grad);
      const float loss_float = in_float->loss_and_gradient(params.cast<float>(), x.cast<float>(),
                                                           y.cast<float>(), grad_float);
      CHECK(loss_float == Approx(loss).epsilon(1e-4));
      CHECK((grad_float.cast<double>() - grad).norm() <= 1e-4 * (1 + grad.norm()));
      const auto evaluation = in_double->evaluate(params, x, y);
      const auto evaluation_float =
          in_float->evaluate(params.cast<float>(), x.cast<float>(), y.cast<float>());
      CHECK(evaluation_float.loss == Approx(evaluation.loss).epsilon(1e-4));
      if (model_case.num_classes > 0) CHECK(evaluation_float.accuracy == evaluation.accuracy);
    }
  }
}

TEST_CASE("a batch of the wrong shape or with invalid labels is rejected", "[models]") {
  const Matrix x = Matrix::Zero(3, 2);
  Vector grad;
  for (const auto& model_case : every_model()) {
    DYNAMIC_SECTION(model_case.label) {
      const auto objective =
          sgdsim::make_objective<double>(model_case.spec, 3, model_case.num_classes);
      const Vector params = Vector::Zero(objective->num_params());
      const Vector y = Vector::Zero(2);
      CHECK_THROWS_AS(objective->loss_and_gradient(params, Matrix::Zero(4, 2), y, grad),
                      std::invalid_argument);
      CHECK_THROWS_AS(objective->loss_and_gradient(params, x, Vector::Zero(3), grad),
                      std::invalid_argument);
      CHECK_THROWS_AS(objective->loss_and_gradient(Vector::Zero(params.size() + 1), x, y, grad),
                      std::invalid_argument);
      CHECK_THROWS_AS(objective->evaluate(params, Matrix::Zero(3, 0), Vector::Zero(0)),
                      std::invalid_argument);
      if (model_case.num_classes > 0) {
        const Vector out_of_range = Vector::Constant(2, model_case.num_classes);
        CHECK_THROWS_AS(objective->loss_and_gradient(params, x, out_of_range, grad),
                        std::invalid_argument);
        CHECK_THROWS_AS(objective->evaluate(params, x, Vector::Constant(2, 0.5)),
                        std::invalid_argument);
      }
    }
  }
}

// ---- Initialisation ----

TEST_CASE("zero initialisation gives all-zero parameters of the right size", "[models][init]") {
  sgdsim::Rng rng(1);
  for (const auto& model_case : every_model()) {
    DYNAMIC_SECTION(model_case.label) {
      const auto objective =
          sgdsim::make_objective<double>(model_case.spec, 3, model_case.num_classes);
      const Vector params = objective->initial_params(false, rng);
      CHECK(params.size() == objective->num_params());
      CHECK(params.isZero(0.0));
    }
  }
}

TEST_CASE("random initialisation is a pure function of the Rng seed", "[models][init]") {
  for (const auto& model_case : every_model()) {
    DYNAMIC_SECTION(model_case.label) {
      const auto objective =
          sgdsim::make_objective<double>(model_case.spec, 3, model_case.num_classes);
      sgdsim::Rng first(42), second(42), other(43);
      const Vector params = objective->initial_params(true, first);
      CHECK(params == objective->initial_params(true, second));
      CHECK(params != objective->initial_params(true, other));
      CHECK(!params.isZero(0.0));
    }
  }
}

TEST_CASE("linear models draw weights from N(0, 0.01²) and start with zero bias",
          "[models][init]") {
  constexpr Eigen::Index d = 20000;
  for (const char* kind : {"least_squares", "logistic", "softmax"}) {
    DYNAMIC_SECTION(kind) {
      const int num_classes = std::string(kind) == "least_squares" ? 0
                              : std::string(kind) == "logistic"    ? 2
                                                                   : 3;
      const auto objective = make_model(kind, d, num_classes);
      sgdsim::Rng rng(9);
      const Vector params = objective->initial_params(true, rng);
      const Eigen::Index num_biases = num_classes == 3 ? 3 : 1;
      const Vector weights = params.head(params.size() - num_biases);
      CHECK(params.tail(num_biases).isZero(0.0));
      CHECK(std::abs(weights.mean()) < 0.001);
      CHECK(std::sqrt(weights.squaredNorm() / static_cast<double>(weights.size())) ==
            Approx(0.01).epsilon(0.02));
    }
  }
}

TEST_CASE("mlp initialises relu layers He-normal, tanh layers Glorot-uniform, biases zero",
          "[models][init]") {
  constexpr Eigen::Index in = 400;
  constexpr int hidden = 300, classes = 10;
  sgdsim::Rng rng(10);
  // The first layer's weights occupy params[0, in·hidden), its bias the next `hidden` entries.
  SECTION("relu: N(0, 2 / fan_in)") {
    const auto objective =
        sgdsim::make_objective<double>(spec_of("mlp", {hidden}, Activation::relu), in, classes);
    const Vector params = objective->initial_params(true, rng);
    const Vector weights = params.head(in * hidden);
    CHECK(std::abs(weights.mean()) < 0.002);
    CHECK(std::sqrt(weights.squaredNorm() / static_cast<double>(weights.size())) ==
          Approx(std::sqrt(2.0 / in)).epsilon(0.01));
    CHECK(params.segment(in * hidden, hidden).isZero(0.0));
    CHECK(params.tail(classes).isZero(0.0));
  }
  SECTION("tanh: U(±sqrt(6 / (fan_in + fan_out)))") {
    const auto objective =
        sgdsim::make_objective<double>(spec_of("mlp", {hidden}, Activation::tanh), in, classes);
    const Vector params = objective->initial_params(true, rng);
    const Vector weights = params.head(in * hidden);
    const double limit = std::sqrt(6.0 / (in + hidden));
    CHECK(weights.cwiseAbs().maxCoeff() <= limit);
    CHECK(weights.cwiseAbs().maxCoeff() > 0.99 * limit);
    CHECK(std::sqrt(weights.squaredNorm() / static_cast<double>(weights.size())) ==
          Approx(limit / std::sqrt(3.0)).epsilon(0.01));
    CHECK(params.segment(in * hidden, hidden).isZero(0.0));
    CHECK(params.tail(classes).isZero(0.0));
  }
}
