#include "sim/real/real_run.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <thread>

namespace sgdsim {
namespace {

SimTime at(double seconds) {
  return SimTime::from_seconds(seconds);
}

}  // namespace

RealRun::RealRun(Algorithm& algorithm, WorkerRange local, ModelProbe& probe, const MpiWorld& world,
                 ComputeModel* emulated, Network& network, double payload_bytes,
                 std::int64_t eval_every, RunObserver& observer,
                 const std::atomic<bool>* stop_requested)
    : algorithm_(algorithm),
      local_(local),
      probe_(probe),
      world_(world),
      emulated_(emulated),
      network_(network),
      payload_bytes_(payload_bytes),
      eval_every_(eval_every),
      observer_(observer),
      stop_requested_(stop_requested),
      ready_(local.count, 0.0),
      virtual_(local.count, 0.0) {
  out_.result.workers.resize(local.count);
}

double RealRun::timed_now() const {
  return std::chrono::duration<double>(Clock::now() - start_).count() - paused_s_;
}

RealRunResult RealRun::run() {
  check_mpi(MPI_Barrier(world_.comm()), "MPI_Barrier");  // every rank starts the clock together
  start_ = Clock::now();
  RunResult& r = out_.result;
  measure(0);
  std::int64_t step = 0;
  std::int64_t last_round_step = 0;
  double last_round_time = 0.0;
  std::int64_t rounds_at_last_round = 0;
  double bytes_at_last_round = 0.0;
  const std::vector<int> everyone = all_workers(algorithm_.workers());
  std::optional<std::vector<int>> sampled = algorithm_.rounds().sampled_participants(1);
  std::vector<bool>& active = active_;
  active.assign(local_.count, true);
  for (int k = 0; k < local_.count; ++k) {
    active[k] = !sampled || std::binary_search(sampled->begin(), sampled->end(), local_.first + k);
  }
  phase_start_ = timed_now();
  std::fill(ready_.begin(), ready_.end(), phase_start_);
  std::fill(virtual_.begin(), virtual_.end(), phase_start_);
  while (r.status == RunStatus::ok && step < algorithm_.steps()) {
    local_phase(step, active);
    if (r.status != RunStatus::ok) break;
    if (!meet(step)) break;
    const std::vector<int>& participants = sampled ? *sampled : everyone;
    round(step, participants);
    for (int k = 0; k < local_.count; ++k) {
      if (!active[k]) {  // sat the round out
        r.workers[k].idle += at(timed_now() - phase_start_);
        ++r.record_extras(k).rounds_missed;
      }
    }
    last_round_step = step;
    last_round_time = timed_now();
    rounds_at_last_round = r.comm_rounds;
    bytes_at_last_round = r.bytes_sent;
    const bool eval_step =
        step == algorithm_.steps() || (eval_every_ > 0 && step % eval_every_ == 0);
    if (eval_step) measure(step);
    if (r.status != RunStatus::ok || step == algorithm_.steps()) break;
    sampled = algorithm_.rounds().sampled_participants(r.comm_rounds + 1);
    for (int k = 0; k < local_.count; ++k) {
      const int w = local_.first + k;
      const bool selected = !sampled || std::binary_search(sampled->begin(), sampled->end(), w);
      if (selected && !active[k]) algorithm_.rejoin(w);
      active[k] = selected;
    }
    phase_start_ = timed_now();
    std::fill(ready_.begin(), ready_.end(), phase_start_);
    std::fill(virtual_.begin(), virtual_.end(), phase_start_);
  }
  // An interrupted run ends with a row for the latest round's average, as a simulated one does.
  if (r.status == RunStatus::interrupted &&
      (!r.last_metrics || r.last_metrics->step < last_round_step)) {
    const auto comm_rounds = r.comm_rounds;
    const auto bytes = r.bytes_sent;
    r.comm_rounds = rounds_at_last_round;
    r.bytes_sent = bytes_at_last_round;
    const double stopped_at = timed_now();
    measure(last_round_step);
    if (r.last_metrics) r.last_metrics->time = at(last_round_time);
    if (r.status == RunStatus::diverged) r.status = RunStatus::interrupted;
    r.comm_rounds = comm_rounds;
    r.bytes_sent = bytes;
    (void)stopped_at;
  }
  // Every rank's workers end together, at the last rank's arrival.
  check_mpi(MPI_Barrier(world_.comm()), "MPI_Barrier");
  double end = timed_now();
  for (int k = 0; k < local_.count; ++k) {
    if (end > ready_[k]) out_.result.workers[k].idle += at(end - ready_[k]);
  }
  double late = out_.late_s;
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &late, 1, MPI_DOUBLE, MPI_SUM, world_.comm()),
            "MPI_Allreduce");
  out_.late_s = late;
  out_.rank_elapsed_s.assign(world_.size(), 0.0);
  check_mpi(
      MPI_Gather(&end, 1, MPI_DOUBLE, out_.rank_elapsed_s.data(), 1, MPI_DOUBLE, 0, world_.comm()),
      "MPI_Gather");
  r.sim_time = at(end);
  out_.wall_s = std::chrono::duration<double>(Clock::now() - start_).count();
  out_.measurement_s = paused_s_;
  gather_times();
  replay_spans();
  return std::move(out_);
}

