#include "sim/algorithms/local_sgd.hpp"

#include <cmath>
#include <limits>

namespace sgdsim {

template <class Scalar>
LocalSgd<Scalar>::LocalSgd(TrainingProblem<Scalar> problem, const AlgorithmSpec& spec)
    : ReplicatedAlgorithm<Scalar>(std::move(problem), spec.batch_size),
      spec_(spec),
      schedule_(spec.interval_schedule, spec.interval, this->steps()) {
  gradients_.resize(this->workers());
  round_loss_sum_.assign(this->workers(), 0.0);
  round_loss_steps_.assign(this->workers(), 0);
  if (uses_momentum()) momentum_.assign(this->workers(), Vector::Zero(this->num_params()));
}

template <class Scalar>
bool LocalSgd<Scalar>::local_step(int worker, std::int64_t step) {
  Vector& x = this->mutable_replica(worker);
  Vector& g = gradients_[worker];
  const Scalar loss = this->stochastic_gradient(worker, g);
  round_loss_sum_[worker] += static_cast<double>(loss);
  ++round_loss_steps_[worker];
  const auto lr = static_cast<Scalar>(spec_.lr_at(step));
  if (uses_momentum()) {
    Vector& v = momentum_[worker];
    v = static_cast<Scalar>(spec_.momentum) * v + g;
    x -= lr * v;
  } else {
    x -= lr * g;
  }
  return std::isfinite(static_cast<double>(loss)) && x.allFinite();
}

template <class Scalar>
bool LocalSgd<Scalar>::synchronizes_after(std::int64_t step) const {
  return schedule_.synchronizes_after(step);
}

template <class Scalar>
void LocalSgd<Scalar>::synchronize(std::int64_t step, const std::vector<int>& participants) {
  this->average_models(step, participants);
  double loss_sum = 0.0;
  std::int64_t loss_steps = 0;
  for (int w = 0; w < this->workers(); ++w) {
    loss_sum += round_loss_sum_[w];
    loss_steps += round_loss_steps_[w];
    round_loss_sum_[w] = 0.0;
    round_loss_steps_[w] = 0;
  }
  schedule_.on_round_end(step, loss_steps > 0 ? loss_sum / static_cast<double>(loss_steps)
                                              : std::numeric_limits<double>::quiet_NaN());
  if (!uses_momentum()) return;
  switch (spec_.momentum_sync) {
    case MomentumSync::average:
      this->average_among(momentum_, participants);
      break;
    case MomentumSync::reset:
      for (int w : participants) momentum_[w].setZero();
      break;
    case MomentumSync::local:
      break;
  }
}

template <class Scalar>
void LocalSgd<Scalar>::rejoin(int worker) {
  ReplicatedAlgorithm<Scalar>::rejoin(worker);
  if (uses_momentum()) momentum_[worker].setZero();
}

template <class Scalar>
double LocalSgd<Scalar>::sync_payload_bytes() const {
  const bool sends_momentum = uses_momentum() && spec_.momentum_sync == MomentumSync::average;
  return static_cast<double>(this->num_params()) * sizeof(Scalar) * (sends_momentum ? 2 : 1);
}

template class LocalSgd<float>;
template class LocalSgd<double>;

}  // namespace sgdsim
