#include "sim/algorithms/interval_schedule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sgdsim {

std::int64_t theory_interval(int workers, std::int64_t steps, double interval_constant) {
  if (workers < 1 || steps < 1 || !(interval_constant > 0)) {
    throw std::invalid_argument("theory_interval: needs workers, steps and c_I above 0");
  }
  // The largest k with k ≤ c·T^{1/4}/N^{3/4}, i.e. k⁴·N³ ≤ c⁴·T, checked exactly around the
  // floating-point estimate so that T = 16·N³ gives 2, not 1.999….
  using Real = long double;
  const Real n3 = std::pow(static_cast<Real>(workers), 3);
  const Real bound = std::pow(static_cast<Real>(interval_constant), 4) * static_cast<Real>(steps);
  const auto fits = [&](std::int64_t k) { return std::pow(static_cast<Real>(k), 4) * n3 <= bound; };
  auto k = static_cast<std::int64_t>(std::floor(std::pow(bound / n3, Real(0.25))));
  k = std::clamp<std::int64_t>(k, 1, steps);
  while (k < steps && fits(k + 1)) ++k;
  while (k > 1 && !fits(k)) --k;
  return k;
}

double theory_lr(int workers, std::int64_t steps, double lr_constant) {
  return lr_constant * std::sqrt(static_cast<double>(workers) / static_cast<double>(steps));
}

const char* to_string(IntervalKind kind) {
  switch (kind) {
    case IntervalKind::fixed:
      return "fixed";
    case IntervalKind::theory:
      return "theory";
    case IntervalKind::post_local:
      return "post_local";
    case IntervalKind::adaptive:
      return "adaptive";
    case IntervalKind::list:
      return "list";
  }
  return "?";
}

std::string describe_interval_schedule(const AlgorithmSpec& spec) {
  const IntervalScheduleSpec& s = spec.interval_schedule;
  if (spec.kind == AlgorithmKind::hierarchical_local_sgd) {
    return fmt::format("hierarchical: groups of {} every {} steps, every worker every {}",
                       spec.group_size, spec.interval, spec.global_interval);
  }
  switch (s.kind) {
    case IntervalKind::fixed:
      return fmt::format("fixed: every {} steps", spec.interval);
    case IntervalKind::theory:
      return fmt::format("theory: every {} steps (c_I = {})", spec.interval, s.interval_constant);
    case IntervalKind::post_local:
      return fmt::format("post_local: every step up to {}, then every {}", s.switch_step,
                         s.local_interval);
    case IntervalKind::adaptive:
      return fmt::format("adaptive: I = max({}, ceil({}*sqrt(F/F0))), at most {}", s.minimum,
                         s.initial, s.initial);
    case IntervalKind::list: {
      std::string text = "list:";
      for (const IntervalPhase& p : s.phases) {
        text += fmt::format(" every {} from step {};", p.interval, p.from_step);
      }
      text.pop_back();
      return text;
    }
  }
  return "?";
}

IntervalSchedule::IntervalSchedule(const IntervalScheduleSpec& spec, std::int64_t fixed_interval,
                                   std::int64_t steps)
    : spec_(spec), steps_(steps), current_(fixed_interval) {
  switch (spec_.kind) {
    case IntervalKind::fixed:
    case IntervalKind::theory:
      if (current_ < 1) throw std::invalid_argument("local_sgd: interval must be at least 1");
      break;
    case IntervalKind::post_local:
      if (spec_.local_interval < 1 || spec_.switch_step < 0) {
        throw std::invalid_argument("post_local: needs switch_step ≥ 0 and interval ≥ 1");
      }
      current_ = 1;
      break;
    case IntervalKind::adaptive:
      if (spec_.minimum < 1 || spec_.initial < spec_.minimum) {
        throw std::invalid_argument("adaptive: needs 1 ≤ minimum ≤ initial");
      }
      current_ = spec_.initial;
      break;
    case IntervalKind::list: {
      const auto& p = spec_.phases;
      bool ok = !p.empty() && p.front().from_step == 0;
      for (std::size_t i = 0; ok && i < p.size(); ++i) {
        ok = p[i].interval >= 1 && (i == 0 || p[i].from_step > p[i - 1].from_step);
      }
      if (!ok) {
        throw std::invalid_argument(
            "interval list: needs phases from step 0, strictly increasing, intervals ≥ 1");
      }
      current_ = p.front().interval;
      break;
    }
  }
}

bool IntervalSchedule::list_synchronizes_after(std::int64_t step) const {
  // The phase of step t is the last one with from_step < t.
  const auto next = std::lower_bound(
      spec_.phases.begin(), spec_.phases.end(), step,
      [](const IntervalPhase& phase, std::int64_t t) { return phase.from_step < t; });
  const IntervalPhase& phase = *std::prev(next);
  return (step - phase.from_step) % phase.interval == 0;
}

bool IntervalSchedule::synchronizes_after(std::int64_t step) const {
  if (step >= steps_) return true;
  switch (spec_.kind) {
    case IntervalKind::fixed:
    case IntervalKind::theory:
      return step % current_ == 0;
    case IntervalKind::post_local:
      return step <= spec_.switch_step || (step - spec_.switch_step) % spec_.local_interval == 0;
    case IntervalKind::adaptive:
      return step - last_sync_ >= current_;
    case IntervalKind::list:
      return list_synchronizes_after(step);
  }
  return false;
}

// AdaComm (Wang & Joshi, SysML 2019): τ = ⌈τ₀·√(F/F₀)⌉ with F₀ the training loss of the first
// round and F that of the latest. Here F is the mean mini-batch loss of a round's local steps; the
// interval is kept within [minimum, I₀], so noise that raises the loss never lengthens rounds.
void IntervalSchedule::on_round_end(std::int64_t step, double mean_round_loss) {
  last_sync_ = step;
  if (spec_.kind == IntervalKind::list) {
    if (step < steps_) {
      const auto next = std::upper_bound(
          spec_.phases.begin(), spec_.phases.end(), step,
          [](std::int64_t t, const IntervalPhase& phase) { return t < phase.from_step; });
      current_ = std::prev(next)->interval;
    }
    return;
  }
  if (spec_.kind == IntervalKind::post_local) {
    current_ = step < spec_.switch_step ? 1 : spec_.local_interval;
    return;
  }
  if (spec_.kind != IntervalKind::adaptive || !std::isfinite(mean_round_loss)) return;
  if (std::isnan(first_round_loss_)) {
    first_round_loss_ = mean_round_loss;
    return;
  }
  if (!(first_round_loss_ > 0) || mean_round_loss < 0) return;
  const double scaled =
      static_cast<double>(spec_.initial) * std::sqrt(mean_round_loss / first_round_loss_);
  const auto interval = static_cast<std::int64_t>(std::ceil(scaled));
  current_ = std::clamp(interval, spec_.minimum, spec_.initial);
}

}  // namespace sgdsim
