#include "sim/algorithms/easgd.hpp"

#include <cmath>
#include <limits>

namespace sgdsim {

template <class Scalar>
Easgd<Scalar>::Easgd(TrainingProblem<Scalar> problem, const AlgorithmSpec& spec)
    : ReplicatedAlgorithm<Scalar>(std::move(problem), spec.batch_size),
      spec_(spec),
      schedule_(spec.interval_schedule, spec.interval, this->steps()) {}

template <class Scalar>
bool Easgd<Scalar>::local_step(int worker, std::int64_t step) {
  return this->sgd_step(worker, spec_.lr_at(step));
}

template <class Scalar>
bool Easgd<Scalar>::synchronizes_after(std::int64_t step) const {
  return schedule_.synchronizes_after(step);
}

template <class Scalar>
void Easgd<Scalar>::synchronize(std::int64_t step, const std::vector<int>& participants) {
  const auto alpha = static_cast<Scalar>(spec_.elasticity);
  Vector centre = this->consensus();
  pull_sum_.setZero(centre.size());
  for (int w : participants) {  // in worker order, so the sum never depends on event order
    Vector& x = this->mutable_replica(w);
    const Vector difference = x - centre;
    pull_sum_ += difference;
    x -= alpha * difference;
  }
  centre += alpha * pull_sum_;
  this->set_consensus(step, centre);

  schedule_.on_round_end(step, this->take_round_loss());
}

template <class Scalar>
double Easgd<Scalar>::sync_payload_bytes() const {
  return this->model_bytes();
}

template class Easgd<float>;
template class Easgd<double>;

}  // namespace sgdsim
