// The interface between an asynchronous run (sim/run/async_run.hpp) and an algorithm in which
// workers never meet: a parameter server holds the model; each worker pulls it, computes a
// gradient there and pushes it back, and the server applies it on arrival. The run decides *when*
// each pull, gradient and apply happens; the algorithm only does the math, unaware of time.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include "sim/algorithms/model_metrics.hpp"

namespace sgdsim {

// What applying one pushed gradient did to the server model.
struct AppliedUpdate {
  // Server updates applied between the worker's pull and this one: its version then minus the
  // version the worker pulled (0 for a single worker).
  std::int64_t staleness = 0;
  bool finite = true;  // the server model after the update
};

class AsyncAlgorithm {
 public:
  virtual ~AsyncAlgorithm() = default;

  virtual int workers() const = 0;
  // T: a run applies N·T gradients, as many as T synchronous steps of N workers compute.
  virtual std::int64_t steps() const = 0;

  // `worker` receives the server model as it is now (its version is remembered for staleness).
  virtual void pull(int worker) = 0;
  // A mini-batch gradient at the model `worker` last pulled. False when it is not finite.
  virtual bool compute_gradient(int worker) = 0;
  // x ← x − γ·g with `worker`'s latest gradient, γ = lr_at(step) for the nominal step `step`.
  virtual AppliedUpdate apply(int worker, std::int64_t step) = 0;
  // Updates applied so far.
  virtual std::int64_t version() const = 0;

  // The server model measured on the whole training set (and the test set, if any).
  virtual ModelMetrics evaluate() const = 0;
  // Bytes of one push or pull: a gradient and a model have the same size.
  virtual double payload_bytes() const = 0;
  // The server model, one parameter per line.
  virtual void write_model(std::ostream& out) const = 0;
  virtual std::vector<double> model() const = 0;
};

}  // namespace sgdsim
