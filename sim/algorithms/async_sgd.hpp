// Asynchronous parameter-server SGD (Hogwild!-style delayed updates, e.g. Dean et al. 2012,
// Lian et al. 2015): the server applies each worker's gradient as soon as it arrives, even though
// it was computed at an older model; how old (the staleness) is whatever the simulated timing
// makes it. Each worker keeps the copy it pulled and its own mini-batch stream, seeded like a
// local SGD worker's, so one asynchronous worker is plain SGD bit for bit.
#pragma once

#include <cstdint>
#include <vector>

#include "models/data/batch_sampler.hpp"
#include "sim/algorithms/algorithm_spec.hpp"
#include "sim/algorithms/async_algorithm.hpp"
#include "sim/algorithms/training_problem.hpp"

namespace sgdsim {

template <class Scalar>
class AsyncSgd final : public AsyncAlgorithm {
 public:
  using Vector = typename Objective<Scalar>::Vector;

  // Throws std::invalid_argument without workers.
  AsyncSgd(TrainingProblem<Scalar> problem, const AlgorithmSpec& spec);
  // Not copyable: the samplers point into this object's batch_orders_.
  AsyncSgd(const AsyncSgd&) = delete;
  AsyncSgd& operator=(const AsyncSgd&) = delete;

  int workers() const override { return static_cast<int>(pulled_.size()); }
  std::int64_t steps() const override { return problem_.steps; }
  void pull(int worker) override;
  bool compute_gradient(int worker) override;
  AppliedUpdate apply(int worker, std::int64_t step) override;
  std::int64_t version() const override { return version_; }
  ModelMetrics evaluate() const override;
  double payload_bytes() const override;
  void write_model(std::ostream& out) const override;
  std::vector<double> model() const override {
    return {server_.data(), server_.data() + server_.size()};
  }

  const Vector& server_model() const { return server_; }

 private:
  struct BatchBuffer {
    typename Dataset<Scalar>::Matrix features;
    typename Dataset<Scalar>::Vector targets;
  };

  TrainingProblem<Scalar> problem_;
  AlgorithmSpec spec_;
  Vector server_;
  std::int64_t version_ = 0;
  std::vector<Vector> pulled_;  // each worker's copy of the server model
  std::vector<std::int64_t> pulled_version_;
  std::vector<Vector> gradients_;
  std::vector<std::int64_t> batch_orders_;  // every shard, back to back, as the samplers shuffle it
  std::vector<BatchSampler> samplers_;
  std::vector<std::int64_t> straddle_;  // a mini-batch across two epochs
  std::vector<Rng> augment_rngs_;       // data.augment's stream per worker, as a local SGD worker's
  std::vector<BatchBuffer> batches_;
};

}  // namespace sgdsim
