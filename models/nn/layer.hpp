// One layer of a sequential network, on a batch of C×H×W tensors.
//
// Layout: a batch is a column-major (N·H·W) × C matrix, channel-major ("CNHW"): column c holds
// channel c of every sample, sample n's H×W plane at rows n·H·W … (n+1)·H·W − 1, row-major. A
// convolution is then one im2col matrix times the weights for the whole batch (a tall GEMM rather
// than N small ones), batch normalisation works on whole columns, and a layer with H = W = 1
// (dense) sees the usual N × features matrix.
//
// Parameters are each layer's own slice of the model's flat vector, in PyTorch's order and layout
// (weight then bias; a weight [out][in][kh][kw] row-major), so a model exports to PyTorch by
// reshaping slices. Model state (batch-norm running statistics) is a separate slice at the end of
// the flat vector.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/rng.hpp"

namespace sgdsim::nn {

template <class Scalar>
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
template <class Scalar>
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

enum class Mode {
  inference,  // batch norm normalises with its running statistics
  training,   // batch norm normalises with the batch's statistics
};

// What a layer keeps from its forward pass for its backward pass. Layers use what they need.
template <class Scalar>
struct Tape {
  Matrix<Scalar> output;
  Matrix<Scalar> saved;               // batch norm: the normalised input x̂
  Vector<Scalar> saved_vector;        // batch norm: 1/σ per channel
  std::vector<std::int32_t> indices;  // max pooling: where each output's maximum came from
  std::vector<Tape> inner;            // composite layers: their layers' tapes
};

// The slices of the model vector a layer owns (null where it has none).
template <class Scalar>
struct LayerParams {
  const Scalar* params = nullptr;
  const Scalar* state = nullptr;  // read in inference
  Scalar* new_state = nullptr;    // training: where the moved state goes (null: it does not move)

  LayerParams offset(Eigen::Index params_offset, Eigen::Index state_offset) const {
    return {params ? params + params_offset : nullptr, state ? state + state_offset : nullptr,
            new_state ? new_state + state_offset : nullptr};
  }
};

template <class Scalar>
class Layer {
 public:
  using Mat = Matrix<Scalar>;

  Layer(ImageShape input, ImageShape output) : input_(input), output_(output) {}
  virtual ~Layer() = default;

  const ImageShape& input_shape() const { return input_; }
  const ImageShape& output_shape() const { return output_; }
  virtual Eigen::Index num_params() const { return 0; }
  virtual Eigen::Index num_state() const { return 0; }
  // Multiply-adds of one sample's forward pass, times 2 (convolutions and dense layers only).
  virtual double forward_flops_per_sample() const { return 0.0; }

  // Writes the layer's starting parameters and state into its slices; without `rng`, zero weights.
  virtual void initialize(Scalar* /*params*/, Scalar* /*state*/, Rng* /*rng*/) const {}

  // `tape.output` receives the layer's output for `input` ((N·H·W) × C as above).
  virtual void forward(const LayerParams<Scalar>& p, const Mat& input, Mode mode,
                       Tape<Scalar>& tape) const = 0;
  // From d(loss)/d(output) (`output_grad`, which the layer may overwrite), writes d(loss)/d(params)
  // into `grad` (the layer's slice of the gradient) and, unless `input_grad` is null,
  // d(loss)/d(input).
  virtual void backward(const LayerParams<Scalar>& p, const Mat& input, Tape<Scalar>& tape,
                        Mat& output_grad, Scalar* grad, Mat* input_grad) const = 0;

 private:
  ImageShape input_;
  ImageShape output_;
};

inline Eigen::Index plane_size(const ImageShape& shape) {
  return shape.height * shape.width;
}

}  // namespace sgdsim::nn