// Local steps up to the next round's step, in lock step over this rank's active workers.
void RealRun::sleep_until(double timed_seconds) const {
  std::this_thread::sleep_until(start_ +
                                std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(timed_seconds + paused_s_)));
}

// Local steps up to the next round's step, in lock step over this rank's active workers.
void RealRun::local_phase(std::int64_t& step, const std::vector<bool>& active) {
  do {
    ++step;
    for (int k = 0; k < local_.count; ++k) {
      if (!active[k]) continue;
      const int w = local_.first + k;
      const double started = emulated_ ? virtual_[k] : timed_now();
      if (!emulated_ && started > ready_[k]) {  // its turn came after its siblings' steps
        out_.result.workers[k].idle += at(started - ready_[k]);
      }
      const bool finite = algorithm_.local_step(w, step);
      if (!finite && first_bad_step_ < 0) {
        first_bad_step_ = step;
        bad_worker_ = w;
      }
      ++out_.result.workers[k].steps;
      if (emulated_) {
        // Its own timeline: the drawn time, or its math where that took longer.
        const double drawn = emulated_->step_time(w, at(started)).seconds();
        const double math_done = timed_now();
        virtual_[k] = std::max(started + drawn, math_done);
        out_.late_s += std::max(0.0, math_done - (started + drawn));
      } else {
        virtual_[k] = timed_now();
      }
      ready_[k] = virtual_[k];
      out_.result.workers[k].compute += at(ready_[k] - started);
      spans_.push_back({w, step, started, ready_[k]});
    }
    const bool round_step = algorithm_.rounds().synchronizes_after(step);
    if (emulated_) {
      // Real time keeps up with the earliest timeline between steps, and with the latest at a
      // round: each worker's steps stay back to back however the rank interleaves them.
      double earliest = std::numeric_limits<double>::infinity(), latest = 0.0;
      for (int k = 0; k < local_.count; ++k) {
        if (!active[k]) continue;
        earliest = std::min(earliest, virtual_[k]);
        latest = std::max(latest, virtual_[k]);
      }
      const bool keeps_stepping = round_step && algorithm_.rounds().steps_while_waiting();
      if (latest > 0.0 && !keeps_stepping) sleep_until(round_step ? latest : earliest);
    }
    if (!round_step && eval_every_ > 0 && step % eval_every_ == 0) {
      if (emulated_) {  // the measurement is of every worker after this step
        double latest = 0.0;
        for (int k = 0; k < local_.count; ++k) {
          if (active[k]) latest = std::max(latest, virtual_[k]);
        }
        sleep_until(latest);
      }
      measure(step);
      if (out_.result.status != RunStatus::ok) return;
    }
    if (round_step) return;
  } while (true);
}

