#include "sim/calibration/step_time_fit.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sgdsim {

StepTimeFit fit_step_times(std::vector<double> seconds) {
  if (seconds.empty()) throw std::invalid_argument("no step times to fit");
  for (double s : seconds) {
    if (!(s > 0) || !std::isfinite(s)) {
      throw std::invalid_argument("a step time must be a number above 0");
    }
  }
  std::sort(seconds.begin(), seconds.end());
  const double n = static_cast<double>(seconds.size());
  StepTimeFit fit;
  fit.samples = seconds.size();
  double sum = 0, log_sum = 0;
  for (double s : seconds) {
    sum += s;
    log_sum += std::log(s);
  }
  fit.sample_mean_s = sum / n;
  const double mu = log_sum / n;
  double var = 0, log_var = 0;
  for (double s : seconds) {
    var += (s - fit.sample_mean_s) * (s - fit.sample_mean_s);
    log_var += (std::log(s) - mu) * (std::log(s) - mu);
  }
  fit.sample_cv = std::sqrt(var / n) / fit.sample_mean_s;
  const std::size_t m = seconds.size() / 2;
  fit.median_s = seconds.size() % 2 ? seconds[m] : 0.5 * (seconds[m - 1] + seconds[m]);
  // The maximum-likelihood σ; rounding leaves a trace of spread in equal samples.
  fit.lognormal_sigma = seconds.front() == seconds.back() ? 0.0 : std::sqrt(log_var / n);
  fit.lognormal_mean_s = std::exp(mu + 0.5 * fit.lognormal_sigma * fit.lognormal_sigma);
  if (fit.lognormal_sigma == 0.0) return fit;  // a point mass, as the samples are
  for (std::size_t i = 0; i < seconds.size(); ++i) {
    const double cdf =
        0.5 * std::erfc(-(std::log(seconds[i]) - mu) / (fit.lognormal_sigma * std::sqrt(2.0)));
    fit.ks_distance = std::max({fit.ks_distance, (i + 1) / n - cdf, cdf - i / n});
  }
  return fit;
}

}  // namespace sgdsim
