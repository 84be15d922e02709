// What a run measured, whichever driver ran it (synchronous rounds or asynchronous updates).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/sim_time.hpp"
#include "sim/run/run_observer.hpp"

namespace sgdsim {

// stalled: the run could not progress (e.g. workers fail faster than they finish a step).
enum class RunStatus { ok, diverged, interrupted, stalled };
const char* to_string(RunStatus status);

// What every run measures of each worker.
struct WorkerTimes {
  SimTime compute;
  SimTime communication;
  SimTime idle;  // waiting at barriers for slower workers, or after a repair for a round to end
  std::int64_t steps = 0;  // local steps (gradients) the worker computed
};

// What only some runs measure of a worker; zero elsewhere, where RunResult keeps none of it (a
// million workers would carry 56 MB of zeros).
struct WorkerExtras {
  SimTime down;                  // failed, until repaired
  std::int64_t extra_steps = 0;  // while_waiting: local_steps: steps taken waiting at barriers
  std::int64_t failures = 0;
  std::int64_t rounds_missed = 0;  // rounds it took no part in (failed, or not sampled)
  std::int64_t stale_steps = 0;    // overlap: local steps taken between sending and applying
  // async_sgd: server updates between the worker's pull and the arrival of its gradient.
  std::int64_t staleness_sum = 0;
  std::int64_t staleness_max = 0;
};

// eval.step_averages: sums over the steps t = 0 … T−1 measured so far of f(x̄_t) and ‖∇f(x̄_t)‖²
// (NaN terms when the gradient norm is not measured).
struct StepAverages {
  double train_loss_sum = 0.0;
  double grad_norm_sq_sum = 0.0;
  std::int64_t steps = 0;

  void add(const ModelMetrics& model) {
    train_loss_sum += model.train_loss;
    grad_norm_sq_sum += model.grad_norm_sq;
    ++steps;
  }
};

struct RunResult {
  RunStatus status = RunStatus::ok;
  std::int64_t diverged_step = -1;
  int diverged_worker = -1;  // -1: the averaged model, not one worker's
  std::string stall_reason;  // stalled: what kept the run from progressing
  SimTime sim_time;
  std::int64_t comm_rounds = 0;  // async_sgd: gradients pushed to the server
  // comm_rounds by level (RoundPolicy::levels(): hierarchical local SGD's group rounds, then
  // global ones; one level elsewhere). A group round counts once, when its every group has
  // averaged.
  std::vector<std::int64_t> rounds_by_level;
  double bytes_sent = 0.0;
  std::vector<double> resource_bytes;  // bytes each network resource carried (Network::resources())
  std::vector<WorkerTimes> workers;
  // Empty until a run records one of a worker's extras, then one per worker.
  std::vector<WorkerExtras> worker_extras;
  std::optional<MetricsRow> last_metrics;
  std::optional<StepAverages> step_averages;  // when asked for
  std::uint64_t events = 0;

  const WorkerExtras& extras(std::size_t worker) const {
    static const WorkerExtras kNone;
    return worker_extras.empty() ? kNone : worker_extras[worker];
  }
  // `worker`'s extras to add to, keeping them for every worker from the first one recorded.
  WorkerExtras& record_extras(std::size_t worker) {
    if (worker_extras.empty()) worker_extras.resize(workers.size());
    return worker_extras[worker];
  }
};

}  // namespace sgdsim
