#include "sim/cluster/step_time_distributions.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "models/data/dataset.hpp"
#include "sim/cluster/empirical_step_times.hpp"

namespace sgdsim {
namespace {

class ConstantStepTime final : public StepTimeDistribution {
 public:
  explicit ConstantStepTime(SimTime value) : value_(value) {}
  SimTime sample(int, Rng&) override { return value_; }

 private:
  SimTime value_;
};

// mean + std·Z, redrawn while negative: the truncation raises the mean by
// std·φ(α)/Φ(α), α = mean/std (negligible when mean ≥ 3·std).
class NormalStepTime final : public StepTimeDistribution {
 public:
  NormalStepTime(SimTime mean, SimTime std) : mean_s_(mean.seconds()), std_s_(std.seconds()) {}
  SimTime sample(int, Rng& rng) override {
    double seconds;
    do {
      seconds = mean_s_ + std_s_ * rng.normal();
    } while (seconds < 0.0);  // accepted with probability Φ(mean/std) > 1/2
    return SimTime::from_seconds(seconds);
  }

 private:
  double mean_s_;
  double std_s_;
};

// mean·exp(σZ − σ²/2): E[exp(σZ)] = exp(σ²/2), so `mean` is the distribution's mean, not its
// median.
class LognormalStepTime final : public StepTimeDistribution {
 public:
  LognormalStepTime(double mean_s, double sigma) : mean_s_(mean_s), sigma_(sigma) {}
  SimTime sample(int, Rng& rng) override {
    return SimTime::from_seconds(mean_s_ * std::exp(sigma_ * rng.normal() - 0.5 * sigma_ * sigma_));
  }

 private:
  double mean_s_;
  double sigma_;
};

// minimum + Exp with mean (mean − minimum); minimum 0 is the plain exponential. −log U with U in
// (0, 1] is an Exp(1) variate.
class ShiftedExponentialStepTime final : public StepTimeDistribution {
 public:
  ShiftedExponentialStepTime(SimTime minimum, SimTime mean)
      : minimum_(minimum), scale_s_((mean - minimum).seconds()) {}
  SimTime sample(int, Rng& rng) override {
    return minimum_ + SimTime::from_seconds(-scale_s_ * std::log(rng.uniform_open_zero()));
  }

 private:
  SimTime minimum_;
  double scale_s_;
};

// Gamma of shape k and scale mean/k: mean `mean`, variance mean²/k.
class GammaStepTime final : public StepTimeDistribution {
 public:
  GammaStepTime(SimTime mean, double shape) : scale_s_(mean.seconds() / shape), shape_(shape) {}
  SimTime sample(int, Rng& rng) override {
    return SimTime::from_seconds(scale_s_ * standard_gamma(shape_, rng));
  }

 private:
  double scale_s_;
  double shape_;
};

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument(message);
}

void require_positive_mean(const ComputeSpec& spec) {
  require(spec.mean > SimTime::zero(),
          fmt::format("compute model '{}' needs a mean above 0", spec.kind));
}

}  // namespace

