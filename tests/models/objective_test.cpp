// Model objectives on tiny examples: losses, gradients and accuracies computed by hand, and the
// parameter and flop counts that follow from the layer shapes.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/model_spec.hpp"
#include "models/rng.hpp"
#include "tests/support/model_inputs.hpp"
#include "tests/support/model_specs.hpp"

namespace {

using sgdsim::testing::make_model;
using sgdsim::testing::random_batch;
using sgdsim::testing::random_params;
using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;

const double kLog2 = std::log(2.0);
double sigmoid(double z) {
  return 1.0 / (1.0 + std::exp(-z));
}

}  // namespace

// ---- Hand-computed values on tiny examples ----

TEST_CASE("least squares with w = 0, b = 0 has loss mean ½y² and gradient -mean(y·x), -mean(y)",
          "[models]") {
  const auto objective = make_model("least_squares", 1, 0);
  Matrix x(1, 3);
  x << 1, 0, 2;
  const Vector y = (Vector(3) << 1, 2, 3).finished();
  Vector grad;
  const double loss = objective->loss_and_gradient(Vector::Zero(2), x, y, grad);
  CHECK(loss == Approx(7.0 / 3.0));      // (1 + 4 + 9) / 2 / 3
  CHECK(grad[0] == Approx(-7.0 / 3.0));  // -(1·1 + 2·0 + 3·2) / 3
  CHECK(grad[1] == Approx(-2.0));
}

TEST_CASE("least squares loss and gradient match a hand computation at w = (1, 2), b = 0.5",
          "[models]") {
  const auto objective = make_model("least_squares", 2, 0);
  const Matrix x = Matrix::Identity(2, 2);          // predictions 1.5 and 2.5
  const Vector y = (Vector(2) << 1, 3).finished();  // residuals 0.5 and -0.5
  Vector grad;
  const double loss = objective->loss_and_gradient((Vector(3) << 1, 2, 0.5).finished(), x, y, grad);
  CHECK(loss == Approx(0.125));
  CHECK(grad[0] == Approx(0.25));
  CHECK(grad[1] == Approx(-0.25));
  CHECK(grad[2] == Approx(0.0).margin(1e-15));
}

TEST_CASE("logistic loss at z = 0 is log 2 for either label, gradient mean((½ - y)·x)",
          "[models]") {
  const auto objective = make_model("logistic", 1, 2);
  Matrix x(1, 3);
  x << 1, 2, 3;
  const Vector y = (Vector(3) << 0, 1, 1).finished();
  Vector grad;
  const double loss = objective->loss_and_gradient(Vector::Zero(2), x, y, grad);
  CHECK(loss == Approx(kLog2));
  CHECK(grad[0] == Approx(-2.0 / 3.0));  // (0.5·1 - 0.5·2 - 0.5·3) / 3
  CHECK(grad[1] == Approx(-1.0 / 6.0));
}

TEST_CASE("logistic loss stays finite and exact at |z| = 1000 (softplus, not log(1 + e^z))",
          "[models]") {
  const auto objective = make_model("logistic", 1, 2);
  Matrix x(1, 2);
  x << 1000, -1000;
  const Vector y = Vector::Zero(2);
  Vector grad;
  const double loss = objective->loss_and_gradient((Vector(2) << 1, 0).finished(), x, y, grad);
  CHECK(loss == Approx(500.0));     // (softplus(1000) + softplus(-1000)) / 2
  CHECK(grad[0] == Approx(500.0));  // (σ(1000)·1000 + σ(-1000)·(-1000)) / 2
  CHECK(grad[1] == Approx(0.5));
  CHECK(objective->evaluate((Vector(2) << -1, 0).finished(), x, y).loss == Approx(500.0));
}

TEST_CASE("softmax with zero parameters has loss log C and gradient (1/C - onehot)·x", "[models]") {
  const auto objective = make_model("softmax", 1, 3);
  Matrix x(1, 1);
  x << 2;
  const Vector y = Vector::Constant(1, 1.0);
  Vector grad;
  const double loss = objective->loss_and_gradient(Vector::Zero(6), x, y, grad);
  CHECK(loss == Approx(std::log(3.0)));
  // Layout [W (3 × 1), b (3)].
  const Vector expected =
      (Vector(6) << 2.0 / 3, -4.0 / 3, 2.0 / 3, 1.0 / 3, -2.0 / 3, 1.0 / 3).finished();
  for (Eigen::Index i = 0; i < 6; ++i) CHECK(grad[i] == Approx(expected[i]));
}

TEST_CASE("softmax cross-entropy stays finite and exact with a logit of 1000", "[models]") {
  const auto objective = make_model("softmax", 1, 3);
  const Matrix x = Matrix::Zero(1, 2);
  const Vector params = (Vector(6) << 0, 0, 0, 1000, 0, 0).finished();  // b = (1000, 0, 0)
  const Vector y = (Vector(2) << 0, 1).finished();
  Vector grad;
  // Losses ≈ 0 and ≈ 1000.
  CHECK(objective->loss_and_gradient(params, x, y, grad) == Approx(500.0));
  CHECK(grad.allFinite());
  CHECK(objective->evaluate(params, x, y).loss == Approx(500.0));
}

