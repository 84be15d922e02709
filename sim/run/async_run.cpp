#include "sim/run/async_run.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace sgdsim {

AsyncRun::AsyncRun(AsyncAlgorithm& algorithm, ClusterTiming timing, std::int64_t eval_every,
                   RunObserver& observer, const std::atomic<bool>* stop_requested)
    : algorithm_(algorithm),
      timing_(timing),
      eval_every_(eval_every),
      observer_(observer),
      stop_requested_(stop_requested),
      workers_(algorithm.workers()),
      total_updates_(static_cast<std::int64_t>(algorithm.workers()) * algorithm.steps()),
      state_(algorithm.workers(), State::queued),
      since_(algorithm.workers()),
      gradients_computed_(algorithm.workers(), 0) {
  if (timing_.compute == nullptr || timing_.network == nullptr) {
    throw std::invalid_argument("an asynchronous run needs a compute model and a network");
  }
  if (timing_.availability != nullptr || timing_.overlap) {
    throw std::invalid_argument(
        "asynchronous SGD is modelled without failing workers and without network.overlap");
  }
  const Topology& topology = timing_.network->topology_for(timing_.payload_bytes);
  if (topology.server() < 0 || topology.workers() != workers_) {
    throw std::invalid_argument(
        "asynchronous SGD needs a network of its workers with a parameter server endpoint");
  }
  for (int w = 0; w < workers_; ++w) {
    push_paths_.push_back(make_path(w, topology.server()));
    pull_paths_.push_back(make_path(topology.server(), w));
  }
  free_at_.assign(topology.resources().size(), SimTime::zero());
  engine_.reserve(workers_);  // an event pending per worker, at least
  result_.workers.resize(workers_);
  result_.resource_bytes.assign(topology.resources().size(), 0.0);
}

AsyncRun::Path AsyncRun::make_path(int src, int dst) const {
  const Topology& topology = timing_.network->topology_for(timing_.payload_bytes);
  const Route route = topology.route(src, dst);
  double bytes_per_second = std::numeric_limits<double>::infinity();
  for (int r : route.resources) {
    bytes_per_second = std::min(bytes_per_second, topology.resources().bytes_per_second(r));
  }
  return {route.resources,
          route.latency + SimTime::from_seconds(timing_.payload_bytes / bytes_per_second)};
}

RunResult AsyncRun::run() {
  measure();
  if (result_.status == RunStatus::ok && total_updates_ > 0) {
    for (int w = 0; w < workers_; ++w) request_pull(w);
    if (engine_.run(stop_requested_)) result_.status = RunStatus::interrupted;
  }
  // An interrupted run ends with a row for the server's model as it stopped (model.csv's).
  if (result_.status == RunStatus::interrupted &&
      (!result_.last_metrics || nominal_step(algorithm_.version()) > result_.last_metrics->step)) {
    measure();
    if (result_.status == RunStatus::diverged) result_.status = RunStatus::interrupted;
  }
  result_.sim_time = engine_.now();
  // Close the spans still open (a message or gradient cut off by the end), so that every
  // worker's compute + communication + idle equals the simulated time.
  for (int w = 0; w < workers_; ++w) enter(w, state_[w]);
  result_.events = engine_.events_processed();
  return result_;
}

// Accounts the time since the worker's latest transition to the state it leaves.
void AsyncRun::enter(int worker, State state) {
  const SimTime now = engine_.now();
  const SimTime spent = now - since_[worker];
  WorkerTimes& times = result_.workers[worker];
  switch (state_[worker]) {
    case State::queued:
      times.idle += spent;
      if (spent > SimTime::zero()) observer_.on_wait(worker, since_[worker], now);
      break;
    case State::transferring:
      times.communication += spent;
      break;
    case State::computing:
      times.compute += spent;
      break;
  }
  state_[worker] = state;
  since_[worker] = now;
}

