#include "models/sequential.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "models/batch_shape.hpp"
#include "models/nn/build_layers.hpp"
#include "models/softmax.hpp"

namespace sgdsim {
namespace {

// What one pass over a part of a batch needs, kept per thread so that a step reuses the previous
// step's buffers instead of faulting in fresh memory (the objective is shared by worker threads).
template <class Scalar>
struct PassWorkspace {
  nn::Matrix<Scalar> input;     // the part in the layers' layout
  nn::Matrix<Scalar> logits;    // C × b, then its gradient
  nn::Matrix<Scalar> out_grad;  // b × C
  std::vector<nn::Tape<Scalar>> tapes;
  nn::Vector<Scalar> part_grad;
};

template <class Scalar>
PassWorkspace<Scalar>& workspace() {
  thread_local PassWorkspace<Scalar> space;
  return space;
}

// Samples as columns (C·H·W features each, NCHW) → the layers' (N·H·W) × C layout.
template <class Features, class Scalar>
void to_channel_major(const Features& features, const ImageShape& shape, nn::Matrix<Scalar>& out) {
  const Eigen::Index plane = shape.height * shape.width, batch = features.cols();
  out.resize(batch * plane, shape.channels);
  for (Eigen::Index c = 0; c < shape.channels; ++c) {
    for (Eigen::Index n = 0; n < batch; ++n) {
      out.col(c).segment(n * plane, plane) = features.col(n).segment(c * plane, plane);
    }
  }
}

// The logits (C × b) of a part of a batch into space.logits, every layer's tape kept.
template <class Scalar, class Features>
void forward_part(const nn::LayerStack<Scalar>& layers, const nn::LayerParams<Scalar>& p,
                  const Features& features, nn::Mode mode, PassWorkspace<Scalar>& space) {
  to_channel_major(features, layers.input_shape(), space.input);
  space.logits = layers.forward(p, space.input, mode, space.tapes).transpose();
}

}  // namespace

template <class Scalar>
Sequential<Scalar>::Sequential(ImageShape input, const std::vector<nn::LayerSpec>& layers,
                               int num_classes)
    : layers_(nn::build_layers<Scalar>(input, layers)) {
  if (num_classes < 2) throw std::invalid_argument("sequential: needs at least two classes");
  const ImageShape& out = layers_.output_shape();
  if (!(out == ImageShape{num_classes, 1, 1})) {
    throw std::invalid_argument(
        "the last layer gives " + std::to_string(out.channels) + "x" + std::to_string(out.height) +
        "x" + std::to_string(out.width) + " outputs, but the data has " +
        std::to_string(num_classes) +
        " classes: end with {type: dense, units: " + std::to_string(num_classes) + "}");
  }
}

template <class Scalar>
Scalar Sequential<Scalar>::pass(const Vector& params, Scalar* new_state,
                                const Eigen::Ref<const Matrix>& features,
                                const Eigen::Ref<const Vector>& targets, Vector& grad) const {
  const ImageShape& shape = layers_.input_shape();
  check_batch_shape("sequential", params.size(), num_params(), features.rows(), shape.size(),
                    features.cols(), targets.size());
  PassWorkspace<Scalar>& space = workspace<Scalar>();
  const Eigen::Index n = features.cols();
  const nn::LayerParams<Scalar> p{params.data(), params.data() + layers_.num_params(), new_state};
  grad.setZero(num_params());
  double loss = 0.0;
  for (Eigen::Index begin = 0; begin < n; begin += kMaxPassBatch) {
    const Eigen::Index count = std::min(kMaxPassBatch, n - begin);
    forward_part(layers_, p, features.middleCols(begin, count), nn::Mode::training, space);
    const Scalar part_loss =
        softmax_cross_entropy_backward<Scalar>(space.logits, targets.segment(begin, count));
    loss += static_cast<double>(count) * static_cast<double>(part_loss);
    space.out_grad = space.logits.transpose();
    Vector& part_grad = count == n ? grad : space.part_grad;
    if (count != n) part_grad.setZero(num_params());
    layers_.backward(p, space.input, space.tapes, space.out_grad, part_grad.data(), nullptr);
    if (count != n) {
      grad += (static_cast<Scalar>(count) / static_cast<Scalar>(n)) * part_grad;
    }
  }
  return static_cast<Scalar>(loss / static_cast<double>(n));
}

template <class Scalar>
Scalar Sequential<Scalar>::loss_and_gradient(const Vector& params,
                                             const Eigen::Ref<const Matrix>& features,
                                             const Eigen::Ref<const Vector>& targets,
                                             Vector& grad) const {
  return pass(params, nullptr, features, targets, grad);
}

template <class Scalar>
Scalar Sequential<Scalar>::training_loss_and_gradient(Vector& params,
                                                      const Eigen::Ref<const Matrix>& features,
                                                      const Eigen::Ref<const Vector>& targets,
                                                      Vector& grad) const {
  return pass(params, params.data() + layers_.num_params(), features, targets, grad);
}

template <class Scalar>
Evaluation Sequential<Scalar>::evaluate(const Vector& params,
                                        const Eigen::Ref<const Matrix>& features,
                                        const Eigen::Ref<const Vector>& targets) const {
  const ImageShape& shape = layers_.input_shape();
  check_batch_shape("sequential", params.size(), num_params(), features.rows(), shape.size(),
                    features.cols(), targets.size());
  PassWorkspace<Scalar>& space = workspace<Scalar>();
  const nn::LayerParams<Scalar> p{params.data(), params.data() + layers_.num_params(), nullptr};
  const Eigen::Index n = features.cols();
  double loss = 0.0, correct = 0.0;
  for (Eigen::Index begin = 0; begin < n; begin += kMaxPassBatch) {
    const Eigen::Index count = std::min(kMaxPassBatch, n - begin);
    forward_part(layers_, p, features.middleCols(begin, count), nn::Mode::inference, space);
    const Evaluation part =
        softmax_cross_entropy_evaluate<Scalar>(space.logits, targets.segment(begin, count));
    loss += part.loss * static_cast<double>(count);
    correct += std::round(part.accuracy * static_cast<double>(count));
  }
  return {loss / static_cast<double>(n), correct / static_cast<double>(n)};
}

template <class Scalar>
double Sequential<Scalar>::flops_per_gradient(Eigen::Index batch) const {
  return 3.0 * static_cast<double>(batch) * layers_.forward_flops_per_sample();
}

template <class Scalar>
auto Sequential<Scalar>::initial_params(bool random, Rng& rng) const -> Vector {
  Vector params(num_params());
  layers_.initialize(params.data(), params.data() + layers_.num_params(), random ? &rng : nullptr);
  return params;
}

template class Sequential<float>;
template class Sequential<double>;

}  // namespace sgdsim
