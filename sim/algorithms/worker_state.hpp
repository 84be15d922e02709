// One worker's state: its model replica, its inner optimizer's state and its mini-batch stream.
//
// Thread safety: a local step reads the shared problem (data, objective) and writes only its own
// worker's state and the calling thread's scratch space, so the local steps of different workers
// may run at once on different threads. Everything that combines workers (rounds, measurements)
// runs on the driver's thread, between local steps (a hierarchical group round: its members only).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <utility>

#include "models/data/batch_sampler.hpp"
#include "models/rng.hpp"

namespace sgdsim {

// What an inner optimizer carries from step to step: sgd with momentum the heavy-ball buffer,
// adam(w) both moments and its step count.
template <class Scalar>
struct OptimizerState {
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  Vector momentum;        // sgd: v ← μv + g; adam(w): the first moment m
  Vector second_moment;   // adam(w): v ← β₂v + (1 − β₂)g²; empty for sgd
  std::int64_t step = 0;  // adam(w): t, the steps since the state was last zeroed
};

template <class Scalar>
struct WorkerState {
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  WorkerState(Vector initial_model, BatchSampler batches)
      : model(std::move(initial_model)), sampler(std::move(batches)) {}

  Vector model;
  BatchSampler sampler;
  // Pointers, not members, for what most runs never use: plain sgd keeps no optimizer state and
  // most runs draw no augmentation, and a run of 10⁶ workers would carry 40 + 48 bytes each.
  std::unique_ptr<OptimizerState<Scalar>> optimizer;  // null: sgd without momentum
  // data.augment's stream, derive_seed(seed, "augment", worker); null when augmentation is off.
  std::unique_ptr<Rng> augment_rng;
};

// The model-sized vectors of a worker's state that a round may average.
enum class StateVector { model, momentum, second_moment };

template <class Scalar>
const typename WorkerState<Scalar>::Vector& state_vector(const WorkerState<Scalar>& worker,
                                                         StateVector which) {
  switch (which) {
    case StateVector::momentum:
      return worker.optimizer->momentum;
    case StateVector::second_moment:
      return worker.optimizer->second_moment;
    case StateVector::model:
      break;
  }
  return worker.model;
}

template <class Scalar>
typename WorkerState<Scalar>::Vector& state_vector(WorkerState<Scalar>& worker, StateVector which) {
  return const_cast<typename WorkerState<Scalar>::Vector&>(
      state_vector(std::as_const(worker), which));
}

}  // namespace sgdsim