// Reserves every resource on the path from when the last of them is free, first come first
// served, and calls `on_arrival` when the message has arrived.
void AsyncRun::send(int worker, const Path& path, void (AsyncRun::*on_arrival)(int)) {
  SimTime start = engine_.now();
  for (int r : path.resources) start = std::max(start, free_at_[r]);
  const SimTime end = start + path.duration;
  for (int r : path.resources) free_at_[r] = end;
  enter(worker, State::queued);
  if (start == engine_.now()) {
    enter(worker, State::transferring);
  } else {
    engine_.schedule_at(start, [this, worker] { enter(worker, State::transferring); });
  }
  engine_.schedule_at(end, [this, worker, on_arrival] { (this->*on_arrival)(worker); });
}

void AsyncRun::request_pull(int worker) {
  algorithm_.pull(worker);
  send(worker, pull_paths_[worker], &AsyncRun::finish_pull);
}

void AsyncRun::finish_pull(int worker) {
  count_bytes(pull_paths_[worker]);
  enter(worker, State::computing);
  const SimTime started = engine_.now();
  const SimTime duration = timing_.compute->step_time(worker, started);
  engine_.schedule_after(duration, [this, worker, started] { finish_compute(worker, started); });
}

void AsyncRun::finish_compute(int worker, SimTime started) {
  enter(worker, State::queued);  // closes the compute span; send() opens the next
  observer_.on_compute(worker, ++gradients_computed_[worker], started, engine_.now());
  if (stop_if_requested()) return;
  if (!algorithm_.compute_gradient(worker)) {
    diverge(nominal_step(algorithm_.version() + 1), worker);
    return;
  }
  send(worker, push_paths_[worker], &AsyncRun::finish_push);
}

void AsyncRun::finish_push(int worker) {
  count_bytes(push_paths_[worker]);
  ++result_.comm_rounds;
  const std::int64_t update = algorithm_.version() + 1;
  const std::int64_t step = nominal_step(update);
  const AppliedUpdate applied = algorithm_.apply(worker, step);
  ++result_.workers[worker].steps;
  WorkerExtras& extras = result_.record_extras(worker);
  extras.staleness_sum += applied.staleness;
  extras.staleness_max = std::max(extras.staleness_max, applied.staleness);
  if (!applied.finite) {
    diverge(step, worker);
    return;
  }
  if (update == total_updates_) {
    measure();
    engine_.stop();  // what is still in flight is dropped
    return;
  }
  if (is_eval_update(update)) {
    measure();
    if (result_.status != RunStatus::ok) return;
  }
  if (stop_if_requested()) return;
  request_pull(worker);
}

void AsyncRun::count_bytes(const Path& path) {
  result_.bytes_sent += timing_.payload_bytes;
  for (int r : path.resources) result_.resource_bytes[r] += timing_.payload_bytes;
}

std::int64_t AsyncRun::nominal_step(std::int64_t update) const {
  return (update + workers_ - 1) / workers_;
}

bool AsyncRun::is_eval_update(std::int64_t update) const {
  return eval_every_ > 0 && update % (eval_every_ * workers_) == 0;
}

void AsyncRun::diverge(std::int64_t step, int worker) {
  result_.status = RunStatus::diverged;
  result_.diverged_step = step;
  result_.diverged_worker = worker;
  engine_.stop();
}

bool AsyncRun::stop_if_requested() {
  if (stop_requested_ == nullptr || !stop_requested_->load(std::memory_order_relaxed)) return false;
  result_.status = RunStatus::interrupted;
  engine_.stop();
  return true;
}

void AsyncRun::measure() {
  MetricsRow row;
  row.step = nominal_step(algorithm_.version());
  row.time = engine_.now();
  row.comm_rounds = result_.comm_rounds;
  row.bytes_sent = result_.bytes_sent;
  row.model = algorithm_.evaluate();
  if (!row.model.finite()) {  // reported as a divergence, never written out as numbers
    diverge(row.step, -1);
    return;
  }
  result_.last_metrics = row;
  observer_.on_metrics(row);
}

}  // namespace sgdsim
