#include "sim/algorithms/easgd.hpp"

namespace sgdsim {

template <class Scalar>
Easgd<Scalar>::Easgd(TrainingProblem<Scalar> problem, const AlgorithmSpec& spec,
                     Communicator<Scalar>* communicator, WorkerRange local)
    : ReplicaAlgorithm<Scalar>(std::move(problem), spec, communicator, false, local) {
  this->set_policy(this->model_bytes());
}

template <class Scalar>
void Easgd<Scalar>::synchronize(std::int64_t step, const std::vector<int>& participants) {
  const auto alpha = static_cast<Scalar>(this->spec().elasticity);
  Vector centre = this->consensus();
  difference_.clear();
  std::vector<const Vector*> local;
  for (int w : participants) {
    if (this->local_workers().contains(w)) difference_.push_back(this->replica(w) - centre);
  }
  for (const Vector& d : difference_) local.push_back(&d);
  pull_sum_.resize(centre.size());
  this->communicator().sum(participants, local, pull_sum_);
  std::size_t i = 0;
  for (int w : participants) {
    if (this->local_workers().contains(w)) this->mutable_replica(w) -= alpha * difference_[i++];
  }
  centre += alpha * pull_sum_;
  this->set_consensus(step, centre);
}

template class Easgd<float>;
template class Easgd<double>;

}  // namespace sgdsim
