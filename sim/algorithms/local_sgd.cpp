#include "sim/algorithms/local_sgd.hpp"

#include <algorithm>

namespace sgdsim {

template <class Scalar>
LocalSgd<Scalar>::LocalSgd(TrainingProblem<Scalar> problem, const AlgorithmSpec& spec,
                           Communicator<Scalar>* communicator, WorkerRange local)
    : ReplicaAlgorithm<Scalar>(std::move(problem), spec, communicator, true, local) {
  if (spec.kind == AlgorithmKind::slowmo || spec.kind == AlgorithmKind::diloco) {
    outer_.emplace(spec.kind == AlgorithmKind::slowmo ? OuterKind::slowmo : OuterKind::diloco,
                   spec.outer_lr, spec.outer_momentum, this->num_params());
  }
  if (spec.weighting == Weighting::samples || spec.kind == AlgorithmKind::fedavg) {
    std::vector<double> weights;
    for (Shard shard : this->problem().shards) {
      weights.push_back(static_cast<double>(shard.size()));
    }
    this->set_average_weights(std::move(weights));
  }
  // A round sends the model, and with momentum_sync: average the optimizer's state vectors too.
  const int sent_state =
      spec.momentum_sync == MomentumSync::average ? this->inner().state_vectors() : 0;
  this->set_policy(this->model_bytes() * (1 + sent_state));
}

template <class Scalar>
void LocalSgd<Scalar>::average_round(std::int64_t step, const std::vector<int>& participants) {
  if (!outer_) {
    this->average_models(step, participants);
    return;
  }
  const Vector start = this->consensus();  // the model this round began from
  this->average_models(step, participants);
  const Vector next = outer_->step(start, this->consensus(), this->spec().lr_at(step));
  for (int w : participants) {
    if (this->local_workers().contains(w)) this->mutable_replica(w) = next;
  }
  this->set_consensus(step, next);
}

template <class Scalar>
void LocalSgd<Scalar>::synchronize(std::int64_t step, const std::vector<int>& participants) {
  RoundPolicy& policy = this->rounds();
  const int level = policy.level_after(step);
  if (level == policy.levels() - 1) {
    average_round(step, participants);
    synchronize_momentum(participants);
    return;
  }
  // A group round (hierarchical): each group's participants average among themselves, and the
  // consensus stays the latest global round's. A driver may pass one group or several.
  const int group_size = policy.group_size(level);
  Vector mean(this->num_params());
  for (auto first = participants.begin(); first != participants.end();) {
    const auto last = std::find_if(first, participants.end(),
                                   [&](int w) { return w / group_size != *first / group_size; });
    const std::vector<int> members(first, last);
    this->average_member(members, StateVector::model, mean);
    synchronize_momentum(members);
    first = last;
  }
}

template <class Scalar>
void LocalSgd<Scalar>::synchronize_momentum(const std::vector<int>& participants) {
  if (!this->inner().has_state()) return;
  switch (this->spec().momentum_sync) {
    case MomentumSync::average: {
      // Adam's step count t stays each worker's own: in synchronous rounds it is the same on all.
      Vector mean(this->num_params());
      this->average_member(participants, StateVector::momentum, mean);
      if (this->inner().is_adam()) {
        this->average_member(participants, StateVector::second_moment, mean);
      }
      break;
    }
    case MomentumSync::reset:
      for (int w : participants) {
        if (this->local_workers().contains(w)) this->inner().reset(this->state(w));
      }
      break;
    case MomentumSync::local:
      break;
  }
}

template class LocalSgd<float>;
template class LocalSgd<double>;

}  // namespace sgdsim
