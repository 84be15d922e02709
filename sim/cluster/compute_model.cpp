#include "sim/cluster/compute_model.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace sgdsim {

std::vector<double> resolve_speed_factors(const ComputeSpec& spec, int workers,
                                          std::uint64_t seed) {
  if (!spec.speed_factors.empty()) {
    if (static_cast<int>(spec.speed_factors.size()) != workers) {
      throw std::invalid_argument(
          fmt::format("{} speed factors for {} workers", spec.speed_factors.size(), workers));
    }
    return spec.speed_factors;
  }
  std::vector<double> factors(workers, 1.0);
  if (!spec.speed_distribution) return factors;
  const SpeedFactorDistribution& d = *spec.speed_distribution;
  Rng rng(derive_seed(seed, "speed_factors"));
  if (d.kind == "uniform") {
    if (!(d.min > 0.0 && d.min <= d.max)) {
      throw std::invalid_argument("uniform speed factors need 0 < min <= max");
    }
    for (double& f : factors) f = d.min + (d.max - d.min) * rng.uniform();
  } else if (d.kind == "lognormal") {
    if (!(d.sigma >= 0.0)) throw std::invalid_argument("lognormal speed factors need sigma >= 0");
    for (double& f : factors) f = std::exp(d.sigma * rng.normal());
  } else {
    throw std::invalid_argument(
        fmt::format("unknown speed-factor distribution '{}'; known: uniform, lognormal", d.kind));
  }
  return factors;
}

ComputeModel::ComputeModel(const ComputeSpec& spec, int workers, std::uint64_t seed,
                           double flops_per_step)
    : distribution_(make_step_time_distribution(spec, workers, flops_per_step)),
      workers_(workers),
      stragglers_(spec.stragglers),
      slowdowns_(spec.slowdowns) {
  if (!spec.speed_factors.empty() || spec.speed_distribution) {
    speed_factors_ = resolve_speed_factors(spec, workers, seed);
  }
  if (!(stragglers_.probability >= 0.0 && stragglers_.probability <= 1.0)) {
    throw std::invalid_argument("the straggler probability must be in [0, 1]");
  }
  if (!(stragglers_.slowdown > 0.0)) {
    throw std::invalid_argument("the straggler slowdown must be above 0");
  }
  for (const SlowdownWindow& window : slowdowns_) {
    if (window.worker < 0 || window.worker >= workers || !(window.from < window.until) ||
        !(window.factor > 0.0)) {
      throw std::invalid_argument(fmt::format(
          "slow-down window of worker {} (of {}) needs from < until and a factor above 0",
          window.worker, workers));
    }
  }
  if (!slowdowns_.empty()) window_steps_.assign(workers, 0);
  rngs_.reserve(workers);
  for (int w = 0; w < workers; ++w) rngs_.emplace_back(derive_seed(seed, "compute", w));
  if (stragglers_.probability > 0.0) {  // otherwise no draw could slow a step: no streams needed
    straggler_steps_.assign(workers, 0);
    straggler_rngs_.reserve(workers);
    for (int w = 0; w < workers; ++w) {
      straggler_rngs_.emplace_back(derive_seed(seed, "stragglers", w));
    }
  }
}

SimTime ComputeModel::step_time(int worker, SimTime now) {
  const SimTime base = distribution_->sample(worker, rngs_[worker]);
  double factor = 1.0;
  // Drawn on every step, so the stream's alignment never depends on the probability.
  if (!straggler_rngs_.empty() && straggler_rngs_[worker].uniform() < stragglers_.probability) {
    factor *= stragglers_.slowdown;
    ++straggler_steps_[worker];
  }
  bool in_window = false;
  for (const SlowdownWindow& window : slowdowns_) {
    if (window.worker == worker && window.from <= now && now < window.until) {
      factor *= window.factor;
      in_window = true;
    }
  }
  if (in_window) ++window_steps_[worker];
  const double speed = speed_factor(worker);
  if (speed == 1.0 && factor == 1.0) return base;
  // In nanoseconds, so an integer slow-down of an integer step time is exact.
  const double ns = static_cast<double>(base.ns()) / speed * factor;
  if (!(ns < 9.2e18)) throw std::overflow_error("step time beyond the range of simulated time");
  return SimTime::from_ns(std::llround(ns));
}

}  // namespace sgdsim
