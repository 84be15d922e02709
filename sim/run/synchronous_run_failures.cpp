// SynchronousRun's failures and repairs (availability): a failing worker leaves, rounds go on
// without it, and it rejoins from an average. See synchronous_run.hpp.
#include "sim/run/synchronous_run.hpp"

#include <fmt/format.h>

namespace sgdsim {

void SynchronousRun::schedule_next_outage(int worker) {
  if (timing_.availability == nullptr) return;
  const auto outage = timing_.availability->next_outage(worker, engine_.now());
  if (!outage) return;
  const SimTime downtime = outage->duration;
  engine_.schedule_at(outage->start, [this, worker, downtime] {
    if (finished_) return;
    if (state_[worker] == State::communicating) {
      deferred_failures_[worker] = downtime;
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
    case State::extra:
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
  ++result_.record_extras(worker).failures;
  if (++failures_since_progress_ > kMaxFailuresWithoutProgress) {
    stall(
        fmt::format("{} failures and no local step completed since simulated {:.6g} s: workers "
                    "fail faster than they finish a step (see availability.mtbf and the step "
                    "time)",
                    failures_since_progress_, since_last_progress_.seconds()));
    return;
  }
  set_state(worker, State::down);
  since_[worker] = now;
  engine_.schedule_after(downtime, [this, worker] { repair(worker); });
  start_rounds_waiting_for(worker);
  if (!anyone_up()) {  // no round will come for repaired workers to join: they go on at once
    for (int w = 0; w < algorithm_.workers(); ++w) {
      if (state_[w] == State::rejoining) restart_from_average(w, last_round_step_);
    }
  }
}

void SynchronousRun::repair(int worker) {
  if (finished_) return;
  const SimTime now = engine_.now();
  result_.record_extras(worker).down += now - since_[worker];
  observer_.on_outage(worker, since_[worker], now);
  since_[worker] = now;
  if (anyone_up()) {
    set_state(worker, State::rejoining);
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

bool SynchronousRun::anyone_up() const {
  return up_workers_ > 0;
}

// Only the groups holding `worker` can have become ready; the scan for a waiting member happens
// only in a group with no busy member, so a failure costs O(1) until its round can start.
void SynchronousRun::start_rounds_waiting_for(int worker) {
  const RoundPolicy& policy = algorithm_.rounds();
  for (int level = 0; level < policy.levels(); ++level) {
    if (busy_members_.any_in_group_of(worker, level)) continue;
    const int size = policy.group_size(level);
    const int first = worker / size * size;
    for (int w = first; w < first + size; ++w) {
      if ((state_[w] == State::arrived || state_[w] == State::extra) &&
          policy.level_after(steps_done_[w]) == level) {
        start_synchronization_if_ready(w);
        break;
      }
    }
  }
}

}  // namespace sgdsim
