// RealRun's keep-stepping rounds (while_waiting: local_steps). See real_run.hpp.
#include <algorithm>
#include <limits>
#include <vector>

#include "sim/real/real_run.hpp"

namespace sgdsim {
namespace {

SimTime at(double seconds) {
  return SimTime::from_seconds(seconds);
}

}  // namespace

// while_waiting: local_steps. The barrier is a non-blocking reduction, posted once this rank's
// last worker has arrived; until every rank has, workers take extra local steps (passing the
// round's step again). Emulated, each extra step's math is done when its drawn time has passed,
// so one still in flight when the barrier completes is abandoned, its time counted as compute,
// as the simulator does; with real compute an extra step runs to its end.
void RealRun::keep_stepping(std::int64_t step, std::int64_t* flags) {
  MPI_Request request = MPI_REQUEST_NULL;
  bool posted = false;
  int done = 0;
  const auto post = [&] {
    check_mpi(MPI_Iallreduce(MPI_IN_PLACE, flags, 2, MPI_INT64_T, MPI_MAX, world_.comm(), &request),
              "MPI_Iallreduce");
    posted = true;
  };
  const auto test = [&] {
    if (posted && !done) check_mpi(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
    return done != 0;
  };
  const auto extra_step = [&](int k) {
    const int w = local_.first + k;
    if (!algorithm_.local_step(w, step) && first_bad_step_ < 0) {
      first_bad_step_ = step;  // seen at the next round's barrier
      bad_worker_ = w;
    }
    ++out_.result.workers[k].steps;
    ++out_.result.record_extras(k).extra_steps;
  };
  if (!emulated_) {
    post();
    while (!test()) {
      for (int k = 0; k < local_.count && !test(); ++k) {
        if (!active_[k]) continue;
        const double started = timed_now();
        extra_step(k);
        ready_[k] = timed_now();
        out_.result.workers[k].compute += at(ready_[k] - started);
        spans_.push_back({local_.first + k, step, started, ready_[k]});
      }
    }
    return;
  }
  // Emulated: events in timeline order; an extra step ends at ends[k], this rank's last worker
  // arrives (and the barrier is posted) at `arrival`.
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> ends(local_.count, inf);
  double arrival = 0.0;
  for (int k = 0; k < local_.count; ++k) {
    if (!active_[k]) continue;
    arrival = std::max(arrival, virtual_[k]);
    ends[k] = virtual_[k] + emulated_->step_time(local_.first + k, at(virtual_[k])).seconds();
  }
  while (true) {
    int next = -1;
    double at_time = posted ? inf : arrival;
    for (int k = 0; k < local_.count; ++k) {
      if (ends[k] < at_time) at_time = ends[k], next = k;
    }
    // Wait until then, watching the barrier once it is posted.
    while (timed_now() < at_time && !test()) {
      sleep_until(std::min(at_time, timed_now() + (posted ? 2e-4 : 1.0)));
    }
    if (test()) break;
    if (next < 0) {
      post();
      continue;
    }
    extra_step(next);
    out_.result.workers[next].compute += at(ends[next] - virtual_[next]);
    spans_.push_back({local_.first + next, step, virtual_[next], ends[next]});
    virtual_[next] = ready_[next] = ends[next];
    ends[next] =
        virtual_[next] + emulated_->step_time(local_.first + next, at(virtual_[next])).seconds();
  }
  const double met = timed_now();  // steps still in flight are abandoned; their time was compute
  for (int k = 0; k < local_.count; ++k) {
    if (!active_[k] || met <= virtual_[k]) continue;
    out_.result.workers[k].compute += at(met - virtual_[k]);
    virtual_[k] = ready_[k] = met;
  }
}

}  // namespace sgdsim
