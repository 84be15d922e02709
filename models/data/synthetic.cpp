// Synthetic data sets, with x ∈ R^d:
//   regression: x ~ N(0, I), w* ~ N(0, I/d), b* ~ N(0, 1), y = w*·x + b* + noise·N(0, 1).
//   binary: x ~ N(0, I), w* ~ N(0, 4I/d) so the logit has std ≈ 2, b* ~ N(0, 1/4) so the classes
//     stay roughly balanced; y ~ Bernoulli(sigmoid(w*·x + b*)).
//   multiclass: centres c_k ~ N(0, 2·separation²/d · I), y uniform, x = c_y + N(0, I). Two centres
//   lie
//     about 2·separation apart whatever d is, so each pair of classes overlaps like two unit
//     Gaussians at ±separation: pairwise Bayes error Φ(−separation), 2.3% at the default 2.
//   classification noise: with probability `noise` a label is replaced by a uniformly drawn other
//     class (binary: flipped). Every sample draws the same numbers whatever `noise` is, so changing
//     it changes labels only.
// Streams: "synthetic-teacher" (w*, b*, centres) is shared by train and test; "synthetic-train" and
// "synthetic-test" draw the samples, so resizing one set leaves the other unchanged. All draws are
// in double, so the float data set is the double one rounded.
#include "models/data/synthetic.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "models/rng.hpp"

namespace sgdsim {
namespace {

struct Teacher {
  Eigen::VectorXd weights;  // regression, binary
  double bias = 0;
  Eigen::MatrixXd centres;  // multiclass: d × classes
};

void fill_normal(Rng& rng, double stddev, Eigen::Ref<Eigen::VectorXd> out) {
  for (auto& value : out) value = stddev * rng.normal();
}

void validate(const SyntheticSpec& spec) {
  auto fail = [](const std::string& message) {
    throw std::invalid_argument("synthetic data: " + message);
  };
  if (spec.samples < 1) fail("samples must be at least 1, got " + std::to_string(spec.samples));
  if (spec.test_samples < 0) {
    fail("test_samples must be at least 0, got " + std::to_string(spec.test_samples));
  }
  if (spec.features < 1) fail("features must be at least 1, got " + std::to_string(spec.features));
  if (spec.task == Task::multiclass && spec.classes < 2) {
    fail("classes must be at least 2, got " + std::to_string(spec.classes));
  }
  if (!(spec.noise >= 0) || !std::isfinite(spec.noise)) {
    fail("noise must be a finite number >= 0, got " + std::to_string(spec.noise));
  }
  if (spec.task != Task::regression && spec.noise > 1) {
    fail("noise is a label-flip probability for classification and must be <= 1, got " +
         std::to_string(spec.noise));
  }
  if (!(spec.separation >= 0) || !std::isfinite(spec.separation)) {
    fail("separation must be a finite number >= 0, got " + std::to_string(spec.separation));
  }
}

Teacher draw_teacher(const SyntheticSpec& spec, std::uint64_t seed) {
  Rng rng(derive_seed(seed, "synthetic-teacher"));
  const double d = spec.features;
  Teacher teacher;
  switch (spec.task) {
    case Task::regression:
      teacher.weights.resize(spec.features);
      fill_normal(rng, std::sqrt(1.0 / d), teacher.weights);
      teacher.bias = rng.normal();
      break;
    case Task::binary:
      teacher.weights.resize(spec.features);
      fill_normal(rng, std::sqrt(4.0 / d), teacher.weights);
      teacher.bias = 0.5 * rng.normal();
      break;
    case Task::multiclass:
      teacher.centres.resize(spec.features, spec.classes);
      for (int k = 0; k < spec.classes; ++k) {
        fill_normal(rng, spec.separation * std::sqrt(2.0 / d), teacher.centres.col(k));
      }
      break;
  }
  return teacher;
}

template <class Scalar>
Dataset<Scalar> draw_samples(const SyntheticSpec& spec, const Teacher& teacher,
                             std::int64_t num_samples, std::uint64_t stream_seed) {
  Rng rng(stream_seed);
  const int num_classes = spec.task == Task::regression ? 0
                          : spec.task == Task::binary   ? 2
                                                        : spec.classes;
  Dataset<Scalar> data;
  data.features.resize(spec.features, num_samples);
  data.targets.resize(num_samples);
  data.num_classes = num_classes;

  Eigen::VectorXd x(spec.features);
  for (std::int64_t i = 0; i < num_samples; ++i) {
    double label = 0;
    if (spec.task == Task::multiclass) {
      const auto y = rng.uniform_index(static_cast<std::uint64_t>(num_classes));
      fill_normal(rng, 1.0, x);
      x += teacher.centres.col(static_cast<Eigen::Index>(y));
      label = static_cast<double>(y);
    } else {
      fill_normal(rng, 1.0, x);
      const double mean = teacher.weights.dot(x) + teacher.bias;
      if (spec.task == Task::regression) {
        label = mean + spec.noise * rng.normal();
      } else {
        label = rng.uniform() < 1.0 / (1.0 + std::exp(-mean)) ? 1.0 : 0.0;
      }
    }
    if (num_classes > 0) {
      const bool replace = rng.uniform() < spec.noise;
      const auto other = rng.uniform_index(static_cast<std::uint64_t>(num_classes - 1));
      if (replace) label = static_cast<double>(other) + (static_cast<double>(other) >= label);
    }
    data.features.col(i) = x.cast<Scalar>();
    data.targets[i] = static_cast<Scalar>(label);
  }
  return data;
}

}  // namespace

template <class Scalar>
TrainTestData<Scalar> make_synthetic(const SyntheticSpec& spec, std::uint64_t seed) {
  validate(spec);
  const Teacher teacher = draw_teacher(spec, seed);
  TrainTestData<Scalar> data;
  data.train =
      draw_samples<Scalar>(spec, teacher, spec.samples, derive_seed(seed, "synthetic-train"));
  if (spec.test_samples > 0) {
    data.test =
        draw_samples<Scalar>(spec, teacher, spec.test_samples, derive_seed(seed, "synthetic-test"));
  }
  return data;
}

template TrainTestData<float> make_synthetic<float>(const SyntheticSpec&, std::uint64_t);
template TrainTestData<double> make_synthetic<double>(const SyntheticSpec&, std::uint64_t);

}  // namespace sgdsim
