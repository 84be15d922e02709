#include "sim/algorithms/local_sgd.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/rng.hpp"

namespace sgdsim {

template <class Scalar>
LocalSgd<Scalar>::LocalSgd(TrainingProblem<Scalar> problem, const AlgorithmSpec& spec)
    : ReplicatedAlgorithm<Scalar>(std::move(problem), spec.batch_size),
      spec_(spec),
      schedule_(spec.interval_schedule, spec.interval, this->steps()) {
  if (uses_momentum()) momentum_.assign(this->workers(), Vector::Zero(this->num_params()));
  if (spec.kind == "slowmo" || spec.kind == "diloco") {
    outer_.emplace(spec.kind == "slowmo" ? OuterKind::slowmo : OuterKind::diloco, spec.outer_lr,
                   spec.outer_momentum, this->num_params());
  }
  if (spec.weighting == Weighting::samples || spec.kind == "fedavg") {
    std::vector<double> weights;
    for (const Shard& shard : this->problem().shards) {
      weights.push_back(static_cast<double>(shard.size()));
    }
    this->set_average_weights(std::move(weights));
  }
}

template <class Scalar>
bool LocalSgd<Scalar>::local_step(int worker, std::int64_t step) {
  Vector& x = this->mutable_replica(worker);
  Vector& g = this->scratch().gradient;
  const Scalar loss = this->stochastic_gradient(worker, g);
  const auto lr = static_cast<Scalar>(spec_.lr_at(step));
  if (uses_momentum()) {
    Vector& v = momentum_[worker];
    const auto mu = static_cast<Scalar>(spec_.momentum);
    v = mu * v + g;
    if (spec_.nesterov) {
      x -= lr * (g + mu * v);
    } else {
      x -= lr * v;
    }
  } else {
    x -= lr * g;
  }
  return this->finite(loss, x);
}

template <class Scalar>
bool LocalSgd<Scalar>::synchronizes_after(std::int64_t step) const {
  return schedule_.synchronizes_after(step);
}

template <class Scalar>
void LocalSgd<Scalar>::average_round(std::int64_t step, const std::vector<int>& participants) {
  if (!outer_) {
    this->average_models(step, participants);
    return;
  }
  const Vector start = this->consensus();  // the model this round began from
  this->average_models(step, participants);
  const Vector next = outer_->step(start, this->replica(participants.front()), spec_.lr_at(step));
  for (int w : participants) this->mutable_replica(w) = next;
  this->set_consensus(step, next);
}

template <class Scalar>
void LocalSgd<Scalar>::synchronize(std::int64_t step, const std::vector<int>& participants) {
  average_round(step, participants);
  schedule_.on_round_end(step, this->take_round_loss());
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

// Partial Fisher–Yates from the round's own stream: a round's sample does not depend on how many
// rounds came before it or on anything the run did.
template <class Scalar>
std::optional<std::vector<int>> LocalSgd<Scalar>::sampled_participants(std::int64_t round) {
  const int n = this->workers();
  const int k = spec_.clients_per_round;
  if (spec_.kind != "fedavg" || k <= 0 || k >= n) return std::nullopt;
  std::vector<int> order(n);
  for (int w = 0; w < n; ++w) order[w] = w;
  Rng rng(derive_seed(this->problem().seed, "fedavg_clients", static_cast<std::uint64_t>(round)));
  for (int i = 0; i < k; ++i) {
    const auto j = i + static_cast<int>(rng.uniform_index(static_cast<std::uint64_t>(n - i)));
    std::swap(order[i], order[j]);
  }
  order.resize(k);
  std::sort(order.begin(), order.end());
  return order;
}

template <class Scalar>
void LocalSgd<Scalar>::rejoin(int worker) {
  ReplicatedAlgorithm<Scalar>::rejoin(worker);
  if (uses_momentum()) momentum_[worker].setZero();
}

template <class Scalar>
double LocalSgd<Scalar>::sync_payload_bytes() const {
  const bool sends_momentum = uses_momentum() && spec_.momentum_sync == MomentumSync::average;
  return this->model_bytes() * (sends_momentum ? 2 : 1);
}

template class LocalSgd<float>;
template class LocalSgd<double>;

}  // namespace sgdsim
