// When the workers of local SGD synchronise: the communication schedule of `algorithm.interval`.
// A fixed I (or the paper's theoretical I), post-local SGD, an AdaComm-style adaptive interval, or
// an explicit list of phases. Whatever the schedule, the last step T always synchronises.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "sim/algorithms/algorithm_spec.hpp"

namespace sgdsim {

// Yu, Yang & Zhu (AAAI 2019), Corollary 1: I = max(1, ⌊c_I·T^{1/4}/N^{3/4}⌋). With c_I = 1 it
// exceeds 1 only once T ≥ 16·N³. Never more than T.
std::int64_t theory_interval(int workers, std::int64_t steps, double interval_constant = 1.0);
// The matching step size γ = c_γ·√(N/T).
double theory_lr(int workers, std::int64_t steps, double lr_constant = 1.0);

const char* to_string(IntervalKind kind);
// One line for summary.json, e.g. "post_local: every step up to 100, then every 8".
std::string describe_interval_schedule(const AlgorithmSpec& spec);

class IntervalSchedule {
 public:
  // `fixed_interval`: the I of a fixed or theory schedule; `steps`: T.
  IntervalSchedule(const IntervalScheduleSpec& spec, std::int64_t fixed_interval,
                   std::int64_t steps);

  // Whether the workers synchronise after their step-th local step (1-based).
  bool synchronizes_after(std::int64_t step) const;
  // Called once per synchronisation, after step `step`, with the mean mini-batch training loss of
  // the local steps taken since the previous one. Only the adaptive schedule uses the loss.
  void on_round_end(std::int64_t step, double mean_round_loss);
  // The adaptive schedule's current interval (the others: their interval at the latest round).
  std::int64_t current_interval() const { return current_; }

 private:
  bool list_synchronizes_after(std::int64_t step) const;

  IntervalScheduleSpec spec_;
  std::int64_t steps_;
  std::int64_t current_;        // fixed/theory: I; adaptive: the interval of the running round
  std::int64_t last_sync_ = 0;  // the step of the latest synchronisation (0 before any)
  double first_round_loss_ = std::numeric_limits<double>::quiet_NaN();  // adaptive: F₀
};

}  // namespace sgdsim
