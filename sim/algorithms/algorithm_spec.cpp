#include "sim/algorithms/algorithm_spec.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sgdsim {

double AlgorithmSpec::lr_at(std::int64_t step) const {
  const LrSchedule& s = lr_schedule;
  if (s.warmup_steps > 0 && step <= s.warmup_steps) {
    return lr * static_cast<double>(step) / static_cast<double>(s.warmup_steps);
  }
  const std::int64_t t = step - s.warmup_steps;  // steps after the warm-up
  if (s.kind == "cosine") {
    const auto span =
        static_cast<double>(std::max<std::int64_t>(1, s.total_steps - s.warmup_steps));
    const double progress = std::min(1.0, static_cast<double>(t) / span);
    return s.min_lr + (lr - s.min_lr) * (1.0 + std::cos(std::numbers::pi * progress)) / 2.0;
  }
  if (s.kind != "step" || s.every <= 0) return lr;
  return lr * std::pow(s.factor, static_cast<double>((t - 1) / s.every));
}

}  // namespace sgdsim
