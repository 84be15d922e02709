#include "sim/algorithms/local_sgd.hpp"

#include <cmath>
#include <stdexcept>

namespace sgdsim {

template <class Scalar>
LocalSgd<Scalar>::LocalSgd(TrainingProblem<Scalar> problem, const AlgorithmSpec& spec)
    : ReplicatedAlgorithm<Scalar>(std::move(problem), spec.batch_size), spec_(spec) {
  if (spec_.interval < 1) throw std::invalid_argument("local_sgd: interval must be at least 1");
  gradients_.resize(this->workers());
  if (uses_momentum()) momentum_.assign(this->workers(), Vector::Zero(this->num_params()));
}

template <class Scalar>
bool LocalSgd<Scalar>::local_step(int worker, std::int64_t step) {
  Vector& x = this->mutable_replica(worker);
  Vector& g = gradients_[worker];
  const Scalar loss = this->stochastic_gradient(worker, g);
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
  return step % spec_.interval == 0 || step == this->steps();
}

template <class Scalar>
void LocalSgd<Scalar>::synchronize(std::int64_t step, const std::vector<int>& participants) {
  this->average_models(step, participants);
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
