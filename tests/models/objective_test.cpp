// Properties of the model objectives: hand-computed losses, mean and order invariance,
// evaluation, initialisation, flop counts and the factory's checks.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/model_spec.hpp"
#include "models/rng.hpp"

namespace {

using sgdsim::Activation;
using sgdsim::ModelSpec;
using sgdsim::Task;
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
      {"mlp relu 6-5", spec_of("mlp", {6, 5}, Activation::relu), 3},
      {"mlp tanh 6", spec_of("mlp", {6}, Activation::tanh), 3},
  };
}

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

Vector random_params(Eigen::Index size, sgdsim::Rng& rng) {
  Vector params(size);
  for (double& p : params) p = 0.5 * rng.normal();
  return params;
}

std::unique_ptr<sgdsim::Objective<double>> make(const std::string& kind, Eigen::Index num_features,
                                                int num_classes, std::vector<int> hidden = {}) {
  return sgdsim::make_objective<double>(spec_of(kind, std::move(hidden)), num_features,
                                        num_classes);
}

const double kLog2 = std::log(2.0);
double sigmoid(double z) {
  return 1.0 / (1.0 + std::exp(-z));
}

}  // namespace

// ---- Hand-computed values on tiny examples ----

TEST_CASE("least squares with w = 0, b = 0 has loss mean ½y² and gradient -mean(y·x), -mean(y)",
          "[models]") {
  const auto objective = make("least_squares", 1, 0);
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
  const auto objective = make("least_squares", 2, 0);
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
  const auto objective = make("logistic", 1, 2);
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
  const auto objective = make("logistic", 1, 2);
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
  const auto objective = make("softmax", 1, 3);
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
  const auto objective = make("softmax", 1, 3);
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
  const auto objective = make("mlp", 1, 2, {1});
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
  const auto softmax = make("softmax", 5, 4);
  const auto mlp = make("mlp", 5, 4);
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
  const auto objective = make("logistic", 1, 2);
  Matrix x(1, 4);
  x << 2, -1, 0, 3;  // z = x: predictions 1, 0, 0 (z = 0), 1
  const Vector y = (Vector(4) << 1, 0, 1, 0).finished();
  const auto evaluation = objective->evaluate((Vector(2) << 1, 0).finished(), x, y);
  CHECK(evaluation.accuracy == Approx(0.5));
}

TEST_CASE("softmax evaluate counts samples whose arg-max logit is the target",
          "[models][evaluate]") {
  const auto objective = make("softmax", 2, 3);
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
  const auto objective = make("least_squares", 1, 0);
  const auto evaluation =
      objective->evaluate(Vector::Zero(2), Matrix::Ones(1, 2), (Vector(2) << 1, 3).finished());
  CHECK(std::isnan(evaluation.accuracy));
  CHECK(evaluation.loss == Approx(2.5));
}

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
      const auto objective = make(kind, d, num_classes);
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

// ---- Sizes and cost ----

TEST_CASE("num_params and flops_per_gradient follow the layer shapes (6·batch·Σ in·out)",
          "[models]") {
  CHECK(make("least_squares", 7, 0)->num_params() == 8);
  CHECK(make("least_squares", 7, 0)->flops_per_gradient(32) == 6.0 * 32 * 7);
  CHECK(make("logistic", 7, 2)->num_params() == 8);
  CHECK(make("logistic", 7, 2)->flops_per_gradient(32) == 6.0 * 32 * 7);
  CHECK(make("softmax", 7, 10)->num_params() == 80);
  CHECK(make("softmax", 7, 10)->flops_per_gradient(32) == 6.0 * 32 * 70);
  const auto mlp = make("mlp", 784, 10, {128, 64});
  CHECK(mlp->num_params() == 785 * 128 + 129 * 64 + 65 * 10);
  CHECK(mlp->flops_per_gradient(64) == 6.0 * 64 * (784 * 128 + 128 * 64 + 64 * 10));
  CHECK(mlp->flops_per_gradient(128) == 2 * mlp->flops_per_gradient(64));
}

// ---- Registry and factory ----

TEST_CASE("the catalog lists every model once, with a description and its task",
          "[models][registry]") {
  const auto& catalog = sgdsim::model_catalog();
  std::vector<std::string> names;
  for (const auto& info : catalog) {
    names.push_back(info.name);
    CHECK(!info.description.empty());
    CHECK(sgdsim::find_model(info.name) == &info);
  }
  CHECK(names == std::vector<std::string>{"least_squares", "logistic", "softmax", "mlp"});
  CHECK(sgdsim::find_model("logistic")->task == Task::binary);
  CHECK(sgdsim::find_model("least_squares")->task == Task::regression);
  CHECK(sgdsim::find_model("mlp")->task == Task::multiclass);
  CHECK(sgdsim::find_model("perceptron") == nullptr);
}

TEST_CASE("make_objective builds every catalog model for data of its task", "[models][registry]") {
  for (const auto& info : sgdsim::model_catalog()) {
    DYNAMIC_SECTION(info.name) {
      const int num_classes = info.task == Task::regression ? 0 : info.task == Task::binary ? 2 : 5;
      CHECK(sgdsim::make_objective<float>(spec_of(info.name), 3, num_classes) != nullptr);
      CHECK(sgdsim::make_objective<double>(spec_of(info.name), 3, num_classes) != nullptr);
    }
  }
}

TEST_CASE("make_objective rejects unknown models and data of the wrong task",
          "[models][registry]") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(make("perceptron", 3, 2), Contains("unknown model 'perceptron'") &&
                                                  Contains("least_squares") && Contains("mlp"));
  CHECK_THROWS_WITH(make("logistic", 3, 10), Contains("logistic") && Contains("10 classes"));
  CHECK_THROWS_AS(make("logistic", 3, 0), std::invalid_argument);
  CHECK_THROWS_WITH(make("least_squares", 3, 2), Contains("least_squares"));
  CHECK_THROWS_AS(make("softmax", 3, 0), std::invalid_argument);
  CHECK_THROWS_AS(make("softmax", 3, 1), std::invalid_argument);
  CHECK_THROWS_AS(make("mlp", 3, 1, {4}), std::invalid_argument);
  CHECK_THROWS_AS(make("mlp", 0, 3, {4}), std::invalid_argument);
  CHECK_THROWS_WITH(make("mlp", 3, 3, {4, 0}), Contains(">= 1"));
  CHECK_THROWS_WITH(make("softmax", 3, 3, {4}), Contains("hidden"));
  CHECK_THROWS_AS(sgdsim::make_objective<float>(spec_of("logistic"), 3, 3), std::invalid_argument);
  // Softmax and mlp accept binary data.
  CHECK_NOTHROW(make("softmax", 3, 2));
  CHECK_NOTHROW(make("mlp", 3, 2, {4}));
}
