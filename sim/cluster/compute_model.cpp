#include "sim/cluster/compute_model.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace sgdsim {
namespace {

class ConstantStepTime final : public StepTimeDistribution {
 public:
  explicit ConstantStepTime(SimTime value) : value_(value) {}
  SimTime sample(Rng&) const override { return value_; }

 private:
  SimTime value_;
};

// exp(σZ − σ²/2) has mean 1, so `mean` is the distribution's mean, not its median.
class LognormalStepTime final : public StepTimeDistribution {
 public:
  LognormalStepTime(SimTime mean, double sigma) : mean_s_(mean.seconds()), sigma_(sigma) {}
  SimTime sample(Rng& rng) const override {
    return SimTime::from_seconds(mean_s_ * std::exp(sigma_ * rng.normal() - 0.5 * sigma_ * sigma_));
  }

 private:
  double mean_s_;
  double sigma_;
};

}  // namespace

const std::vector<ComputeModelInfo>& compute_model_catalog() {
  static const std::vector<ComputeModelInfo> catalog = {
      {"constant", "every step takes exactly `mean`"},
      {"lognormal",
       "mean·exp(sigma·Z − sigma²/2), Z standard normal: mean `mean`, heavy right tail"},
  };
  return catalog;
}

std::unique_ptr<StepTimeDistribution> make_step_time_distribution(const ComputeSpec& spec) {
  if (spec.kind == "constant") return std::make_unique<ConstantStepTime>(spec.mean);
  if (spec.kind == "lognormal") return std::make_unique<LognormalStepTime>(spec.mean, spec.sigma);
  std::string known;
  for (const auto& info : compute_model_catalog()) known += (known.empty() ? "" : ", ") + info.name;
  throw std::invalid_argument(
      fmt::format("unknown compute model '{}'; known: {}", spec.kind, known));
}

ComputeModel::ComputeModel(const ComputeSpec& spec, int workers, std::uint64_t seed)
    : distribution_(make_step_time_distribution(spec)),
      speed_factors_(spec.speed_factors.empty() ? std::vector<double>(workers, 1.0)
                                                : spec.speed_factors) {
  if (static_cast<int>(speed_factors_.size()) != workers) {
    throw std::invalid_argument(
        fmt::format("{} speed factors for {} workers", speed_factors_.size(), workers));
  }
  rngs_.reserve(workers);
  for (int w = 0; w < workers; ++w) rngs_.emplace_back(derive_seed(seed, "compute", w));
}

SimTime ComputeModel::step_time(int worker) {
  const SimTime base = distribution_->sample(rngs_[worker]);
  if (speed_factors_[worker] == 1.0) return base;
  return SimTime::from_seconds(base.seconds() / speed_factors_[worker]);
}

}  // namespace sgdsim
