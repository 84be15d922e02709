// Conv2d<float>'s fastest implementation (oneDNN where built with it) against its im2col + Eigen
// one, and its determinism: the same bytes on a second call and from two threads at once.
#include <catch2/catch.hpp>

#include <cstring>
#include <thread>
#include <vector>

#include "models/nn/conv2d.hpp"
#include "models/rng.hpp"

namespace {

using sgdsim::ImageShape;
using sgdsim::Rng;
using sgdsim::nn::Conv2d;
using sgdsim::nn::ConvImplementation;
using Matrix = sgdsim::nn::Matrix<float>;
using Vector = sgdsim::nn::Vector<float>;

struct ConvCase {
  int in_channels, height, width, out_channels, kernel, stride, padding;
  bool bias;
  int batch;
};

// ResNet-20's and LeNet-5's shapes and the corners: stride 2, 1×1 (pointwise and strided), no
// padding, batch 1 and 33.
const std::vector<ConvCase> kCases = {
    {3, 12, 12, 16, 3, 1, 1, false, 33}, {16, 9, 9, 32, 3, 2, 1, true, 33},
    {16, 8, 8, 32, 1, 2, 0, false, 1},   {8, 6, 6, 4, 1, 1, 0, true, 5},
    {1, 28, 28, 6, 5, 1, 2, true, 4},    {6, 14, 14, 16, 5, 1, 0, true, 33},
    {32, 8, 8, 32, 3, 1, 1, false, 1},
};

struct ConvResults {
  Matrix output, input_grad;
  Vector grad;
};

// Forward and backward on seeded inputs, weights and d(loss)/d(output).
ConvResults run(const ConvCase& c, ConvImplementation implementation) {
  const Conv2d<float> conv(ImageShape{c.in_channels, c.height, c.width}, c.out_channels, c.kernel,
                           c.stride, c.padding, c.bias, implementation);
  Rng rng(17);
  const auto fill = [&rng](float* data, Eigen::Index size) {
    for (Eigen::Index i = 0; i < size; ++i) data[i] = static_cast<float>(rng.normal());
  };
  Vector params(conv.num_params());
  fill(params.data(), params.size());
  Matrix input(c.batch * c.height * c.width, c.in_channels);
  fill(input.data(), input.size());
  const ImageShape& out = conv.output_shape();
  Matrix output_grad(c.batch * out.height * out.width, out.channels);
  fill(output_grad.data(), output_grad.size());

  sgdsim::nn::Tape<float> tape;
  const sgdsim::nn::LayerParams<float> p{params.data(), nullptr, nullptr};
  conv.forward(p, input, sgdsim::nn::Mode::training, tape);
  ConvResults results;
  results.output = tape.output;
  results.grad.setZero(conv.num_params());
  conv.backward(p, input, tape, output_grad, results.grad.data(), &results.input_grad);
  return results;
}

template <class M>
bool same_bytes(const M& a, const M& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())) == 0;
}

bool same_bytes(const ConvResults& a, const ConvResults& b) {
  return same_bytes(a.output, b.output) && same_bytes(a.grad, b.grad) &&
         same_bytes(a.input_grad, b.input_grad);
}

template <class M>
double relative_error(const M& a, const M& reference) {
  return static_cast<double>((a - reference).norm() / reference.norm());
}

}  // namespace

TEST_CASE("conv2d float32: the fastest implementation equals im2col + Eigen within 1e-5",
          "[nn][conv2d]") {
  bool some_bits_differ = false;
  for (const ConvCase& c : kCases) {
    CAPTURE(c.in_channels, c.height, c.width, c.out_channels, c.kernel, c.stride, c.padding, c.bias,
            c.batch);
    const ConvResults fastest = run(c, ConvImplementation::fastest);
    const ConvResults eigen = run(c, ConvImplementation::eigen);
    REQUIRE(fastest.output.rows() == eigen.output.rows());
    REQUIRE(fastest.output.cols() == eigen.output.cols());
    REQUIRE(fastest.input_grad.rows() == eigen.input_grad.rows());
    REQUIRE(eigen.output.norm() > 0.0f);
    REQUIRE(eigen.grad.norm() > 0.0f);
    REQUIRE(eigen.input_grad.norm() > 0.0f);
    CHECK(relative_error(fastest.output, eigen.output) < 1e-5);
    const Eigen::Index weights = eigen.grad.size() - (c.bias ? c.out_channels : 0);
    CHECK(relative_error(fastest.grad.head(weights), eigen.grad.head(weights)) < 1e-5);
    if (c.bias) {
      CHECK(relative_error(fastest.grad.tail(c.out_channels), eigen.grad.tail(c.out_channels)) <
            1e-5);
    }
    CHECK(relative_error(fastest.input_grad, eigen.input_grad) < 1e-5);
    some_bits_differ = some_bits_differ || !same_bytes(fastest, eigen);
  }
#ifdef SGDSIM_HAVE_ONEDNN
  // Not vacuous: another summation order ran (oneDNN's), not the Eigen path twice.
  CHECK(some_bits_differ);
#endif
}

TEST_CASE("conv2d float32: the same inputs give the same bytes, twice and from two threads at once",
          "[nn][conv2d]") {
  std::vector<ConvResults> first;
  for (const ConvCase& c : kCases) first.push_back(run(c, ConvImplementation::fastest));
  for (std::size_t i = 0; i < kCases.size(); ++i) {
    CHECK(same_bytes(run(kCases[i], ConvImplementation::fastest), first[i]));
  }
  // Each thread builds its own primitives: two at once, each over every case twice.
  std::vector<std::vector<ConvResults>> threaded(2);
  {
    std::vector<std::thread> threads;
    for (auto& results : threaded) {
      threads.emplace_back([&results] {
        for (int repeat = 0; repeat < 2; ++repeat) {
          for (const ConvCase& c : kCases) results.push_back(run(c, ConvImplementation::fastest));
        }
      });
    }
    for (auto& thread : threads) thread.join();
  }
  for (const auto& results : threaded) {
    REQUIRE(results.size() == 2 * kCases.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
      CHECK(same_bytes(results[i], first[i % kCases.size()]));
    }
  }
}