double standard_gamma(double shape, Rng& rng) {
  if (shape < 1.0) {
    // U^(1/k) with U in (0, 1], so a zero never reaches pow.
    return standard_gamma(shape + 1.0, rng) * std::pow(rng.uniform_open_zero(), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = rng.normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.uniform_open_zero();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v;  // the cheap squeeze
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
  }
}

SimTime flops_step_time(double flops_per_step, double flops_per_second, double efficiency) {
  return SimTime::from_seconds(flops_per_step / (flops_per_second * efficiency));
}

namespace {

using Made = std::unique_ptr<StepTimeDistribution>;

Made make_constant(const ComputeSpec& spec, int, double) {
  require_positive_mean(spec);
  return std::make_unique<ConstantStepTime>(spec.mean);
}

Made make_normal(const ComputeSpec& spec, int, double) {
  require_positive_mean(spec);
  require(spec.std >= SimTime::zero(), "compute model 'normal' needs std >= 0");
  return std::make_unique<NormalStepTime>(spec.mean, spec.std);
}

Made make_lognormal(const ComputeSpec& spec, int, double) {
  require_positive_mean(spec);
  require(spec.sigma >= 0.0, "compute model 'lognormal' needs sigma >= 0");
  return std::make_unique<LognormalStepTime>(spec.mean.seconds(), spec.sigma);
}

Made make_exponential(const ComputeSpec& spec, int, double) {
  require_positive_mean(spec);
  return std::make_unique<ShiftedExponentialStepTime>(SimTime::zero(), spec.mean);
}

Made make_shifted_exponential(const ComputeSpec& spec, int, double) {
  require(spec.minimum >= SimTime::zero() && spec.minimum < spec.mean,
          "compute model 'shifted_exponential' needs 0 <= minimum < mean");
  return std::make_unique<ShiftedExponentialStepTime>(spec.minimum, spec.mean);
}

Made make_gamma(const ComputeSpec& spec, int, double) {
  require_positive_mean(spec);
  require(spec.shape > 0.0, "compute model 'gamma' needs a shape above 0");
  return std::make_unique<GammaStepTime>(spec.mean, spec.shape);
}

Made make_empirical(const ComputeSpec& spec, int workers, double) {
  if (spec.times_in_memory) {
    if (!spec.times) {
      throw DataError(
          "times: arrays are the step times given in memory (Python: sgdsim.data.step_times); "
          "none were attached");
    }
    return std::make_unique<EmpiricalStepTime>(*spec.times, spec.mode, workers);
  }
  return std::make_unique<EmpiricalStepTime>(load_step_times_csv(spec.path), spec.mode, workers);
}

Made make_flops(const ComputeSpec& spec, int, double flops_per_step) {
  require(flops_per_step > 0.0,
          "compute model 'flops' needs the model's FLOPs per step (none were given)");
  require(spec.flops_per_second > 0.0, "compute model 'flops' needs flops_per_second above 0");
  require(spec.efficiency > 0.0 && spec.efficiency <= 1.0,
          "compute model 'flops' needs an efficiency in (0, 1]");
  require(spec.jitter_sigma >= 0.0, "compute model 'flops' needs a jitter sigma >= 0");
  const double exact_s = flops_per_step / (spec.flops_per_second * spec.efficiency);
  if (spec.jitter_sigma > 0.0)
    return std::make_unique<LognormalStepTime>(exact_s, spec.jitter_sigma);
  return std::make_unique<ConstantStepTime>(
      flops_step_time(flops_per_step, spec.flops_per_second, spec.efficiency));
}

}  // namespace

const std::vector<ComputeModelInfo>& compute_model_catalog() {
  static const std::vector<ComputeModelInfo> catalog = {
      {"constant", "every step takes exactly `mean`", make_constant},
      {"normal", "mean + std·Z, redrawn while negative (truncation raises the mean slightly)",
       make_normal},
      {"lognormal",
       "mean·exp(sigma·Z − sigma²/2), Z standard normal: mean `mean`, heavy right tail",
       make_lognormal},
      {"exponential", "Exp with mean `mean` (memoryless; the H_N straggler law's model)",
       make_exponential},
      {"shifted_exponential", "minimum + Exp of mean (mean − minimum): the classic straggler model",
       make_shifted_exponential},
      {"gamma", "gamma of shape k and mean `mean`: variance mean²/k", make_gamma},
      {"empirical", "step times in seconds from a CSV `path`, replayed or resampled (`mode`)",
       make_empirical},
      {"flops", "model FLOPs per step / (flops_per_second · efficiency), optional jitter",
       make_flops, true},
  };
  return catalog;
}

std::unique_ptr<StepTimeDistribution> make_step_time_distribution(const ComputeSpec& spec,
                                                                  int workers,
                                                                  double flops_per_step) {
  for (const auto& info : compute_model_catalog()) {
    if (info.name == spec.kind) return info.make(spec, workers, flops_per_step);
  }
  std::string known;
  for (const auto& info : compute_model_catalog()) known += (known.empty() ? "" : ", ") + info.name;
  throw std::invalid_argument(
      fmt::format("unknown compute model '{}'; known: {}", spec.kind, known));
}

}  // namespace sgdsim
