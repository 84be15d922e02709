// Every step-time distribution against its closed-form moments: sample means within 1% over at
// least 200k draws, variances where they are cheap, supports (no negative normal, no exponential
// below its shift), and the catalog's kinds all covered.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <set>
#include <string>

#include "models/rng.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/step_time_distributions.hpp"

namespace {

using sgdsim::ComputeModel;
using sgdsim::ComputeSpec;
using sgdsim::SimTime;

constexpr double kMeanS = 0.03;
const SimTime kMean = SimTime::from_ns(30'000'000);

struct Moments {
  double mean = 0.0;
  double variance = 0.0;
  double min = std::numeric_limits<double>::infinity();
};

// Moments of `draws` step times (seconds) of one worker.
Moments moments_of(const ComputeSpec& spec, int draws, std::uint64_t seed = 2024) {
  ComputeModel model(spec, 1, seed);
  double sum = 0.0, sum_sq = 0.0;
  Moments m;
  for (int i = 0; i < draws; ++i) {
    const double t = model.step_time(0, SimTime::zero()).seconds();
    sum += t;
    sum_sq += t * t;
    m.min = std::min(m.min, t);
  }
  m.mean = sum / draws;
  m.variance = sum_sq / draws - m.mean * m.mean;
  return m;
}

ComputeSpec spec_of(const std::string& kind) {
  ComputeSpec spec;
  spec.kind = kind;
  spec.mean = kMean;
  return spec;
}

double relative_error(double value, double expected) {
  return std::abs(value - expected) / expected;
}

// Φ and φ of the standard normal.
double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}
double normal_pdf(double x) {
  return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
}

}  // namespace

TEST_CASE("every catalogued compute kind has a description and is tested here", "[sim][compute]") {
  // Adding a kind means adding its moments test to this file (or compute_empirical_test.cpp).
  const std::set<std::string> tested = {
      "constant", "normal",    "lognormal", "exponential", "shifted_exponential",
      "gamma",    "empirical", "flops"};
  std::set<std::string> catalogued;
  for (const auto& info : sgdsim::compute_model_catalog()) {
    CHECK_FALSE(info.description.empty());
    catalogued.insert(info.name);
  }
  CHECK(catalogued == tested);
}

