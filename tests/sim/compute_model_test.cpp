// Step-time distributions and the per-worker compute model: exact constants, the lognormal's
// mean, speed factors and seeded, independent per-worker streams.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/rng.hpp"
#include "sim/cluster/compute_model.hpp"

namespace {

using sgdsim::ComputeModel;
using sgdsim::ComputeSpec;
using sgdsim::SimTime;

ComputeSpec spec_of(std::string kind, std::int64_t mean_ns, double sigma = 0.0,
                    std::vector<double> speed_factors = {}) {
  ComputeSpec spec;
  spec.kind = std::move(kind);
  spec.mean = SimTime::from_ns(mean_ns);
  spec.sigma = sigma;
  spec.speed_factors = std::move(speed_factors);
  return spec;
}

std::vector<std::int64_t> draws(ComputeModel& model, int worker, int count) {
  std::vector<std::int64_t> out;
  for (int i = 0; i < count; ++i) out.push_back(model.step_time(worker).ns());
  return out;
}

}  // namespace

TEST_CASE("a constant compute model gives exactly the mean on every step of every worker",
          "[sim][compute]") {
  ComputeModel model(spec_of("constant", 30'000'000), 4, 123);
  for (int w = 0; w < 4; ++w) {
    for (int i = 0; i < 100; ++i) REQUIRE(model.step_time(w).ns() == 30'000'000);
  }
}

TEST_CASE("the lognormal sample mean is within 1% of `mean` over 200k draws", "[sim][compute]") {
  for (const double sigma : {0.2, 0.5}) {
    INFO("sigma " << sigma);
    ComputeModel model(spec_of("lognormal", 30'000'000, sigma), 1, 2024);
    const int n = 200'000;
    double sum = 0.0;
    double sum_log = 0.0;
    double sum_log_sq = 0.0;
    int non_positive = 0;
    for (int i = 0; i < n; ++i) {
      const double t = model.step_time(0).seconds();
      if (!(t > 0.0)) ++non_positive;
      sum += t;
      sum_log += std::log(t);
      sum_log_sq += std::log(t) * std::log(t);
    }
    REQUIRE(non_positive == 0);
    const double mean = sum / n;
    CHECK(std::abs(mean - 0.03) / 0.03 < 0.01);
    // The spread of log(step time) is sigma, so sigma is not silently ignored.
    const double log_mean = sum_log / n;
    const double log_sd = std::sqrt(sum_log_sq / n - log_mean * log_mean);
    CHECK(log_sd == Approx(sigma).epsilon(0.02));
    // The median sits below the mean by exp(-sigma^2/2): `mean` is not the median.
    CHECK(std::exp(log_mean) == Approx(0.03 * std::exp(-0.5 * sigma * sigma)).epsilon(0.01));
  }
}

TEST_CASE("a speed factor of 0.5 doubles every step time", "[sim][compute]") {
  SECTION("constant") {
    ComputeModel model(spec_of("constant", 30'000'000, 0.0, {1.0, 0.5}), 2, 1);
    CHECK(model.step_time(0).ns() == 30'000'000);
    CHECK(model.step_time(1).ns() == 60'000'000);
  }
  SECTION("lognormal, same stream seen at two speeds") {
    // Worker 1 draws the same stream in both models; only its speed differs.
    ComputeModel normal(spec_of("lognormal", 30'000'000, 0.3, {1.0, 1.0}), 2, 99);
    ComputeModel slow(spec_of("lognormal", 30'000'000, 0.3, {1.0, 0.5}), 2, 99);
    for (int i = 0; i < 1000; ++i) {
      const std::int64_t base = normal.step_time(1).ns();
      const std::int64_t doubled = slow.step_time(1).ns();
      REQUIRE(std::abs(doubled - 2 * base) <= 1);
    }
  }
  SECTION("a speed factor of 2 halves it") {
    ComputeModel model(spec_of("constant", 30'000'000, 0.0, {2.0}), 1, 1);
    CHECK(model.step_time(0).ns() == 15'000'000);
  }
}

TEST_CASE("per-worker step streams are deterministic for a seed and differ between workers",
          "[sim][compute]") {
  const ComputeSpec spec = spec_of("lognormal", 30'000'000, 0.2);
  ComputeModel a(spec, 3, 42);
  ComputeModel b(spec, 3, 42);
  ComputeModel other_seed(spec, 3, 43);
  const auto a0 = draws(a, 0, 50);
  const auto a1 = draws(a, 1, 50);
  const auto a2 = draws(a, 2, 50);
  CHECK(a0 == draws(b, 0, 50));
  CHECK(a1 == draws(b, 1, 50));
  CHECK(a2 == draws(b, 2, 50));
  CHECK(a0 != a1);
  CHECK(a1 != a2);
  CHECK(a0 != a2);
  CHECK(a0 != draws(other_seed, 0, 50));
}

TEST_CASE("a worker's stream does not depend on how often other workers draw", "[sim][compute]") {
  const ComputeSpec spec = spec_of("lognormal", 30'000'000, 0.2);
  ComputeModel interleaved(spec, 2, 5);
  ComputeModel alone(spec, 2, 5);
  std::vector<std::int64_t> worker1_interleaved;
  for (int i = 0; i < 40; ++i) {
    interleaved.step_time(0);
    interleaved.step_time(0);
    worker1_interleaved.push_back(interleaved.step_time(1).ns());
  }
  CHECK(worker1_interleaved == draws(alone, 1, 40));
}

TEST_CASE("the compute model rejects a speed-factor list of the wrong length and unknown kinds",
          "[sim][compute]") {
  CHECK_THROWS_AS(ComputeModel(spec_of("constant", 1000, 0.0, {1.0, 1.0}), 3, 0),
                  std::invalid_argument);
  try {
    (void)sgdsim::make_step_time_distribution(spec_of("gamma", 1000));
    FAIL("unknown kind accepted");
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    CHECK_THAT(message, Catch::Contains("gamma"));
    CHECK_THAT(message, Catch::Contains("constant"));
    CHECK_THAT(message, Catch::Contains("lognormal"));
  }
}
