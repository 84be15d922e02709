// Layers against independent, naive implementations written from PyTorch's definitions (NCHW
// tensors, weight [out][in][kh][kw]), and the networks' bookkeeping: parameter counts, FLOPs,
// batch-norm statistics as model state.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "models/mlp.hpp"
#include "models/nn/build_layers.hpp"
#include "models/rng.hpp"
#include "models/sequential.hpp"
#include "tests/support/model_inputs.hpp"

namespace {

using sgdsim::ImageShape;
using sgdsim::Sequential;
using sgdsim::nn::LayerKind;
using sgdsim::nn::LayerSpec;
using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;

// out[n][o][y][x] = b[o] + Σ w[o][i][ky][kx] · in[n][i][y·s − p + ky][x·s − p + kx]
std::vector<double> naive_conv(const std::vector<double>& in, int batch, const ImageShape& shape,
                               const double* w, const double* b, int out_channels, int k, int s,
                               int p, ImageShape& out_shape) {
  const int h = static_cast<int>(shape.height), wd = static_cast<int>(shape.width);
  const int ci = static_cast<int>(shape.channels);
  const int oh = (h + 2 * p - k) / s + 1, ow = (wd + 2 * p - k) / s + 1;
  out_shape = {out_channels, oh, ow};
  std::vector<double> out(static_cast<std::size_t>(batch * out_channels * oh * ow));
  for (int n = 0; n < batch; ++n)
    for (int o = 0; o < out_channels; ++o)
      for (int y = 0; y < oh; ++y)
        for (int x = 0; x < ow; ++x) {
          double sum = b ? b[o] : 0.0;
          for (int i = 0; i < ci; ++i)
            for (int ky = 0; ky < k; ++ky)
              for (int kx = 0; kx < k; ++kx) {
                const int iy = y * s - p + ky, ix = x * s - p + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                sum += w[((o * ci + i) * k + ky) * k + kx] * in[((n * ci + i) * h + iy) * wd + ix];
              }
          out[((n * out_channels + o) * oh + y) * ow + x] = sum;
        }
  return out;
}

// The logits of [layers..., flatten, dense C] computed by hand from `features_of_layers`: the
// flattened NCHW output of the layers, then W·x + b with W [C][D] row-major.
Vector naive_dense(const std::vector<double>& flat, int batch, const double* w, const double* b,
                   int classes, Matrix& logits) {
  const int d = static_cast<int>(flat.size()) / batch;
  logits.resize(classes, batch);
  for (int n = 0; n < batch; ++n)
    for (int c = 0; c < classes; ++c) {
      double sum = b[c];
      for (int j = 0; j < d; ++j) sum += w[c * d + j] * flat[n * d + j];
      logits(c, n) = sum;
    }
  return {};
}

double mean_cross_entropy(const Matrix& logits, const Vector& targets) {
  double loss = 0.0;
  for (Eigen::Index n = 0; n < logits.cols(); ++n) {
    const double top = logits.col(n).maxCoeff();
    const double log_sum = top + std::log((logits.col(n).array() - top).exp().sum());
    loss += log_sum - logits(static_cast<Eigen::Index>(targets[n]), n);
  }
  return loss / static_cast<double>(logits.cols());
}

std::vector<double> as_nchw(const Matrix& features) {
  return {features.data(), features.data() + features.size()};  // columns are NCHW samples
}

}  // namespace

TEST_CASE("conv2d and dense compute PyTorch's cross-correlation with its weight layout",
          "[models][nn]") {
  const ImageShape input{2, 6, 5};
  const int classes = 3, out_channels = 4, k = 3, s = 2, p = 1;
  const LayerSpec conv{
      .kind = LayerKind::conv2d, .channels = out_channels, .kernel = k, .stride = s, .padding = p};
  const Sequential<double> net(input, {conv, {.kind = LayerKind::dense, .units = classes}},
                               classes);
  sgdsim::Rng rng(5);
  Matrix features;
  Vector targets;
  sgdsim::testing::random_batch(input.size(), 3, classes, rng, features, targets);
  const Vector params = sgdsim::testing::random_params(net.num_params(), rng);

  ImageShape conv_out;
  const double* w = params.data();
  const double* b = w + out_channels * input.channels * k * k;
  const std::vector<double> activations =
      naive_conv(as_nchw(features), 3, input, w, b, out_channels, k, s, p, conv_out);
  REQUIRE(conv_out == ImageShape{4, 3, 3});
  Matrix logits;
  const double* dense_w = b + out_channels;
  naive_dense(activations, 3, dense_w, dense_w + classes * conv_out.size(), classes, logits);
  const double expected = mean_cross_entropy(logits, targets);
  CHECK(net.evaluate(params, features, targets).loss == Approx(expected).epsilon(1e-12));
  Vector grad;
  CHECK(net.loss_and_gradient(params, features, targets, grad) == Approx(expected).epsilon(1e-12));
}

