#include "models/data/synthetic.hpp"

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace sgdsim {
namespace {

SyntheticSpec spec_for(Task task) {
  SyntheticSpec spec;
  spec.task = task;
  spec.samples = 500;
  spec.test_samples = 100;
  spec.features = 7;
  spec.classes = 4;
  return spec;
}

// Least-squares [w; b] for targets ≈ w·x + b.
Eigen::VectorXd fit_linear(const Dataset<double>& data) {
  Eigen::MatrixXd design(data.num_samples(), data.num_features() + 1);
  design.leftCols(data.num_features()) = data.features.transpose();
  design.rightCols(1).setOnes();
  return (design.transpose() * design).ldlt().solve(design.transpose() * data.targets);
}

Eigen::VectorXd predict_linear(const Eigen::VectorXd& fit, const Dataset<double>& data) {
  const auto d = data.num_features();
  return (fit.head(d).transpose() * data.features).transpose().array() + fit(d);
}

// Accuracy on `test` of assigning each sample to the nearest class mean of `train`.
double nearest_mean_accuracy(const Dataset<double>& train, const Dataset<double>& test) {
  Eigen::MatrixXd means = Eigen::MatrixXd::Zero(train.num_features(), train.num_classes);
  Eigen::VectorXd counts = Eigen::VectorXd::Zero(train.num_classes);
  for (Eigen::Index i = 0; i < train.num_samples(); ++i) {
    const auto y = static_cast<Eigen::Index>(train.targets(i));
    means.col(y) += train.features.col(i);
    counts(y) += 1;
  }
  means.array().rowwise() /= counts.transpose().array();
  int correct = 0;
  for (Eigen::Index i = 0; i < test.num_samples(); ++i) {
    Eigen::Index nearest = 0;
    (means.colwise() - test.features.col(i)).colwise().squaredNorm().minCoeff(&nearest);
    correct += nearest == static_cast<Eigen::Index>(test.targets(i));
  }
  return static_cast<double>(correct) / static_cast<double>(test.num_samples());
}

}  // namespace

TEST_CASE("synthetic data is a function of the seed: same seed same data, new seed new data",
          "[synthetic]") {
  for (Task task : {Task::regression, Task::binary, Task::multiclass}) {
    INFO("task " << to_string(task));
    const auto spec = spec_for(task);
    const auto a = make_synthetic<double>(spec, 42);
    const auto b = make_synthetic<double>(spec, 42);
    const auto c = make_synthetic<double>(spec, 43);
    CHECK(a.train.features == b.train.features);
    CHECK(a.train.targets == b.train.targets);
    CHECK(a.test->features == b.test->features);
    CHECK(a.test->targets == b.test->targets);
    CHECK(a.train.features != c.train.features);
    CHECK(a.train.targets != c.train.targets);
    CHECK(a.test->features != c.test->features);
    // Train and test are separate draws, not copies.
    CHECK(a.train.features.leftCols(100) != a.test->features);
  }
}

TEST_CASE("synthetic shapes follow the spec, and test_samples = 0 gives no test set",
          "[synthetic]") {
  for (Task task : {Task::regression, Task::binary, Task::multiclass}) {
    INFO("task " << to_string(task));
    auto spec = spec_for(task);
    const auto data = make_synthetic<float>(spec, 1);
    CHECK(data.train.num_features() == 7);
    CHECK(data.train.num_samples() == 500);
    CHECK(data.train.targets.size() == 500);
    REQUIRE(data.test.has_value());
    CHECK(data.test->num_features() == 7);
    CHECK(data.test->num_samples() == 100);
    CHECK(data.test->targets.size() == 100);
    const int expected_classes = task == Task::regression ? 0 : task == Task::binary ? 2 : 4;
    CHECK(data.train.num_classes == expected_classes);
    CHECK(data.test->num_classes == expected_classes);

    spec.test_samples = 0;
    CHECK_FALSE(make_synthetic<float>(spec, 1).test.has_value());
  }
}

TEST_CASE("synthetic class labels are whole numbers below the class count, every class present",
          "[synthetic]") {
  for (Task task : {Task::binary, Task::multiclass}) {
    INFO("task " << to_string(task));
    const auto data = make_synthetic<double>(spec_for(task), 5);
    for (const auto* set : {&data.train, &*data.test}) {
      std::vector<int> counts(static_cast<std::size_t>(set->num_classes), 0);
      for (double label : set->targets) {
        REQUIRE(label == std::floor(label));
        REQUIRE(label >= 0);
        REQUIRE(label < set->num_classes);
        ++counts[static_cast<std::size_t>(label)];
      }
      for (int count : counts) CHECK(count > 0);
    }
  }
}

TEST_CASE("synthetic multiclass labels are uniform over the classes", "[synthetic]") {
  SyntheticSpec spec;
  spec.task = Task::multiclass;
  spec.samples = 20000;
  spec.classes = 10;
  const auto data = make_synthetic<float>(spec, 7);
  std::vector<int> counts(10, 0);
  for (float label : data.train.targets) ++counts[static_cast<std::size_t>(label)];
  // Binomial(20000, 0.1): mean 2000, standard deviation about 42.
  for (int count : counts) CHECK(std::abs(count - 2000) < 200);
}

TEST_CASE(
    "synthetic regression: least squares finds one teacher in train and test, "
    "w* ~ N(0, I/d), residual std = noise",
    "[synthetic]") {
  SyntheticSpec spec;
  spec.task = Task::regression;
  spec.samples = 20000;
  spec.test_samples = 20000;
  spec.features = 100;
  spec.noise = 0.1;
  const auto data = make_synthetic<double>(spec, 3);

  const Eigen::VectorXd from_train = fit_linear(data.train);
  const Eigen::VectorXd from_test = fit_linear(*data.test);
  // Estimation error per coefficient is about noise/sqrt(n) = 0.0007.
  CHECK((from_train - from_test).cwiseAbs().maxCoeff() < 0.01);
  // ‖w*‖² ~ χ²_d / d: mean 1, standard deviation sqrt(2/d) = 0.14.
  CHECK(from_train.head(100).squaredNorm() == Approx(1.0).margin(0.5));

  const Eigen::VectorXd residual = data.train.targets - predict_linear(from_train, data.train);
  const double residual_std = std::sqrt(residual.squaredNorm() / 20000.0);
  CHECK(residual_std == Approx(0.1).epsilon(0.05));
}

TEST_CASE("synthetic binary labels come from a linear teacher that generalises to the test set",
          "[synthetic]") {
  SyntheticSpec spec;
  spec.task = Task::binary;
  spec.samples = 10000;
  spec.test_samples = 5000;
  spec.noise = 0;
  const auto data = make_synthetic<double>(spec, 11);

  const Eigen::VectorXd fit = fit_linear(data.train);
  const Eigen::ArrayXd predicted = (predict_linear(fit, *data.test).array() > 0.5).cast<double>();
  const double accuracy = (predicted == data.test->targets.array()).cast<double>().mean();
  // Logit std ≈ 2 gives a Bayes accuracy near 0.8; a constant guess gets about 0.5.
  CHECK(accuracy > 0.7);
  CHECK(accuracy < 0.95);
  CHECK(data.train.targets.mean() == Approx(0.5).margin(0.3));
}

TEST_CASE("synthetic binary noise = 1 flips every label and leaves the features alone",
          "[synthetic]") {
  auto spec = spec_for(Task::binary);
  spec.noise = 0;
  const auto clean = make_synthetic<double>(spec, 9);
  spec.noise = 1;
  const auto flipped = make_synthetic<double>(spec, 9);
  CHECK(flipped.train.features == clean.train.features);
  CHECK(flipped.train.targets == (1.0 - clean.train.targets.array()).matrix());
  CHECK(flipped.test->targets == (1.0 - clean.test->targets.array()).matrix());
}

TEST_CASE("synthetic multiclass noise p replaces about a fraction p of labels by another class",
          "[synthetic]") {
  auto spec = spec_for(Task::multiclass);
  spec.samples = 20000;
  spec.noise = 0;
  const auto clean = make_synthetic<double>(spec, 13);
  spec.noise = 0.3;
  const auto noisy = make_synthetic<double>(spec, 13);
  REQUIRE(noisy.train.features == clean.train.features);

  std::vector<int> replaced_to(4, 0);
  int replaced = 0;
  for (Eigen::Index i = 0; i < 20000; ++i) {
    if (noisy.train.targets(i) != clean.train.targets(i)) {
      ++replaced;
      ++replaced_to[static_cast<std::size_t>(noisy.train.targets(i))];
    }
  }
  // Binomial(20000, 0.3): standard deviation about 65.
  CHECK(std::abs(replaced - 6000) < 400);
  for (int count : replaced_to) CHECK(std::abs(count - 1500) < 250);
}

TEST_CASE(
    "synthetic multiclass separation sets the difficulty: chance at 0, most right at 2, "
    "nearly all at 4",
    "[synthetic]") {
  SyntheticSpec spec;
  spec.task = Task::multiclass;
  spec.samples = 10000;
  spec.test_samples = 5000;
  spec.features = 20;
  spec.classes = 10;
  spec.noise = 0;
  auto accuracy_at = [&spec](double separation) {
    spec.separation = separation;
    const auto data = make_synthetic<double>(spec, 17);
    return nearest_mean_accuracy(data.train, *data.test);
  };
  CHECK(accuracy_at(0.0) < 0.15);
  const double at_default = accuracy_at(2.0);
  CHECK(at_default > 0.7);
  CHECK(at_default < 0.97);
  CHECK(accuracy_at(4.0) > 0.98);
}

TEST_CASE("synthetic train and test streams do not depend on each other's size", "[synthetic]") {
  auto spec = spec_for(Task::multiclass);
  const auto base = make_synthetic<double>(spec, 21);
  spec.samples = 800;
  spec.test_samples = 30;
  const auto resized = make_synthetic<double>(spec, 21);
  // A longer set extends the shorter one: same teacher, same stream.
  CHECK(resized.train.features.leftCols(500) == base.train.features);
  CHECK(resized.train.targets.head(500) == base.train.targets);
  CHECK(resized.test->features == base.test->features.leftCols(30));
  CHECK(resized.test->targets == base.test->targets.head(30));
}

TEST_CASE("synthetic float data set is the double one rounded to float", "[synthetic]") {
  for (Task task : {Task::regression, Task::binary, Task::multiclass}) {
    INFO("task " << to_string(task));
    const auto as_double = make_synthetic<double>(spec_for(task), 4);
    const auto as_float = make_synthetic<float>(spec_for(task), 4);
    CHECK(as_float.train.features == as_double.train.features.cast<float>());
    CHECK(as_float.train.targets == as_double.train.targets.cast<float>());
  }
}

TEST_CASE("synthetic spec errors throw std::invalid_argument", "[synthetic]") {
  auto invalid = [](auto change) {
    auto spec = spec_for(Task::multiclass);
    change(spec);
    return spec;
  };
  CHECK_THROWS_AS(make_synthetic<float>(invalid([](auto& s) { s.samples = 0; }), 1),
                  std::invalid_argument);
  CHECK_THROWS_AS(make_synthetic<float>(invalid([](auto& s) { s.test_samples = -1; }), 1),
                  std::invalid_argument);
  CHECK_THROWS_AS(make_synthetic<float>(invalid([](auto& s) { s.features = 0; }), 1),
                  std::invalid_argument);
  CHECK_THROWS_AS(make_synthetic<float>(invalid([](auto& s) { s.classes = 1; }), 1),
                  std::invalid_argument);
  CHECK_THROWS_AS(make_synthetic<float>(invalid([](auto& s) { s.noise = 1.5; }), 1),
                  std::invalid_argument);
  CHECK_THROWS_AS(make_synthetic<float>(invalid([](auto& s) { s.noise = std::nan(""); }), 1),
                  std::invalid_argument);
  CHECK_THROWS_AS(make_synthetic<float>(invalid([](auto& s) { s.separation = -1; }), 1),
                  std::invalid_argument);
  auto regression = spec_for(Task::regression);
  regression.noise = 1.5;  // a standard deviation for regression, so above 1 is fine
  CHECK_NOTHROW(make_synthetic<float>(regression, 1));
}

}  // namespace sgdsim
