// A distribution fitted to measured step times, with how far it is from them: the lognormal's
// maximum-likelihood fit (the model sgdsim's `lognormal` compute kind draws from, there given by
// its mean and σ) and the Kolmogorov–Smirnov distance between it and the samples.
#pragma once

#include <cstddef>
#include <vector>

namespace sgdsim {

struct StepTimeFit {
  std::size_t samples = 0;
  double sample_mean_s = 0.0;
  double sample_cv = 0.0;  // standard deviation / mean
  double median_s = 0.0;
  double lognormal_mean_s = 0.0;  // exp(μ + σ²/2)
  double lognormal_sigma = 0.0;   // σ of log(time)
  double ks_distance = 0.0;       // sup |F_samples − F_lognormal|
};

// Throws std::invalid_argument without samples or with one that is not above 0.
StepTimeFit fit_step_times(std::vector<double> seconds);

}  // namespace sgdsim