TEST_CASE("max_pool takes each window's maximum, flatten keeps PyTorch's (c, y, x) order",
          "[models][nn]") {
  // One channel, 4x4 input, identity-like conv skipped: max_pool 2 straight on the input.
  const ImageShape input{2, 4, 4};
  const Sequential<double> net(input,
                               {{.kind = LayerKind::max_pool, .kernel = 2, .stride = 2},
                                {.kind = LayerKind::flatten},
                                {.kind = LayerKind::dense, .units = 8, .bias = false}},
                               8);
  Matrix features(input.size(), 1);
  for (Eigen::Index i = 0; i < features.size(); ++i)
    features(i) = static_cast<double>((i * 7) % 16);
  // Dense weights = identity, so the logits are the pooled, flattened values themselves.
  Vector params = Vector::Zero(net.num_params());
  Eigen::Map<Matrix>(params.data(), 8, 8).setIdentity();
  std::vector<double> expected;
  for (int c = 0; c < 2; ++c)
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 2; ++x) {
        double top = -std::numeric_limits<double>::infinity();
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx)
            top = std::max(top, features((c * 4 + 2 * y + dy) * 4 + 2 * x + dx, 0));
        expected.push_back(top);
      }
  // The loss of target t is logsumexp(z) − z_t: recover z from the losses of every target.
  Vector targets(1);
  targets[0] = 0;
  Matrix z(8, 1);
  for (int i = 0; i < 8; ++i) z(i, 0) = expected[static_cast<std::size_t>(i)];
  for (int t = 0; t < 8; ++t) {
    targets[0] = t;
    CHECK(net.evaluate(params, features, targets).loss ==
          Approx(mean_cross_entropy(z, targets)).epsilon(1e-12));
  }
}

TEST_CASE("a sequential dense network equals the Mlp with the same weights (also past one pass)",
          "[models][nn]") {
  const int d = 6, hidden = 5, classes = 4;
  const Sequential<double> net({d, 1, 1},
                               {{.kind = LayerKind::dense, .units = hidden},
                                {.kind = LayerKind::tanh},
                                {.kind = LayerKind::dense, .units = classes}},
                               classes);
  const sgdsim::Mlp<double> mlp(d, {hidden}, classes, sgdsim::Activation::tanh);
  REQUIRE(net.num_params() == mlp.num_params());
  sgdsim::Rng rng(9);
  // More samples than one pass holds: the parts' gradients must add up to the whole batch's.
  const Eigen::Index batch = 2 * Sequential<double>::kMaxPassBatch + 17;
  Matrix features;
  Vector targets;
  sgdsim::testing::random_batch(d, batch, classes, rng, features, targets);
  const Vector params = sgdsim::testing::random_params(net.num_params(), rng);
  // Mlp: W (out × in) column-major, then b; sequential: W [out][in] row-major, then b.
  Vector mlp_params(mlp.num_params());
  Eigen::Index offset = 0;
  for (const auto& [in, out] : {std::pair{d, hidden}, std::pair{hidden, classes}}) {
    Eigen::Map<Matrix>(mlp_params.data() + offset, out, in) =
        Eigen::Map<const Matrix>(params.data() + offset, in, out).transpose();
    mlp_params.segment(offset + in * out, out) = params.segment(offset + in * out, out);
    offset += (in + 1) * out;
  }
  Vector grad, mlp_grad;
  const double loss = net.loss_and_gradient(params, features, targets, grad);
  CHECK(loss ==
        Approx(mlp.loss_and_gradient(mlp_params, features, targets, mlp_grad)).epsilon(1e-12));
  offset = 0;
  for (const auto& [in, out] : {std::pair{d, hidden}, std::pair{hidden, classes}}) {
    const Matrix mlp_w = Eigen::Map<const Matrix>(mlp_grad.data() + offset, out, in);
    const Matrix net_w = Eigen::Map<const Matrix>(grad.data() + offset, in, out).transpose();
    CHECK((mlp_w - net_w).norm() <= 1e-12 * mlp_w.norm());
    CHECK(
        (mlp_grad.segment(offset + in * out, out) - grad.segment(offset + in * out, out)).norm() <=
        1e-12 * mlp_grad.norm());
    offset += (in + 1) * out;
  }
  const auto net_eval = net.evaluate(params, features, targets);
  const auto mlp_eval = mlp.evaluate(mlp_params, features, targets);
  CHECK(net_eval.loss == Approx(mlp_eval.loss).epsilon(1e-12));
  CHECK(net_eval.accuracy == mlp_eval.accuracy);
}

