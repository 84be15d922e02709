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

#include "models/data/batch_sampler.hpp"
#include "models/rng.hpp"

namespace sgdsim {

template <class Scalar>
struct WorkerState {
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  WorkerState(Vector initial_model, BatchSampler batches)
      : model(std::move(initial_model)), sampler(std::move(batches)) {}

  Vector model;
  Vector momentum;  // sgd: the heavy-ball buffer v ← μv + g; adam(w): the first moment m; or empty
  Vector second_moment;             // adam(w): v ← β₂v + (1 − β₂)g²; empty otherwise
  std::int64_t optimizer_step = 0;  // adam(w): t, the steps since the state was last zeroed
  BatchSampler sampler;
  // data.augment's stream, derive_seed(seed, "augment", worker); null when augmentation is off
  // (a pointer, not 48 bytes in every worker of a run that never draws from it).
  std::unique_ptr<Rng> augment_rng;
  // Mini-batch losses since the latest round (the adaptive schedule's signal).
  double round_loss_sum = 0.0;
  std::int64_t round_loss_steps = 0;
};

}  // namespace sgdsim
