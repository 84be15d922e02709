// Every layer and every preset network against central finite differences (float64, small
// shapes), through the Sequential objective so that each layer's input gradient is checked too
// (a layer before it turns that gradient into parameter gradients).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "models/model_spec.hpp"
#include "models/nn/build_layers.hpp"
#include "models/rng.hpp"
#include "models/sequential.hpp"
#include "tests/support/model_inputs.hpp"

namespace {

using sgdsim::ImageShape;
using sgdsim::Sequential;
using sgdsim::nn::LayerKind;
using sgdsim::nn::LayerSpec;
using sgdsim::nn::Shortcut;
using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;

LayerSpec conv(int channels, int kernel, int stride = 1, int padding = 0, bool bias = true) {
  return {.kind = LayerKind::conv2d,
          .channels = channels,
          .kernel = kernel,
          .stride = stride,
          .padding = padding,
          .bias = bias};
}
LayerSpec pool(LayerKind kind, int kernel, int stride = 0, int padding = 0) {
  return {.kind = kind, .kernel = kernel, .stride = stride, .padding = padding};
}
LayerSpec of(LayerKind kind) {
  return {.kind = kind};
}
LayerSpec dense(int units) {
  return {.kind = LayerKind::dense, .units = units};
}
LayerSpec residual(std::vector<LayerSpec> body, Shortcut shortcut) {
  LayerSpec block{.kind = LayerKind::residual, .shortcut = shortcut};
  block.layers = std::move(body);
  return block;
}

struct NetworkCase {
  std::string label;
  ImageShape input;
  std::vector<LayerSpec> layers;
};

constexpr int kClasses = 3;

std::vector<NetworkCase> every_layer() {
  const LayerSpec bn = of(LayerKind::batch_norm);
  return {
      {"conv2d 3x3 stride 1 padding 1 with bias", {2, 5, 5}, {conv(3, 3, 1, 1), dense(kClasses)}},
      {"conv2d 3x3 stride 2 no bias (uneven edges)",
       {2, 6, 7},
       {conv(3, 3, 2, 0, false), dense(kClasses)}},
      {"conv2d 2x2 stride 3 padding 1", {1, 7, 6}, {conv(2, 2, 3, 1), dense(kClasses)}},
      {"conv2d 1x1 after conv2d (pointwise path, input gradient)",
       {2, 4, 4},
       {conv(3, 3, 1, 1), conv(2, 1), dense(kClasses)}},
      {"max_pool 2 after conv2d",
       {1, 6, 6},
       {conv(2, 3, 1, 1), pool(LayerKind::max_pool, 2), dense(kClasses)}},
      {"max_pool 3 stride 2 padding 1",
       {1, 7, 7},
       {conv(2, 3), pool(LayerKind::max_pool, 3, 2, 1), dense(kClasses)}},
      {"avg_pool 2 after conv2d",
       {1, 6, 6},
       {conv(2, 3, 1, 1), pool(LayerKind::avg_pool, 2), dense(kClasses)}},
      {"avg_pool 3 stride 1 padding 1",
       {2, 4, 5},
       {conv(2, 3), pool(LayerKind::avg_pool, 3, 1, 1), dense(kClasses)}},
      {"global_avg_pool",
       {2, 5, 4},
       {conv(3, 3, 1, 1), of(LayerKind::global_avg_pool), dense(kClasses)}},
      {"batch_norm after conv2d, relu",
       {2, 4, 4},
       {conv(3, 3, 1, 1), bn, of(LayerKind::relu), dense(kClasses)}},
      {"batch_norm after dense, tanh",
       {6, 1, 1},
       {dense(5), bn, of(LayerKind::tanh), dense(kClasses)}},
      {"dense relu dense (an mlp)", {5, 1, 1}, {dense(4), of(LayerKind::relu), dense(kClasses)}},
      {"flatten explicit then dense",
       {2, 3, 3},
       {conv(2, 2), of(LayerKind::flatten), dense(kClasses)}},
      {"residual identity",
       {2, 4, 4},
       {conv(3, 3, 1, 1),
        residual({conv(3, 3, 1, 1), bn, of(LayerKind::relu), conv(3, 3, 1, 1)}, Shortcut::identity),
        of(LayerKind::relu), dense(kClasses)}},
      {"residual pad (option A, stride 2, 2 -> 4 channels)",
       {2, 6, 6},
       {conv(2, 3, 1, 1),
        residual({conv(4, 3, 2, 1), bn, of(LayerKind::relu), conv(4, 3, 1, 1), bn}, Shortcut::pad),
        of(LayerKind::relu), dense(kClasses)}},
      {"residual project (option B, stride 2, 2 -> 3 channels)",
       {2, 5, 5},
       {conv(2, 3, 1, 1), residual({conv(3, 3, 2, 1), bn}, Shortcut::project), of(LayerKind::relu),
        dense(kClasses)}},
  };
}

// Indices to check: every one for a small model; otherwise the first and last `edge` (the first
// and last layers) and `spread` evenly spaced ones.
std::vector<Eigen::Index> indices_to_check(Eigen::Index size, Eigen::Index edge = 50,
                                           Eigen::Index spread = 200) {
  std::vector<Eigen::Index> indices;
  if (size <= 2 * edge + spread) {
    for (Eigen::Index i = 0; i < size; ++i) indices.push_back(i);
    return indices;
  }
  for (Eigen::Index i = 0; i < edge; ++i) indices.push_back(i);
  for (Eigen::Index k = 0; k < spread; ++k)
    indices.push_back(edge + k * (size - 2 * edge) / spread);
  for (Eigen::Index i = size - edge; i < size; ++i) indices.push_back(i);
  return indices;
}

// Checks the analytic gradient at `params` against central differences; returns the largest
// relative error seen.
double check_gradient(const Sequential<double>& net, const Vector& params, const Matrix& features,
                      const Vector& targets) {
  Vector grad;
  net.loss_and_gradient(params, features, targets, grad);
  REQUIRE(grad.size() == params.size());
  CHECK(grad.tail(net.num_state()).isZero(0.0));  // the running statistics are not trained
  // The gradient is not trivially zero, so the comparison has teeth.
  CHECK(grad.head(net.num_trainable()).norm() > 1e-3);
  constexpr double eps = 1e-6;
  Vector unused;
  double worst = 0.0;
  for (Eigen::Index i : indices_to_check(net.num_trainable())) {
    Vector plus = params, minus = params;
    plus[i] += eps;
    minus[i] -= eps;
    const double numeric = (net.loss_and_gradient(plus, features, targets, unused) -
                            net.loss_and_gradient(minus, features, targets, unused)) /
                           (2 * eps);
    INFO("param " << i << ": analytic " << grad[i] << ", numeric " << numeric);
    CHECK(grad[i] == Approx(numeric).epsilon(1e-5).margin(1e-8));
    worst = std::max(worst, std::abs(grad[i] - numeric) / std::max(1e-3, std::abs(numeric)));
  }
  return worst;
}

void random_inputs(const Sequential<double>& net, Eigen::Index batch, sgdsim::Rng& rng,
                   Vector& params, Matrix& features, Vector& targets) {
  sgdsim::testing::random_batch(net.layers().input_shape().size(), batch, kClasses, rng, features,
                                targets);
  params = net.initial_params(true, rng);
  // Biases and batch-norm shifts away from zero, so relu kinks and ties are unlikely.
  for (double& p : params.head(net.num_trainable())) p += 0.05 * rng.normal();
}

}  // namespace

