#include "models/nn/layer_stack.hpp"

#include <stdexcept>
#include <utility>

namespace sgdsim::nn {

template <class Scalar>
void LayerStack<Scalar>::add(std::unique_ptr<Layer<Scalar>> layer) {
  if (!(layer->input_shape() == output_shape())) {
    throw std::logic_error("layer added to a stack whose output shape it does not take");
  }
  param_offsets_.push_back(num_params_);
  state_offsets_.push_back(num_state_);
  num_params_ += layer->num_params();
  num_state_ += layer->num_state();
  layers_.push_back(std::move(layer));
}

template <class Scalar>
double LayerStack<Scalar>::forward_flops_per_sample() const {
  double flops = 0.0;
  for (const auto& layer : layers_) flops += layer->forward_flops_per_sample();
  return flops;
}

template <class Scalar>
void LayerStack<Scalar>::initialize(Scalar* params, Scalar* state, Rng* rng) const {
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->initialize(params + param_offsets_[i], state + state_offsets_[i], rng);
  }
}

template <class Scalar>
auto LayerStack<Scalar>::forward(const LayerParams<Scalar>& p, const Mat& input, Mode mode,
                                 std::vector<Tape<Scalar>>& tapes) const -> const Mat& {
  tapes.resize(layers_.size());
  const Mat* current = &input;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->forward(p.offset(param_offsets_[i], state_offsets_[i]), *current, mode, tapes[i]);
    current = &tapes[i].output;
  }
  return *current;
}

template <class Scalar>
void LayerStack<Scalar>::backward(const LayerParams<Scalar>& p, const Mat& input,
                                  std::vector<Tape<Scalar>>& tapes, Mat& output_grad, Scalar* grad,
                                  Mat* input_grad) const {
  if (layers_.empty()) {
    if (input_grad) *input_grad = output_grad;
    return;
  }
  Mat current = std::move(output_grad), previous;
  for (std::size_t i = layers_.size(); i-- > 0;) {
    const Mat& layer_input = i == 0 ? input : tapes[i - 1].output;
    Mat* target = i == 0 ? input_grad : &previous;
    layers_[i]->backward(p.offset(param_offsets_[i], state_offsets_[i]), layer_input, tapes[i],
                         current, grad + param_offsets_[i], target);
    std::swap(current, previous);
  }
  output_grad = std::move(previous);  // hands the buffer back for the caller's next step
}

template class LayerStack<float>;
template class LayerStack<double>;

}  // namespace sgdsim::nn
