#include "sim/run/synchronous_run.hpp"

#include <algorithm>

namespace sgdsim {

SynchronousRun::SynchronousRun(Algorithm& algorithm, ClusterTiming timing, std::int64_t eval_every,
                               RunObserver& observer, const std::atomic<bool>* stop_requested)
    : algorithm_(algorithm),
      timing_(timing),
      eval_every_(eval_every),
      observer_(observer),
      stop_requested_(stop_requested),
      steps_done_(algorithm.workers(), 0),
      state_(algorithm.workers(), State::computing),
      since_(algorithm.workers()),
      attempt_(algorithm.workers(), 0),
      deferred_failure_(algorithm.workers()),
      outstanding_(algorithm.workers(), false),
      needs_apply_(algorithm.workers(), false),
      sent_at_step_(algorithm.workers(), 0),
      blocked_step_(algorithm.workers(), 0) {
  result_.workers.resize(algorithm.workers());
  for (int w = 0; w < algorithm.workers(); ++w) everyone_.push_back(w);
}

RunResult SynchronousRun::run() {
  measure(0);
  if (result_.status == RunStatus::ok) {
    for (int w = 0; w < algorithm_.workers(); ++w) {
      start_step(w);
      schedule_next_outage(w);
    }
    engine_.run();
  }
  result_.sim_time = engine_.now();
  close_open_spans();
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

// Time spent in a state that is still open when the run ends is accounted here, so that every
// worker's compute + communication + idle + down equals the simulated time.
void SynchronousRun::close_open_spans() {
  const SimTime now = engine_.now();
  for (int w = 0; w < algorithm_.workers(); ++w) {
    WorkerTimes& times = result_.workers[w];
    switch (state_[w]) {
      case State::arrived:
      case State::rejoining:
      case State::blocked:
        times.idle += now - since_[w];
        break;
      case State::down:
        times.down += now - since_[w];
        observer_.on_outage(w, since_[w], now);
        break;
      case State::computing:  // a step cut short by the end of the run (divergence, interrupt)
      case State::communicating:
        break;
    }
  }
}

void SynchronousRun::start_step(int worker) {
  apply_if_due(worker);
  const SimTime now = engine_.now();
  const SimTime duration = timing_.compute->step_time(worker, now);
  state_[worker] = State::computing;
  since_[worker] = now;
  const std::uint64_t attempt = attempt_[worker];
  engine_.schedule_after(duration,
                         [this, worker, attempt, now] { finish_step(worker, attempt, now); });
}

void SynchronousRun::finish_step(int worker, std::uint64_t attempt, SimTime started) {
  if (attempt != attempt_[worker]) return;  // the worker failed during this step
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
  if (algorithm_.synchronizes_after(step) && timing_.overlap) {
    arrive_overlapped(worker, step);
    return;
  }
  if (algorithm_.synchronizes_after(step)) {
    state_[worker] = State::arrived;
    since_[worker] = engine_.now();
    start_synchronization_if_ready();
    return;
  }
  // With failures the set of workers that reach a step is not known in advance, so the averaged
  // model is measured at round ends only (see measures_after_round).
  if (timing_.availability == nullptr && is_eval_step(step)) {
    algorithm_.snapshot(worker, step);
    if (++snapshots_taken_[step] == algorithm_.workers()) {
      snapshots_taken_.erase(step);
      measure(step);
      if (result_.status != RunStatus::ok) return;
    }
  }
  start_step(worker);
}

void SynchronousRun::start_synchronization_if_ready() {
  if (round_in_flight_) return;
  std::vector<int> participants;
  for (int w = 0; w < algorithm_.workers(); ++w) {
    if (state_[w] == State::computing) return;  // someone is still on its way
    if (state_[w] == State::arrived) participants.push_back(w);
  }
  if (participants.empty()) return;
  const SimTime now = engine_.now();
  const std::int64_t step = steps_done_[participants.front()];
  for (int w : participants) {
    if (since_[w] < now) {
      result_.workers[w].idle += now - since_[w];
      observer_.on_wait(w, since_[w], now);
    }
    state_[w] = State::communicating;
    since_[w] = now;
  }
  CollectiveCost cost = round_cost(participants);
  observer_.on_collective(result_.comm_rounds + 1, now, cost);
  round_in_flight_ = true;
  const SimTime duration = cost.duration;
  engine_.schedule_after(
      duration, [this, step, participants = std::move(participants), cost = std::move(cost)] {
        finish_synchronization(step, participants, cost);
      });
}

void SynchronousRun::finish_synchronization(std::int64_t step, const std::vector<int>& participants,
                                            const CollectiveCost& cost) {
  round_in_flight_ = false;
  algorithm_.synchronize(step, participants);
  const std::int64_t previous_round_step = last_round_step_;
  last_round_step_ = step;
  add_round_traffic(cost);
  for (int w : participants) result_.workers[w].communication += cost.duration;
  if (participants.size() < static_cast<std::size_t>(algorithm_.workers())) {
    std::vector<bool> took_part(algorithm_.workers(), false);
    for (int w : participants) took_part[w] = true;
    for (int w = 0; w < algorithm_.workers(); ++w) {
      if (!took_part[w]) ++result_.workers[w].rounds_missed;
    }
  }
  if (measures_after_round(step, previous_round_step)) {
    measure(step);
    if (result_.status != RunStatus::ok) return;
  }
  if (step == algorithm_.steps()) {
    finished_ = true;
    engine_.stop();  // pending failures and repairs no longer matter
    return;
  }
  if (stop_if_requested()) return;
  for (int w : participants) {
    if (deferred_failure_[w]) {
      const SimTime downtime = *deferred_failure_[w];
      deferred_failure_[w].reset();
      fail(w, downtime);
    } else {
      start_step(w);
    }
  }
  for (int w = 0; w < algorithm_.workers(); ++w) {
    if (state_[w] == State::rejoining) restart_from_average(w, step);
  }
}

void SynchronousRun::schedule_next_outage(int worker) {
  if (timing_.availability == nullptr) return;
  const auto outage = timing_.availability->next_outage(worker, engine_.now());
  if (!outage) return;
  const SimTime downtime = outage->duration;
  engine_.schedule_at(outage->start, [this, worker, downtime] {
    if (finished_) return;
    if (state_[worker] == State::communicating) {
      deferred_failure_[worker] = downtime;
    } else {
      fail(worker, downtime);
    }
  });
}

void SynchronousRun::fail(int worker, SimTime downtime) {
  const SimTime now = engine_.now();
  WorkerTimes& times = result_.workers[worker];
  switch (state_[worker]) {
    case State::computing:  // the step in flight is lost, but its time was spent computing
      ++attempt_[worker];
      times.compute += now - since_[worker];
      break;
    case State::arrived:
    case State::rejoining:
      times.idle += now - since_[worker];
      if (since_[worker] < now) observer_.on_wait(worker, since_[worker], now);
      break;
    case State::communicating:
    case State::down:
    case State::blocked:  // overlap and failures are not combined (the scenario loader refuses)
      break;
  }
  ++times.failures;
  state_[worker] = State::down;
  since_[worker] = now;
  engine_.schedule_after(downtime, [this, worker] { repair(worker); });
  start_synchronization_if_ready();  // the others may have been waiting only for this worker
  if (!anyone_up()) {  // no round will come for repaired workers to join: they go on at once
    for (int w = 0; w < algorithm_.workers(); ++w) {
      if (state_[w] == State::rejoining) restart_from_average(w, last_round_step_);
    }
  }
}

void SynchronousRun::repair(int worker) {
  if (finished_) return;
  const SimTime now = engine_.now();
  result_.workers[worker].down += now - since_[worker];
  observer_.on_outage(worker, since_[worker], now);
  since_[worker] = now;
  if (anyone_up()) {
    state_[worker] = State::rejoining;
  } else {
    restart_from_average(worker, last_round_step_);
  }
  schedule_next_outage(worker);
}

void SynchronousRun::restart_from_average(int worker, std::int64_t step) {
  const SimTime now = engine_.now();
  if (state_[worker] == State::rejoining && since_[worker] < now) {
    result_.workers[worker].idle += now - since_[worker];
    observer_.on_wait(worker, since_[worker], now);
  }
  algorithm_.rejoin(worker);
  steps_done_[worker] = step;
  start_step(worker);
}

CollectiveCost SynchronousRun::round_cost(const std::vector<int>& participants) {
  const Exchange& exchange = algorithm_.exchange();
  if (exchange.kind == Exchange::Kind::neighbors) {
    return timing_.network->neighbor_exchange_cost(exchange.neighbors, timing_.payload_bytes);
  }
  return timing_.network->allreduce_cost(participants, timing_.payload_bytes);
}

void SynchronousRun::add_round_traffic(const CollectiveCost& cost) {
  ++result_.comm_rounds;
  result_.bytes_sent += cost.bytes_sent;
  result_.resource_bytes.resize(cost.resource_bytes.size(), 0.0);
  for (std::size_t r = 0; r < cost.resource_bytes.size(); ++r) {
    result_.resource_bytes[r] += cost.resource_bytes[r];
  }
}

void SynchronousRun::apply_if_due(int worker) {
  if (!needs_apply_[worker]) return;
  needs_apply_[worker] = false;
  const std::int64_t stale = steps_done_[worker] - sent_at_step_[worker];
  algorithm_.apply_delayed_round(worker, stale);
  result_.workers[worker].stale_steps += stale;
}

void SynchronousRun::arrive_overlapped(int worker, std::int64_t step) {
  apply_if_due(worker);
  if (outstanding_[worker]) {  // its previous model is still being averaged: wait for the result
    state_[worker] = State::blocked;
    since_[worker] = engine_.now();
    blocked_step_[worker] = step;
    return;
  }
  send_into_round(worker, step);
}

void SynchronousRun::send_into_round(int worker, std::int64_t step) {
  algorithm_.begin_delayed_round(worker);
  outstanding_[worker] = true;
  sent_at_step_[worker] = step;
  if (step == algorithm_.steps()) {  // nothing left to overlap with: wait for the final average
    state_[worker] = State::blocked;
    since_[worker] = engine_.now();
    blocked_step_[worker] = 0;
  } else {
    start_step(worker);
  }
  if (++sent_count_ < algorithm_.workers()) return;
  sent_count_ = 0;
  round_started_ = engine_.now();
  CollectiveCost cost = timing_.network->allreduce_cost(everyone_, timing_.payload_bytes);
  observer_.on_collective(result_.comm_rounds + 1, round_started_, cost);
  const SimTime duration = cost.duration;
  engine_.schedule_after(
      duration, [this, step, cost = std::move(cost)] { finish_overlapped_round(step, cost); });
}

void SynchronousRun::finish_overlapped_round(std::int64_t step, const CollectiveCost& cost) {
  algorithm_.complete_delayed_round(step, everyone_);
  last_round_step_ = step;
  add_round_traffic(cost);
  const SimTime now = engine_.now();
  std::vector<int> unblocked;
  for (int w = 0; w < algorithm_.workers(); ++w) {
    outstanding_[w] = false;
    if (state_[w] != State::blocked) {
      needs_apply_[w] = true;  // computing: the average lands at its next step boundary
      continue;
    }
    // Waiting before the collective began is idle (slower workers); after, communication.
    WorkerTimes& times = result_.workers[w];
    const SimTime waited_from = std::max(since_[w], round_started_);
    if (since_[w] < round_started_) {
      times.idle += round_started_ - since_[w];
      observer_.on_wait(w, since_[w], round_started_);
    }
    times.communication += now - waited_from;
    since_[w] = now;  // accounted up to here
    needs_apply_[w] = true;
    apply_if_due(w);
    unblocked.push_back(w);
  }
  if (measures_after_round(step, step - 1)) {
    measure(step);
    if (result_.status != RunStatus::ok) return;
  }
  if (step == algorithm_.steps()) {
    finished_ = true;
    engine_.stop();
    return;
  }
  if (stop_if_requested()) return;
  for (int w : unblocked) {
    state_[w] = State::computing;
    send_into_round(w, blocked_step_[w]);
  }
}

bool SynchronousRun::is_eval_step(std::int64_t step) const {
  return step == algorithm_.steps() || (eval_every_ > 0 && step % eval_every_ == 0);
}

// Without failures: at evaluation steps that end a round. With failures: at the first round end
// at or after each evaluation step.
bool SynchronousRun::measures_after_round(std::int64_t step,
                                          std::int64_t previous_round_step) const {
  if (timing_.availability == nullptr || step == algorithm_.steps()) return is_eval_step(step);
  return eval_every_ > 0 && step / eval_every_ > previous_round_step / eval_every_;
}

bool SynchronousRun::anyone_up() const {
  for (State state : state_) {
    if (state != State::down && state != State::rejoining) return true;
  }
  return false;
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