bool RealRun::meet(std::int64_t step) {
  // [stop requested, −(first non-finite step · N + worker)]: one MAX reduction agrees on both.
  const std::int64_t none = std::numeric_limits<std::int64_t>::min();
  std::int64_t flags[2] = {
      stop_requested_ != nullptr && stop_requested_->load() ? 1 : 0,
      first_bad_step_ >= 0 ? -(first_bad_step_ * algorithm_.workers() + bad_worker_) : none};
  if (algorithm_.rounds().steps_while_waiting()) {
    keep_stepping(step, flags);
  } else {
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, flags, 2, MPI_INT64_T, MPI_MAX, world_.comm()),
              "MPI_Allreduce");
  }
  const double arrived = timed_now();
  for (int k = 0; k < local_.count; ++k) {
    if (!active_[k]) continue;  // sitting the round out: idle for all of it, counted at its end
    const double waited = arrived - ready_[k];
    if (waited <= 0) continue;
    out_.result.workers[k].idle += at(waited);
    spans_.push_back({local_.first + k, 0, ready_[k], arrived});
    ready_[k] = arrived;
  }
  RunResult& r = out_.result;
  if (flags[1] != none) {
    const std::int64_t code = -flags[1];
    r.status = RunStatus::diverged;
    r.diverged_step = code / algorithm_.workers();
    r.diverged_worker = static_cast<int>(code % algorithm_.workers());
    return false;
  }
  if (flags[0] != 0) {
    r.status = RunStatus::interrupted;
    return false;
  }
  (void)step;
  return true;
}

void RealRun::round(std::int64_t step, const std::vector<int>& participants) {
  const double started = timed_now();
  algorithm_.synchronize(step, participants);
  algorithm_.rounds().on_round_end(step, algorithm_.take_round_loss());
  const double ended = timed_now();
  RunResult& r = out_.result;
  const Exchange& exchange = algorithm_.rounds().exchange();
  const double modelled_bytes =
      (exchange.kind == Exchange::Kind::neighbors
           ? network_.neighbor_exchange_cost(exchange.neighbors, payload_bytes_)
           : network_.allreduce_cost(participants, payload_bytes_))
          ->bytes_sent;
  ++r.comm_rounds;
  r.bytes_sent += modelled_bytes;
  rounds_.push_back({r.comm_rounds, started, ended - started, modelled_bytes});
  for (int k = 0; k < local_.count; ++k) {
    if (std::binary_search(participants.begin(), participants.end(), local_.first + k)) {
      r.workers[k].communication += at(ended - started);
      ready_[k] = ended;
    }
  }
}

void RealRun::measure(std::int64_t step) {
  // Ranks meet first (the wait is idle time, as at a round), so that every rank stops its clock
  // at the same moment and they stay in step; the measurement itself is off the clock.
  check_mpi(MPI_Barrier(world_.comm()), "MPI_Barrier");
  const double met = timed_now();
  for (int k = 0; k < local_.count; ++k) {
    if (!active_.empty() && !active_[k]) continue;
    if (met > ready_[k]) {
      out_.result.workers[k].idle += at(met - ready_[k]);
      spans_.push_back({local_.first + k, 0, ready_[k], met});
    }
    ready_[k] = virtual_[k] = met;
  }
  const auto paused_from = Clock::now();
  MetricsRow row;
  row.step = step;
  row.time = at(timed_now());
  row.comm_rounds = out_.result.comm_rounds;
  row.bytes_sent = out_.result.bytes_sent;
  row.model = probe_.measure(step);  // x̄ on every rank; evaluated on rank 0 only
  double values[6] = {row.model.train_loss,
                      row.model.grad_norm_sq,
                      row.model.test_loss,
                      row.model.test_accuracy,
                      row.model.grad_norm_measured ? 1.0 : 0.0,
                      0.0};
  check_mpi(MPI_Bcast(values, 6, MPI_DOUBLE, 0, world_.comm()), "MPI_Bcast");
  row.model.train_loss = values[0];
  row.model.grad_norm_sq = values[1];
  row.model.test_loss = values[2];
  row.model.test_accuracy = values[3];
  row.model.grad_norm_measured = values[4] != 0.0;
  // Each rank stops its own clock: its timeline stays gapless. Ranks leave the barrier and the
  // broadcast at slightly different moments, so their clocks drift apart by that much per
  // measurement (reported as each rank's elapsed time).
  paused_s_ += std::chrono::duration<double>(Clock::now() - paused_from).count();
  RunResult& r = out_.result;
  if (!row.model.finite()) {  // reported as the divergence it is, never written as numbers
    r.status = RunStatus::diverged;
    r.diverged_step = step;
    r.diverged_worker = -1;
    return;
  }
  r.last_metrics = row;
  if (world_.rank() == 0) observer_.on_metrics(row);
}

}  // namespace sgdsim
