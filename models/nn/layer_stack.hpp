// Layers applied one after another, each owning consecutive slices of the parameters and of the
// state: the body of a network and of a residual block.
#pragma once

#include <memory>
#include <vector>

#include "models/nn/layer.hpp"

namespace sgdsim::nn {

template <class Scalar>
class LayerStack {
 public:
  using Mat = Matrix<Scalar>;

  explicit LayerStack(ImageShape input) : input_(input) {}

  // Throws std::invalid_argument when `layer` does not take the stack's current output shape.
  void add(std::unique_ptr<Layer<Scalar>> layer);

  bool empty() const { return layers_.empty(); }
  std::size_t size() const { return layers_.size(); }
  const Layer<Scalar>& layer(std::size_t i) const { return *layers_[i]; }
  const ImageShape& input_shape() const { return input_; }
  const ImageShape& output_shape() const {
    return layers_.empty() ? input_ : layers_.back()->output_shape();
  }
  Eigen::Index num_params() const { return num_params_; }
  Eigen::Index num_state() const { return num_state_; }
  double forward_flops_per_sample() const;

  void initialize(Scalar* params, Scalar* state, Rng* rng) const;
  // Runs every layer, `tapes` (resized to one per layer) keeping each one's output; returns the
  // last output (`input` itself for an empty stack).
  const Mat& forward(const LayerParams<Scalar>& p, const Mat& input, Mode mode,
                     std::vector<Tape<Scalar>>& tapes) const;
  // Backward through every layer, last first, after forward(p, input, …, tapes).
  void backward(const LayerParams<Scalar>& p, const Mat& input, std::vector<Tape<Scalar>>& tapes,
                Mat& output_grad, Scalar* grad, Mat* input_grad) const;

 private:
  ImageShape input_;
  std::vector<std::unique_ptr<Layer<Scalar>>> layers_;
  std::vector<Eigen::Index> param_offsets_, state_offsets_;
  Eigen::Index num_params_ = 0, num_state_ = 0;
};

}  // namespace sgdsim::nn