TEST_CASE("mlp loss and gradient match a hand computation (1 → relu 1 → 2)", "[models]") {
  const auto objective = make_model("mlp", 1, 2, {1});
  // [W1, b1, W2 (2 × 1), b2 (2)]: h = relu(2x - 1), logits = (h, -h).
  const Vector params = (Vector(6) << 2, -1, 1, -1, 0, 0).finished();
  Matrix x(1, 2);
  x << 1, 0;  // h = 1 (logits (1, -1)), h = 0 (logits (0, 0))
  const Vector y = (Vector(2) << 0, 1).finished();
  Vector grad;
  const double loss = objective->loss_and_gradient(params, x, y, grad);
  CHECK(loss == Approx((std::log1p(std::exp(-2.0)) + kLog2) / 2));
  const double s = sigmoid(-2.0);
  const Vector expected =
      (Vector(6) << -s, -s, -s / 2, s / 2, (0.5 - s) / 2, (s - 0.5) / 2).finished();
  for (Eigen::Index i = 0; i < 6; ++i) CHECK(grad[i] == Approx(expected[i]));
}

TEST_CASE("mlp without hidden layers equals softmax regression, parameter for parameter",
          "[models]") {
  sgdsim::Rng rng(3);
  const auto softmax = make_model("softmax", 5, 4);
  const auto mlp = make_model("mlp", 5, 4);
  REQUIRE(mlp->num_params() == softmax->num_params());
  Matrix x;
  Vector y;
  random_batch(5, 8, 4, rng, x, y);
  const Vector params = random_params(softmax->num_params(), rng);
  Vector grad_softmax, grad_mlp;
  CHECK(mlp->loss_and_gradient(params, x, y, grad_mlp) ==
        Approx(softmax->loss_and_gradient(params, x, y, grad_softmax)).epsilon(1e-12));
  CHECK((grad_mlp - grad_softmax).norm() < 1e-12);
}

// ---- Evaluation ----

TEST_CASE("logistic evaluate predicts 1 iff z > 0 and reports the fraction correct",
          "[models][evaluate]") {
  const auto objective = make_model("logistic", 1, 2);
  Matrix x(1, 4);
  x << 2, -1, 0, 3;  // z = x: predictions 1, 0, 0 (z = 0), 1
  const Vector y = (Vector(4) << 1, 0, 1, 0).finished();
  const auto evaluation = objective->evaluate((Vector(2) << 1, 0).finished(), x, y);
  CHECK(evaluation.accuracy == Approx(0.5));
}

TEST_CASE("softmax evaluate counts samples whose arg-max logit is the target",
          "[models][evaluate]") {
  const auto objective = make_model("softmax", 2, 3);
  // W = [[1, 0], [0, 1], [0, 0]], b = 0: logits (x0, x1, 0).
  const Vector params = (Vector(9) << 1, 0, 0, 0, 1, 0, 0, 0, 0).finished();
  Matrix x(2, 4);
  x << 2, 0, -1, 1,  //
      1, 3, -1, 5;   // arg-max: 0, 1, 2, 1
  const Vector y = (Vector(4) << 0, 1, 2, 0).finished();
  const auto evaluation = objective->evaluate(params, x, y);
  CHECK(evaluation.accuracy == Approx(0.75));
}

TEST_CASE("least squares evaluate reports NaN accuracy and its loss", "[models][evaluate]") {
  const auto objective = make_model("least_squares", 1, 0);
  const auto evaluation =
      objective->evaluate(Vector::Zero(2), Matrix::Ones(1, 2), (Vector(2) << 1, 3).finished());
  CHECK(std::isnan(evaluation.accuracy));
  CHECK(evaluation.loss == Approx(2.5));
}

// ---- Sizes and cost ----

TEST_CASE("num_params and flops_per_gradient follow the layer shapes (6·batch·Σ in·out)",
          "[models]") {
  CHECK(make_model("least_squares", 7, 0)->num_params() == 8);
  CHECK(make_model("least_squares", 7, 0)->flops_per_gradient(32) == 6.0 * 32 * 7);
  CHECK(make_model("logistic", 7, 2)->num_params() == 8);
  CHECK(make_model("logistic", 7, 2)->flops_per_gradient(32) == 6.0 * 32 * 7);
  CHECK(make_model("softmax", 7, 10)->num_params() == 80);
  CHECK(make_model("softmax", 7, 10)->flops_per_gradient(32) == 6.0 * 32 * 70);
  const auto mlp = make_model("mlp", 784, 10, {128, 64});
  CHECK(mlp->num_params() == 785 * 128 + 129 * 64 + 65 * 10);
  CHECK(mlp->flops_per_gradient(64) == 6.0 * 64 * (784 * 128 + 128 * 64 + 64 * 10));
  CHECK(mlp->flops_per_gradient(128) == 2 * mlp->flops_per_gradient(64));
}
