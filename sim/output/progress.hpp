// A progress line with an ETA on stderr, shown only for runs that last over a second. Wall-clock
// time is read here for display only; it never reaches a result.
#pragma once

#include <chrono>
#include <cstdint>

#include "sim/run/run_observer.hpp"

namespace sgdsim {

class ProgressReporter final : public RunObserver {
 public:
  // Interactive: one line rewritten in place; otherwise (a log file) a line per 10 %.
  ProgressReporter(std::int64_t total_steps, int workers, bool interactive);
  ~ProgressReporter() override;
  void on_compute(int worker, std::int64_t step, SimTime start, SimTime end) override;

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point started_ = Clock::now();
  Clock::time_point last_print_ = started_;
  double total_;
  std::int64_t done_ = 0;
  bool interactive_;
  int last_decile_ = 0;
  bool printed_ = false;
};

}  // namespace sgdsim