TEST_CASE("every layer's analytic gradient matches central finite differences (float64)",
          "[models][nn][gradient]") {
  for (const NetworkCase& c : every_layer()) {
    DYNAMIC_SECTION(c.label) {
      sgdsim::Rng rng(sgdsim::derive_seed(23, c.label));
      const Sequential<double> net(c.input, c.layers, kClasses);
      Vector params, targets;
      Matrix features;
      random_inputs(net, 5, rng, params, features, targets);
      CHECK(check_gradient(net, params, features, targets) < 1e-5);
    }
  }
}

TEST_CASE("every preset network's gradient matches central finite differences (float64)",
          "[models][nn][gradient]") {
  struct Preset {
    const char* name;
    ImageShape input;
    Eigen::Index trainable;  // on that input
  };
  for (const Preset& preset :
       {Preset{"lenet5", {1, 12, 12}, 15'031},
        Preset{"resnet8", {3, 8, 8}, 75'290 - 650 + 64 * kClasses + kClasses},
        Preset{"resnet20", {3, 8, 8}, 269'722 - 650 + 64 * kClasses + kClasses}}) {
    DYNAMIC_SECTION(preset.name) {
      sgdsim::Rng rng(sgdsim::derive_seed(29, preset.name));
      const Sequential<double> net(preset.input, sgdsim::nn::preset_layers(preset.name, kClasses),
                                   kClasses);
      CHECK(net.num_trainable() == preset.trainable);
      Vector params, targets;
      Matrix features;
      random_inputs(net, 4, rng, params, features, targets);
      CHECK(check_gradient(net, params, features, targets) < 1e-5);
    }
  }
}
