// Drives an algorithm whose workers meet at barriers (PR-SGD and kin) through simulated time:
// each local step takes the compute model's time; a synchronisation starts when the last worker
// that is up arrives, takes the collective's time, and then every worker resumes.
//
// Failures (when an availability model is given): a failing worker loses the step it was
// computing and leaves; rounds average the workers that are up; a repaired worker waits for the
// next round to end and restarts from its average (or at once, from the latest average, when no
// worker is up). A failure during a collective takes effect when the collective ends, since the
// worker's contribution is already on the wire.
//
// Sampled rounds (fedavg): workers the algorithm did not sample for a round sit it out (idle)
// and restart from its average when it ends. Keep-stepping rounds (while_waiting: local_steps): a
// worker that reached the round's step goes on with extra local steps until the slowest arrives;
// the step it is computing then is abandoned (its time still counts as compute).
//
// Group rounds (hierarchical local SGD, RoundPolicy levels): the barrier is the group's, so a
// group's round starts when its own last member arrives and its members go on when it ends, while
// other groups compute or average; a global round waits for every worker. A level's round is
// counted, and measured at an evaluation step, once every group has averaged at its step.
//
// Threads (threads > 1): a worker's local-step math runs on a task pool from the moment the worker
// starts the step in simulated time and is waited for when the step ends, so workers compute in
// parallel between synchronisations; results are byte-identical to one thread. Not used with
// failures, overlap or keep-stepping rounds, whose abandoned or delayed steps need the math done
// in event order.
//
// Overlap (network.overlap): at a round's step a worker sends its model and goes straight on with
// its next local steps; the collective starts when the last worker has sent, and when it ends each
// worker applies x ← x̄ + (x − x_sent) at its next step boundary, keeping the progress it made
// meanwhile (so its model carries that many stale steps). A worker that reaches the next round's
// step before the previous average arrived waits for it; after the last step every worker waits
// for the final average. Only that waiting is exposed communication.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "sim/algorithms/algorithm.hpp"
#include "sim/engine/engine.hpp"
#include "sim/run/busy_members.hpp"
#include "sim/run/cluster_timing.hpp"
#include "sim/run/model_probe.hpp"
#include "sim/run/run_observer.hpp"
#include "sim/run/run_result.hpp"
#include "sim/run/task_pool.hpp"

namespace sgdsim {

class SynchronousRun {
 public:
  // eval_every 0: measure only at the start and the end. threads: see above. step_averages:
  // also measure the averaged model's training loss and gradient norm after every step t < T
  // (no metrics row) and return their sums; needs rounds of every worker (no failures, no
  // sampling, no overlap, no keep-stepping).
  // `probe` measures and keeps the model `algorithm` trains.
  SynchronousRun(Algorithm& algorithm, ModelProbe& probe, ClusterTiming timing,
                 std::int64_t eval_every, RunObserver& observer,
                 const std::atomic<bool>* stop_requested = nullptr, int threads = 1,
                 bool step_averages = false);

  RunResult run();  // once: the result is moved out

 private:
  // extra: computing a step beyond the round's while waiting for the slowest (keep-stepping).
  enum class State { computing, arrived, extra, communicating, down, rejoining, blocked };
  static bool busy(State s) { return s == State::computing || s == State::communicating; }
  static bool up(State s) { return s != State::down && s != State::rejoining; }
  void set_state(int worker, State next) {
    busy_members_.update(worker, busy(state_[worker]), busy(next));
    up_workers_ += static_cast<int>(up(next)) - static_cast<int>(up(state_[worker]));
    state_[worker] = next;
  }

