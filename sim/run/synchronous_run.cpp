#include "sim/run/synchronous_run.hpp"

#include <algorithm>
#include <stdexcept>

namespace sgdsim {

SynchronousRun::SynchronousRun(Algorithm& algorithm, ModelProbe& probe, ClusterTiming timing,
                               std::int64_t eval_every, RunObserver& observer,
                               const std::atomic<bool>* stop_requested, int threads,
                               bool step_averages)
    : algorithm_(algorithm),
      probe_(probe),
      timing_(timing),
      eval_every_(eval_every),
      step_averages_(step_averages),
      observer_(observer),
      stop_requested_(stop_requested),
      steps_done_(algorithm.workers(), 0),
      state_(algorithm.workers(), State::computing),
      busy_members_(algorithm.rounds().group_sizes(), algorithm.workers()),
      up_workers_(algorithm.workers()),
      since_(algorithm.workers()),
      attempt_(algorithm.workers(), 0),
      outstanding_(algorithm.workers(), false),
      needs_apply_(algorithm.workers(), false),
      in_round_(algorithm.workers(), false),
      rounds_taken_(algorithm.workers(), 0) {
  engine_.reserve(algorithm.workers());  // a step in flight per worker, at most, without failures
  result_.workers.resize(algorithm.workers());
  result_.rounds_by_level.assign(algorithm.rounds().levels(), 0);
  if (step_averages_) result_.step_averages.emplace();
  if (timing_.overlap) {
    for (int w = 0; w < algorithm.workers(); ++w) everyone_.push_back(w);
    sent_at_step_.assign(algorithm.workers(), 0);
    blocked_step_.assign(algorithm.workers(), 0);
  }
  const bool in_event_order = timing_.availability != nullptr || timing_.overlap ||
                              algorithm.rounds().steps_while_waiting();
  if (threads > 1 && !in_event_order) {
    pool_ = std::make_unique<TaskPool>(threads);
    step_task_.resize(algorithm.workers());
  }
}

RunResult SynchronousRun::run() {
  measure(0);
  if (result_.status == RunStatus::ok) {
    const auto sampled = algorithm_.rounds().sampled_participants(1);
    partial_rounds_ = timing_.availability != nullptr || sampled.has_value();
    if (step_averages_ &&
        (partial_rounds_ || timing_.overlap || algorithm_.rounds().steps_while_waiting())) {
      throw std::logic_error("step averages need rounds of every worker (refused at validation)");
    }
    for (int w = 0; w < algorithm_.workers(); ++w) {
      if (!sampled || std::binary_search(sampled->begin(), sampled->end(), w)) {
        start_step(w);
      } else {
        set_state(w, State::rejoining);  // sits the first round out
      }
      schedule_next_outage(w);
    }
    try {
      if (engine_.run(stop_requested_)) result_.status = RunStatus::interrupted;
    } catch (...) {  // e.g. a local step that threw on a pool thread: let in-flight steps finish
      for (const TaskPool::Ticket& task : step_task_) {
        try {
          if (task) pool_->wait(task);
        } catch (...) {  // the first exception is the one reported
        }
      }
      throw;
    }
  }
  for (const TaskPool::Ticket& task : step_task_) {  // steps cut short by a stop or a divergence
    if (task) pool_->wait(task);
  }
  if (result_.status == RunStatus::interrupted) measure_where_stopped();
  result_.sim_time = engine_.now();
  close_open_spans();
  result_.events = engine_.events_processed();

  return std::move(result_);
}

bool SynchronousRun::stop_if_requested() {
  if (stop_requested_ == nullptr || !stop_requested_->load(std::memory_order_relaxed)) return false;
  result_.status = RunStatus::interrupted;
  engine_.stop();
  return true;
}

void SynchronousRun::start_step(int worker) {
  apply_if_due(worker);
  const SimTime now = engine_.now();
  const SimTime duration = timing_.compute->step_time(worker, now);
  set_state(worker, State::computing);
  since_[worker] = now;
  if (pool_) {
    const std::int64_t step = steps_done_[worker] + 1;
    step_task_[worker] =
        pool_->submit([this, worker, step] { return algorithm_.local_step(worker, step); });
  }
  const std::uint64_t attempt = attempt_[worker];
  engine_.schedule_after(duration,
                         [this, worker, attempt, now] { finish_step(worker, attempt, now); });
}

void SynchronousRun::finish_step(int worker, std::uint64_t attempt, SimTime started) {
  if (attempt != attempt_[worker]) return;  // the worker failed during this step
  // Counted when the step ends; a step still open when the run ends is counted up to then, by
  // close_open_spans, from since_.
  result_.workers[worker].compute += engine_.now() - started;
  since_[worker] = engine_.now();
  if (stop_if_requested()) return;
  const std::int64_t step = ++steps_done_[worker];
  ++result_.workers[worker].steps;
  failures_since_progress_ = 0;
  since_last_progress_ = engine_.now();
  observer_.on_compute(worker, step, started, engine_.now());
  bool finite;
  if (pool_) {
    finite = pool_->wait(step_task_[worker]);
    step_task_[worker].reset();
  } else {
    finite = algorithm_.local_step(worker, step);
  }
  if (!finite) {
    diverge(step, worker);
    return;
  }
  if (algorithm_.rounds().synchronizes_after(step) && timing_.overlap) {
    arrive_overlapped(worker, step);
    return;
  }
  if (algorithm_.rounds().synchronizes_after(step)) {
    arrive(worker);
    return;
  }
  // With failures or sampling the set of workers that reach a step is not known in advance, so
  // the averaged model is measured at round ends only (see measures_after_round).
  const bool eval_step = is_eval_step(step);
  if (!partial_rounds_ && (eval_step || averages_step(step))) {
    probe_.snapshot(worker, step);
    if (++snapshots_taken_[step] == algorithm_.workers()) {
      snapshots_taken_.erase(step);
      if (eval_step) {
        measure(step);
      } else {
        measure_step_average(step);
      }
      if (result_.status != RunStatus::ok) return;
    }
  }
  start_step(worker);
}

void SynchronousRun::stall(std::string reason) {
  result_.status = RunStatus::stalled;
  result_.stall_reason = std::move(reason);
  engine_.stop();
}

void SynchronousRun::diverge(std::int64_t step, int worker) {
  result_.status = RunStatus::diverged;
  result_.diverged_step = step;
  result_.diverged_worker = worker;
  engine_.stop();
}

void SynchronousRun::arrive(int worker) {
  set_state(worker, State::arrived);
  since_[worker] = engine_.now();
  start_synchronization_if_ready(worker);
  if (state_[worker] == State::arrived && algorithm_.rounds().steps_while_waiting()) {
    start_extra_step(worker);
  }
}

void SynchronousRun::start_extra_step(int worker) {
  const SimTime now = engine_.now();
  const SimTime duration = timing_.compute->step_time(worker, now);
  set_state(worker, State::extra);
  since_[worker] = now;
  const std::uint64_t attempt = attempt_[worker];
  engine_.schedule_after(duration,
                         [this, worker, attempt, now] { finish_extra_step(worker, attempt, now); });
}

// An extra step belongs to the round the worker is waiting in: it passes that round's step.
void SynchronousRun::finish_extra_step(int worker, std::uint64_t attempt, SimTime started) {
  if (attempt != attempt_[worker]) return;  // abandoned: the round began
  result_.workers[worker].compute += engine_.now() - started;
  since_[worker] = engine_.now();
  if (stop_if_requested()) return;
  const std::int64_t step = steps_done_[worker];
  observer_.on_compute(worker, step, started, engine_.now());
  ++result_.record_extras(worker).extra_steps;
  ++result_.workers[worker].steps;
  if (!algorithm_.local_step(worker, step)) {
    diverge(step, worker);
    return;
  }
  start_extra_step(worker);
}

std::pair<int, int> SynchronousRun::group_of(int worker) const {
  const RoundPolicy& policy = algorithm_.rounds();
  const int size = policy.group_size(policy.level_after(steps_done_[worker]));
  return {worker / size * size, size};
}

// A round starts once every member of the group that is up has arrived; the group is `worker`'s
// block at the round's level (every worker, except at hierarchical group rounds), so other groups
// go on computing or averaging meanwhile.
void SynchronousRun::start_synchronization_if_ready(int worker) {
  // a member still on its way, or averaging with an earlier round's group
  if (busy_members_.any_in_group_of(worker, algorithm_.rounds().level_after(steps_done_[worker]))) {
    return;
  }
  const auto [first, count] = group_of(worker);
  std::vector<int> participants;
  for (int w = first; w < first + count; ++w) {
    if (state_[w] == State::arrived || state_[w] == State::extra) participants.push_back(w);
  }
  if (participants.empty()) return;
  const SimTime now = engine_.now();
  const std::int64_t step = steps_done_[participants.front()];
  for (int w : participants) {
    if (steps_done_[w] != step) throw std::logic_error("a round's workers are at different steps");
    if (state_[w] == State::extra) {  // the step in flight is dropped; its time was computing
      ++attempt_[w];
      result_.workers[w].compute += now - since_[w];
    } else if (since_[w] < now) {
      result_.workers[w].idle += now - since_[w];
      observer_.on_wait(w, since_[w], now);
    }
    set_state(w, State::communicating);
    since_[w] = now;
    in_round_[w] = true;
  }
  std::shared_ptr<const CollectiveCost> cost = round_cost(participants);
  const bool group_round = count < algorithm_.workers();
  // Groups drift apart between global rounds: a group round's number is its own members' count.
  const std::int64_t round =
      (group_round ? rounds_taken_[participants.front()] : result_.comm_rounds) + 1;
  observer_.on_collective(round, now, *cost, participants);
  const SimTime duration = cost->duration;
  engine_.schedule_after(
      duration, [this, step, participants = std::move(participants), cost = std::move(cost)] {
        finish_synchronization(step, participants, *cost);
      });
}

void SynchronousRun::finish_synchronization(std::int64_t step, const std::vector<int>& participants,
                                            const CollectiveCost& cost) {
  for (int w : participants) {
    in_round_[w] = false;
    ++rounds_taken_[w];
  }
  algorithm_.synchronize(step, participants);
  const int level = algorithm_.rounds().level_after(step);
  if (level < algorithm_.rounds().levels() - 1) {
    finish_group_round(step, level, participants, cost);
    return;
  }
  algorithm_.rounds().on_round_end(step, algorithm_.take_round_loss());
  const std::int64_t previous_round_step = last_round_step_;
  last_round_step_ = step;
  last_round_time_ = engine_.now();
  rounds_at_last_round_ = result_.comm_rounds + 1;
  bytes_at_last_round_ = result_.bytes_sent + cost.bytes_sent;
  add_round_traffic(cost);
  for (int w : participants) result_.workers[w].communication += cost.duration;
  if (participants.size() < static_cast<std::size_t>(algorithm_.workers())) {
    std::vector<bool> took_part(algorithm_.workers(), false);
    for (int w : participants) took_part[w] = true;
    for (int w = 0; w < algorithm_.workers(); ++w) {
      if (!took_part[w]) ++result_.record_extras(w).rounds_missed;
    }
  }
  if (measures_after_round(step, previous_round_step)) {
    measure(step);
    if (result_.status != RunStatus::ok) return;
  } else if (averages_step(step)) {
    measure_step_average(step);
    if (result_.status != RunStatus::ok) return;
  }
  if (step == algorithm_.steps()) {
    finished_ = true;
    engine_.stop();  // pending failures and repairs no longer matter
    return;
  }
  if (stop_if_requested()) return;
  const auto sampled = algorithm_.rounds().sampled_participants(result_.comm_rounds + 1);
  const auto selected = [&sampled](int w) {
    return !sampled || std::binary_search(sampled->begin(), sampled->end(), w);
  };
  for (int w : participants) {
    if (const auto deferred = deferred_failures_.find(w); deferred != deferred_failures_.end()) {
      const SimTime downtime = deferred->second;
      deferred_failures_.erase(deferred);
      fail(w, downtime);
    } else if (selected(w)) {
      start_step(w);
    } else {  // not sampled for the next round: sits it out
      set_state(w, State::rejoining);
      since_[w] = engine_.now();
    }
  }
  for (int w = 0; w < algorithm_.workers(); ++w) {
    if (state_[w] == State::rejoining && selected(w)) restart_from_average(w, step);
  }
}

// A hierarchical group round: its members go on at once. The level's round is counted, and the
// averaged model measured at an evaluation step, once every group has averaged at `step`.
void SynchronousRun::finish_group_round(std::int64_t step, int level,
                                        const std::vector<int>& participants,
                                        const CollectiveCost& cost) {
  add_traffic(cost);
  for (int w : participants) result_.workers[w].communication += cost.duration;
  const int groups = algorithm_.workers() / algorithm_.rounds().group_size(level);
  // No on_round_end here: the other groups' local steps may be in flight on the task pool, and
  // the schedule (a fixed interval) needs no loss; the global round takes the losses.
  if (++groups_done_[step] == groups) {
    groups_done_.erase(step);
    count_round(level);
  }
  const bool eval_step = is_eval_step(step);
  if (eval_step || averages_step(step)) {
    for (int w : participants) probe_.snapshot(w, step);
    int& taken = snapshots_taken_[step];
    taken += static_cast<int>(participants.size());
    if (taken == algorithm_.workers()) {
      snapshots_taken_.erase(step);
      if (eval_step) {
        measure(step);
      } else {
        measure_step_average(step);
      }
      if (result_.status != RunStatus::ok) return;
    }
  }
  if (stop_if_requested()) return;
  for (int w : participants) start_step(w);
}

std::shared_ptr<const CollectiveCost> SynchronousRun::round_cost(
    const std::vector<int>& participants) {
  const Exchange& exchange = algorithm_.rounds().exchange();
  if (exchange.kind == Exchange::Kind::neighbors) {
    return timing_.network->neighbor_exchange_cost(exchange.neighbors, timing_.payload_bytes);
  }
  return timing_.network->allreduce_cost(participants, timing_.payload_bytes);
}

}  // namespace sgdsim
