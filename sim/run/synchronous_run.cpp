#include "sim/run/synchronous_run.hpp"

namespace sgdsim {

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::ok:
      return "ok";
    case RunStatus::diverged:
      return "diverged";
    case RunStatus::interrupted:
      return "interrupted";
  }
  return "?";
}

SynchronousRun::SynchronousRun(Algorithm& algorithm, ClusterTiming timing, std::int64_t eval_every,
                               RunObserver& observer, const std::atomic<bool>* stop_requested)
    : algorithm_(algorithm),
      timing_(timing),
      eval_every_(eval_every),
      observer_(observer),
      stop_requested_(stop_requested),
      steps_done_(algorithm.workers(), 0),
      arrival_(algorithm.workers()) {
  result_.workers.resize(algorithm.workers());
  for (int w = 0; w < algorithm.workers(); ++w) participants_.push_back(w);
}

RunResult SynchronousRun::run() {
  measure(0);
  if (result_.status == RunStatus::ok) {
    for (int w = 0; w < algorithm_.workers(); ++w) start_step(w);
    engine_.run();
  }
  result_.sim_time = engine_.now();
  result_.events = engine_.events_processed();
  for (int w = 0; w < algorithm_.workers(); ++w) result_.workers[w].steps = steps_done_[w];
  return result_;
}

bool SynchronousRun::stop_if_requested() {
  if (stop_requested_ == nullptr || !stop_requested_->load(std::memory_order_relaxed)) return false;
  result_.status = RunStatus::interrupted;
  engine_.stop();
  return true;
}

void SynchronousRun::start_step(int worker) {
  const SimTime duration = timing_.compute->step_time(worker, engine_.now());
  const SimTime started = engine_.now();
  engine_.schedule_after(duration, [this, worker, started] { finish_step(worker, started); });
}

void SynchronousRun::finish_step(int worker, SimTime started) {
  // Counted when the step ends, so a run cut short never counts time past its end.
  result_.workers[worker].compute += engine_.now() - started;
  if (stop_if_requested()) return;
  const std::int64_t step = ++steps_done_[worker];
  observer_.on_compute(worker, step, started, engine_.now());
  if (!algorithm_.local_step(worker, step)) {
    result_.status = RunStatus::diverged;
    result_.diverged_step = step;
    result_.diverged_worker = worker;
    engine_.stop();
    return;
  }
  if (algorithm_.synchronizes_after(step)) {
    arrival_[worker] = engine_.now();
    if (++arrived_ == algorithm_.workers()) start_synchronization(step);
    return;
  }
  if (is_eval_step(step)) {
    algorithm_.snapshot(worker, step);
    if (++snapshots_taken_[step] == algorithm_.workers()) {
      snapshots_taken_.erase(step);
      measure(step);
      if (result_.status != RunStatus::ok) return;
    }
  }
  start_step(worker);
}

void SynchronousRun::start_synchronization(std::int64_t step) {
  const SimTime now = engine_.now();
  for (int w = 0; w < algorithm_.workers(); ++w) {
    if (arrival_[w] < now) {
      result_.workers[w].idle += now - arrival_[w];
      observer_.on_wait(w, arrival_[w], now);
    }
  }
  CollectiveCost cost = timing_.network->allreduce_cost(participants_, timing_.payload_bytes);
  observer_.on_collective(result_.comm_rounds + 1, now, cost);
  const SimTime duration = cost.duration;
  engine_.schedule_after(
      duration, [this, step, cost = std::move(cost)] { finish_synchronization(step, cost); });
}

void SynchronousRun::finish_synchronization(std::int64_t step, const CollectiveCost& cost) {
  algorithm_.synchronize(step, participants_);
  arrived_ = 0;
  ++result_.comm_rounds;
  result_.bytes_sent += cost.bytes_sent;
  result_.resource_bytes.resize(cost.resource_bytes.size(), 0.0);
  for (std::size_t r = 0; r < cost.resource_bytes.size(); ++r) {
    result_.resource_bytes[r] += cost.resource_bytes[r];
  }
  for (auto& times : result_.workers) times.communication += cost.duration;
  if (is_eval_step(step)) {
    measure(step);
    if (result_.status != RunStatus::ok) return;
  }
  if (step == algorithm_.steps()) return;
  if (stop_if_requested()) return;
  for (int w = 0; w < algorithm_.workers(); ++w) start_step(w);
}

bool SynchronousRun::is_eval_step(std::int64_t step) const {
  return step == algorithm_.steps() || (eval_every_ > 0 && step % eval_every_ == 0);
}

void SynchronousRun::measure(std::int64_t step) {
  MetricsRow row;
  row.step = step;
  row.time = engine_.now();
  row.comm_rounds = result_.comm_rounds;
  row.bytes_sent = result_.bytes_sent;
  row.model = algorithm_.evaluate_average(step);
  if (!row.model.finite()) {  // reported as a divergence, never written out as numbers
    result_.status = RunStatus::diverged;
    result_.diverged_step = step;
    result_.diverged_worker = -1;
    engine_.stop();
    return;
  }
  result_.last_metrics = row;
  observer_.on_metrics(row);
}

}  // namespace sgdsim