  void start_step(int worker);
  void finish_step(int worker, std::uint64_t attempt, SimTime started);
  void start_extra_step(int worker);
  void finish_extra_step(int worker, std::uint64_t attempt, SimTime started);
  void arrive(int worker);
  void start_round(std::int64_t round, std::int64_t step, const std::vector<int>& previous);
  void diverge(std::int64_t step, int worker);
  void stall(std::string reason);
  // `worker`'s group, at the level of the round after its current step.
  void start_synchronization_if_ready(int worker);
  // After `worker` left: the rounds of its groups that waited only for it.
  void start_rounds_waiting_for(int worker);
  // The first worker and the size of `worker`'s group at the round after its current step.
  std::pair<int, int> group_of(int worker) const;
  void finish_group_round(std::int64_t step, int level, const std::vector<int>& participants,
                          const CollectiveCost& cost);
  void finish_synchronization(std::int64_t step, const std::vector<int>& participants,
                              const CollectiveCost& cost);
  void schedule_next_outage(int worker);
  void fail(int worker, SimTime repair_after);
  void repair(int worker);
  void restart_from_average(int worker, std::int64_t step);
  bool is_eval_step(std::int64_t step) const;
  void arrive_overlapped(int worker, std::int64_t step);
  void send_into_round(int worker, std::int64_t step);
  void finish_overlapped_round(std::int64_t step, const CollectiveCost& cost);
  void apply_if_due(int worker);
  std::shared_ptr<const CollectiveCost> round_cost(const std::vector<int>& participants);
  // Counts a round of the last level (every worker) with its traffic.
  void add_round_traffic(const CollectiveCost& cost);
  void add_traffic(const CollectiveCost& cost);
  void count_round(int level);
  bool measures_after_round(std::int64_t step, std::int64_t previous_round_step) const;
  bool anyone_up() const;
  void measure(std::int64_t step);
  void measure_where_stopped();
  bool averages_step(std::int64_t step) const;
  void measure_step_average(std::int64_t step);
  bool diverged_at_measurement(std::int64_t step, const ModelMetrics& model);
  bool stop_if_requested();
  void close_open_spans();

  Algorithm& algorithm_;
  ModelProbe& probe_;
  ClusterTiming timing_;
  std::int64_t eval_every_;
  bool step_averages_;
  RunObserver& observer_;
  const std::atomic<bool>* stop_requested_;

  Engine engine_;
  RunResult result_;
  std::vector<std::int64_t> steps_done_;  // the step a worker is at (a rejoin jumps ahead)
  std::vector<State> state_;  // changed only through set_state, which keeps busy_members_
  BusyMembers busy_members_;
  int up_workers_;                            // neither down nor rejoining
  std::vector<SimTime> since_;                // when the worker entered its current state
  std::vector<std::uint64_t> attempt_;        // bumped when a failure abandons a step in flight
  std::map<int, SimTime> deferred_failures_;  // downtime of a failure mid-collective, by worker
  std::unique_ptr<TaskPool> pool_;            // null: the math runs in the event loop
  std::vector<TaskPool::Ticket> step_task_;   // each worker's step in flight on the pool
  // Failures since a local step last completed, and when it did: a run whose workers fail faster
  // than they step would otherwise go on forever.
  static constexpr std::int64_t kMaxFailuresWithoutProgress = 1'000'000;
  std::int64_t failures_since_progress_ = 0;
  SimTime since_last_progress_;
  // Rounds do not include every worker (failures or sampling): metrics at round ends only.
  bool partial_rounds_ = false;
  bool finished_ = false;
  std::int64_t last_round_step_ = 0;
  SimTime last_round_time_;  // when the latest round ended, with the traffic counted by then
  std::int64_t rounds_at_last_round_ = 0;
  double bytes_at_last_round_ = 0.0;
  std::map<std::int64_t, int> snapshots_taken_;
  // Overlapped rounds (network.overlap; the per-worker vectors are empty otherwise).
  std::vector<int> everyone_;
  std::vector<bool> outstanding_;  // sent into a round that has not ended yet
  std::vector<bool> needs_apply_;  // a round ended while the worker was computing
  std::vector<std::int64_t> sent_at_step_;
  std::vector<std::int64_t> blocked_step_;  // the round step a blocked worker waits to send, or 0
  int sent_count_ = 0;
  SimTime round_started_;
  // Rounds of groups (hierarchical local SGD), which overlap in time.
  std::vector<bool> in_round_;               // in a collective that has not ended yet
  std::vector<std::int64_t> rounds_taken_;   // rounds the worker has averaged in
  std::map<std::int64_t, int> groups_done_;  // groups that have averaged at a group round's step
};

}  // namespace sgdsim
