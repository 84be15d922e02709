// SynchronousRun's overlapped rounds (network.overlap): workers send into a round and go on
// stepping; the average lands at their next step boundary. See synchronous_run.hpp.
#include <algorithm>

#include "sim/run/synchronous_run.hpp"

namespace sgdsim {

void SynchronousRun::apply_if_due(int worker) {
  if (!needs_apply_[worker]) return;
  needs_apply_[worker] = false;
  const std::int64_t stale = steps_done_[worker] - sent_at_step_[worker];
  algorithm_.apply_delayed_round(worker, stale);
  result_.record_extras(worker).stale_steps += stale;
}

void SynchronousRun::arrive_overlapped(int worker, std::int64_t step) {
  apply_if_due(worker);
  if (outstanding_[worker]) {  // its previous model is still being averaged: wait for the result
    set_state(worker, State::blocked);
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
    set_state(worker, State::blocked);
    since_[worker] = engine_.now();
    blocked_step_[worker] = 0;
  } else {
    start_step(worker);
  }
  if (++sent_count_ < algorithm_.workers()) return;
  sent_count_ = 0;
  round_started_ = engine_.now();
  std::shared_ptr<const CollectiveCost> cost =
      timing_.network->allreduce_cost(everyone_, timing_.payload_bytes);
  observer_.on_collective(result_.comm_rounds + 1, round_started_, *cost, everyone_);
  const SimTime duration = cost->duration;
  engine_.schedule_after(
      duration, [this, step, cost = std::move(cost)] { finish_overlapped_round(step, *cost); });
}

void SynchronousRun::finish_overlapped_round(std::int64_t step, const CollectiveCost& cost) {
  algorithm_.complete_delayed_round(step, everyone_);
  last_round_step_ = step;
  add_round_traffic(cost);
  last_round_time_ = engine_.now();
  rounds_at_last_round_ = result_.comm_rounds;
  bytes_at_last_round_ = result_.bytes_sent;
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
    set_state(w, State::computing);
    send_into_round(w, blocked_step_[w]);
  }
}

}  // namespace sgdsim