TEST_CASE("batch norm's running statistics are model state: moved by training steps only",
          "[models][nn]") {
  const ImageShape input{2, 3, 3};
  const Sequential<double> net(
      input,
      {{.kind = LayerKind::batch_norm, .momentum = 0.1}, {.kind = LayerKind::dense, .units = 3}},
      3);
  REQUIRE(net.num_state() == 4);  // running mean and variance of 2 channels
  REQUIRE(net.num_trainable() == 4 + 18 * 3 + 3);
  sgdsim::Rng rng(13);
  Matrix features;
  Vector targets;
  sgdsim::testing::random_batch(input.size(), 4, 3, rng, features, targets);
  features.array() = 3.0 * features.array() + 1.5;
  Vector params = net.initial_params(true, rng);
  const Vector before = params;
  CHECK(params.tail(4) == (Vector(4) << 0, 0, 1, 1).finished());

  Vector grad;
  const double loss = net.loss_and_gradient(params, features, targets, grad);
  CHECK(params == before);  // a pure function of the parameters
  CHECK(grad.tail(4).isZero(0.0));
  const double training_loss = net.training_loss_and_gradient(params, features, targets, grad);
  CHECK(training_loss == loss);
  CHECK(params.head(net.num_trainable()) == before.head(net.num_trainable()));
  for (int c = 0; c < 2; ++c) {
    const Vector values = features.middleRows(c * 9, 9).reshaped();
    const double mean = values.mean();
    const double unbiased = (values.array() - mean).square().sum() / (values.size() - 1);
    CHECK(params[net.num_trainable() + c] == Approx(0.1 * mean).epsilon(1e-12));
    CHECK(params[net.num_trainable() + 2 + c] == Approx(0.9 + 0.1 * unbiased).epsilon(1e-12));
  }

  // Inference normalises with the running statistics: set to this batch's own mean and biased
  // variance, it gives the training loss back (up to ε's effect, the same in both).
  for (int c = 0; c < 2; ++c) {
    const Vector values = features.middleRows(c * 9, 9).reshaped();
    params[net.num_trainable() + c] = values.mean();
    params[net.num_trainable() + 2 + c] = (values.array() - values.mean()).square().mean();
  }
  CHECK(net.evaluate(params, features, targets).loss == Approx(loss).epsilon(1e-12));
  params[net.num_trainable()] += 1.0;  // and they matter
  CHECK(net.evaluate(params, features, targets).loss != Approx(loss).epsilon(1e-6));
}

TEST_CASE("preset networks have the published parameter counts and counted FLOPs", "[models][nn]") {
  const Sequential<float> lenet({1, 28, 28}, sgdsim::nn::preset_layers("lenet5", 10), 10);
  CHECK(lenet.num_trainable() == 61'706);
  CHECK(lenet.num_state() == 0);
  // 2·(28²·6·25 + 10²·16·150 + 400·120 + 120·84 + 84·10) per sample forward, times 3.
  CHECK(lenet.flops_per_gradient(1) == 3.0 * 2 * (784 * 150 + 100 * 2400 + 48'000 + 10'080 + 840));
  CHECK(lenet.flops_per_gradient(32) == 32 * lenet.flops_per_gradient(1));

  const Sequential<float> resnet20({3, 32, 32}, sgdsim::nn::preset_layers("resnet20", 10), 10);
  CHECK(resnet20.num_trainable() == 269'722);  // He et al. 2016: 0.27M
  CHECK(resnet20.num_state() == 2 * (16 + 6 * 16 + 6 * 32 + 6 * 64));
  // ≈ 41 MFLOPs (multiply-adds) forward per 32x32 image.
  const double macs = resnet20.flops_per_gradient(1) / 6.0;
  CHECK(macs == Approx(40.55e6).epsilon(0.01));

  const Sequential<float> resnet8({3, 32, 32}, sgdsim::nn::preset_layers("resnet8", 10), 10);
  CHECK(resnet8.num_trainable() == 75'290);
}