TEST_CASE("normal: mean within 1% and standard deviation `std` when truncation is negligible",
          "[sim][compute]") {
  ComputeSpec spec = spec_of("normal");
  spec.std = SimTime::from_ns(5'000'000);
  const Moments m = moments_of(spec, 200'000);
  CHECK(relative_error(m.mean, kMeanS) < 0.01);
  CHECK(relative_error(std::sqrt(m.variance), 0.005) < 0.02);
}

TEST_CASE("normal: truncation never gives a negative time and raises the mean as predicted",
          "[sim][compute]") {
  // mean = std = 10 ms: a sixth of the untruncated mass is negative. The truncated mean is
  // μ + σ·φ(α)/Φ(α) with α = μ/σ = 1, that is 12.876 ms.
  ComputeSpec spec = spec_of("normal");
  spec.mean = SimTime::from_ns(10'000'000);
  spec.std = SimTime::from_ns(10'000'000);
  const Moments m = moments_of(spec, 200'000);
  CHECK(m.min >= 0.0);
  const double truncated_mean = 0.01 + 0.01 * normal_pdf(1.0) / normal_cdf(1.0);
  CHECK(relative_error(m.mean, truncated_mean) < 0.01);
  CHECK(m.mean > 0.0101);  // visibly above the untruncated mean
}

TEST_CASE("lognormal: mean within 1% and log-spread sigma over 200k draws", "[sim][compute]") {
  for (const double sigma : {0.2, 0.5}) {
    INFO("sigma " << sigma);
    ComputeSpec spec = spec_of("lognormal");
    spec.sigma = sigma;
    ComputeModel model(spec, 1, 2024);
    const int n = 200'000;
    double sum = 0.0, sum_log = 0.0, sum_log_sq = 0.0;
    int non_positive = 0;
    for (int i = 0; i < n; ++i) {
      const double t = model.step_time(0, SimTime::zero()).seconds();
      if (!(t > 0.0)) ++non_positive;
      sum += t;
      sum_log += std::log(t);
      sum_log_sq += std::log(t) * std::log(t);
    }
    REQUIRE(non_positive == 0);
    CHECK(relative_error(sum / n, kMeanS) < 0.01);
    const double log_mean = sum_log / n;
    CHECK(std::sqrt(sum_log_sq / n - log_mean * log_mean) == Approx(sigma).epsilon(0.02));
    // The median sits below the mean by exp(-sigma^2/2): `mean` is not the median.
    CHECK(std::exp(log_mean) == Approx(kMeanS * std::exp(-0.5 * sigma * sigma)).epsilon(0.01));
  }
}

TEST_CASE("exponential: mean m within 1% and variance m² within 3%", "[sim][compute]") {
  const Moments m = moments_of(spec_of("exponential"), 200'000);
  CHECK(relative_error(m.mean, kMeanS) < 0.01);
  CHECK(relative_error(m.variance, kMeanS * kMeanS) < 0.03);
  CHECK(m.min >= 0.0);
  CHECK(m.min < 0.0001);  // the density is highest at 0
}

TEST_CASE("shifted exponential: never below the minimum, mean `mean`, variance (mean − min)²",
          "[sim][compute]") {
  ComputeSpec spec = spec_of("shifted_exponential");
  spec.minimum = SimTime::from_ns(20'000'000);
  const Moments m = moments_of(spec, 200'000);
  CHECK(m.min >= 0.02);
  CHECK(m.min < 0.02 + 1e-5);
  CHECK(relative_error(m.mean, kMeanS) < 0.01);
  CHECK(relative_error(m.variance, 0.01 * 0.01) < 0.03);
}

TEST_CASE("gamma: mean m within 1% and variance m²/k within 3%, for k below and above 1",
          "[sim][compute]") {
  for (const double shape : {0.5, 1.0, 3.7, 40.0}) {
    INFO("shape " << shape);
    ComputeSpec spec = spec_of("gamma");
    spec.shape = shape;
    const Moments m = moments_of(spec, 400'000);
    CHECK(m.min >= 0.0);
    CHECK(relative_error(m.mean, kMeanS) < 0.01);
    CHECK(relative_error(m.variance, kMeanS * kMeanS / shape) < 0.03);
  }
}

TEST_CASE("the standard gamma variate has mean k and variance k", "[sim][compute]") {
  for (const double shape : {0.3, 2.0, 9.0}) {
    INFO("shape " << shape);
    sgdsim::Rng rng(77);
    const int n = 300'000;
    double sum = 0.0, sum_sq = 0.0;
    for (int i = 0; i < n; ++i) {
      const double x = sgdsim::standard_gamma(shape, rng);
      REQUIRE(x >= 0.0);
      sum += x;
      sum_sq += x * x;
    }
    const double mean = sum / n;
    CHECK(relative_error(mean, shape) < 0.01);
    CHECK(relative_error(sum_sq / n - mean * mean, shape) < 0.03);
  }
}

TEST_CASE("distributions reject parameters that make no sense", "[sim][compute]") {
  ComputeSpec spec = spec_of("shifted_exponential");
  spec.minimum = kMean;
  CHECK_THROWS_AS(sgdsim::make_step_time_distribution(spec, 1), std::invalid_argument);
  spec = spec_of("gamma");
  spec.shape = 0.0;
  CHECK_THROWS_AS(sgdsim::make_step_time_distribution(spec, 1), std::invalid_argument);
  spec = spec_of("exponential");
  spec.mean = SimTime::zero();
  CHECK_THROWS_AS(sgdsim::make_step_time_distribution(spec, 1), std::invalid_argument);
  spec = spec_of("flops");
  spec.flops_per_second = 1e12;
  spec.efficiency = 1.5;
  CHECK_THROWS_AS(sgdsim::make_step_time_distribution(spec, 1, 1e9), std::invalid_argument);
}
