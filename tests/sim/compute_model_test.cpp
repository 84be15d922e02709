// The per-worker compute model: exact constants, speed factors (listed or drawn), straggler
// injection, slow-down windows, the flops kind, and seeded, independent per-worker streams.
#include <catch2/catch.hpp>

#include <algorithm>
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

const SimTime kStart = SimTime::zero();

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
  for (int i = 0; i < count; ++i) out.push_back(model.step_time(worker, kStart).ns());
  return out;
}

SimTime ms(std::int64_t milliseconds) {
  return SimTime::from_ns(milliseconds * 1'000'000);
}

}  // namespace

TEST_CASE("a constant compute model gives exactly the mean on every step of every worker",
          "[sim][compute]") {
  ComputeModel model(spec_of("constant", 30'000'000), 4, 123);
  for (int w = 0; w < 4; ++w) {
    for (int i = 0; i < 100; ++i) REQUIRE(model.step_time(w, kStart).ns() == 30'000'000);
  }
}

TEST_CASE("a speed factor of 0.5 doubles every step time", "[sim][compute]") {
  SECTION("constant") {
    ComputeModel model(spec_of("constant", 30'000'000, 0.0, {1.0, 0.5}), 2, 1);
    CHECK(model.step_time(0, kStart).ns() == 30'000'000);
    CHECK(model.step_time(1, kStart).ns() == 60'000'000);
    CHECK(model.speed_factor(1) == 0.5);
  }
  SECTION("lognormal, same stream seen at two speeds") {
    // Worker 1 draws the same stream in both models; only its speed differs.
    ComputeModel normal(spec_of("lognormal", 30'000'000, 0.3, {1.0, 1.0}), 2, 99);
    ComputeModel slow(spec_of("lognormal", 30'000'000, 0.3, {1.0, 0.5}), 2, 99);
    for (int i = 0; i < 1000; ++i) {
      const std::int64_t base = normal.step_time(1, kStart).ns();
      const std::int64_t doubled = slow.step_time(1, kStart).ns();
      REQUIRE(std::abs(doubled - 2 * base) <= 1);
    }
  }
  SECTION("a speed factor of 2 halves it") {
    ComputeModel model(spec_of("constant", 30'000'000, 0.0, {2.0}), 1, 1);
    CHECK(model.step_time(0, kStart).ns() == 15'000'000);
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
  ComputeSpec spec = spec_of("lognormal", 30'000'000, 0.2);
  spec.stragglers = {0.3, 4.0};
  ComputeModel interleaved(spec, 2, 5);
  ComputeModel alone(spec, 2, 5);
  std::vector<std::int64_t> worker1_interleaved;
  for (int i = 0; i < 40; ++i) {
    interleaved.step_time(0, kStart);
    interleaved.step_time(0, kStart);
    worker1_interleaved.push_back(interleaved.step_time(1, kStart).ns());
  }
  CHECK(worker1_interleaved == draws(alone, 1, 40));
}

TEST_CASE("the compute model rejects a speed-factor list of the wrong length and unknown kinds",
          "[sim][compute]") {
  CHECK_THROWS_AS(ComputeModel(spec_of("constant", 1000, 0.0, {1.0, 1.0}), 3, 0),
                  std::invalid_argument);
  try {
    (void)sgdsim::make_step_time_distribution(spec_of("weibull", 1000), 1);
    FAIL("unknown kind accepted");
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    CHECK_THAT(message, Catch::Contains("weibull"));
    for (const auto& info : sgdsim::compute_model_catalog()) {
      CHECK_THAT(message, Catch::Contains(info.name));
    }
  }
}

TEST_CASE("speed factors drawn from a distribution are seeded, within bounds and spread",
          "[sim][compute]") {
  const int workers = 2000;
  SECTION("uniform") {
    ComputeSpec spec = spec_of("constant", 1'000'000);
    spec.speed_distribution = sgdsim::SpeedFactorDistribution{"uniform", 0.5, 1.5, 0.0};
    ComputeModel a(spec, workers, 8);
    ComputeModel b(spec, workers, 8);
    ComputeModel other(spec, workers, 9);
    CHECK(a.speed_factors() == b.speed_factors());
    CHECK(a.speed_factors() != other.speed_factors());
    double sum = 0.0;
    for (int w = 0; w < workers; ++w) {
      const double f = a.speed_factor(w);
      REQUIRE(f >= 0.5);
      REQUIRE(f <= 1.5);
      sum += f;
      // The factor is the one applied to the step time.
      REQUIRE(a.step_time(w, kStart).ns() == std::llround(1'000'000 / f));
    }
    CHECK(sum / workers == Approx(1.0).epsilon(0.02));
    CHECK(*std::min_element(a.speed_factors().begin(), a.speed_factors().end()) < 0.55);
    CHECK(*std::max_element(a.speed_factors().begin(), a.speed_factors().end()) > 1.45);
  }
  SECTION("lognormal: median 1, log-spread sigma") {
    ComputeSpec spec = spec_of("constant", 1'000'000);
    spec.speed_distribution = sgdsim::SpeedFactorDistribution{"lognormal", 1.0, 1.0, 0.3};
    ComputeModel model(spec, workers, 8);
    double sum_log = 0.0, sum_log_sq = 0.0;
    for (const double f : model.speed_factors()) {
      REQUIRE(f > 0.0);
      sum_log += std::log(f);
      sum_log_sq += std::log(f) * std::log(f);
    }
    const double mean_log = sum_log / workers;
    CHECK(std::abs(mean_log) < 0.03);
    CHECK(std::sqrt(sum_log_sq / workers - mean_log * mean_log) == Approx(0.3).epsilon(0.05));
  }
}

TEST_CASE("stragglers: a step is slowed with frequency p, by exactly k", "[sim][compute]") {
  const double p = 0.05;
  const double k = 7.0;
  ComputeSpec plain = spec_of("lognormal", 30'000'000, 0.2);
  ComputeSpec spec = plain;
  spec.stragglers = {p, k};
  const int workers = 3;
  const int steps = 100'000;
  ComputeModel base(plain, workers, 17);
  ComputeModel model(spec, workers, 17);
  for (int w = 0; w < workers; ++w) {
    INFO("worker " << w);
    std::int64_t slowed = 0;
    for (int i = 0; i < steps; ++i) {
      const std::int64_t b = base.step_time(w, kStart).ns();
      const std::int64_t t = model.step_time(w, kStart).ns();
      if (t != b) {
        ++slowed;
        REQUIRE(t == 7 * b);
      }
    }
    CHECK(model.straggler_steps()[w] == slowed);
    // Binomial(100k, 0.05): standard deviation 69, so ±500 is over 7 of them.
    CHECK(std::abs(static_cast<double>(slowed) - p * steps) < 500);
  }
  CHECK(base.straggler_steps().empty());  // no counts kept when no step can be slowed
}

TEST_CASE("the straggler stream is drawn every step, whatever the probability", "[sim][compute]") {
  // Same seed, probabilities 0.1 and 0.2: uniform < 0.1 implies uniform < 0.2, so with aligned
  // streams every step slowed at 0.1 is slowed at 0.2 too.
  ComputeSpec low = spec_of("constant", 1'000'000);
  low.stragglers = {0.1, 3.0};
  ComputeSpec high = low;
  high.stragglers.probability = 0.2;
  ComputeModel a(low, 1, 4);
  ComputeModel b(high, 1, 4);
  int both = 0;
  for (int i = 0; i < 10'000; ++i) {
    const bool slow_a = a.step_time(0, kStart).ns() == 3'000'000;
    const bool slow_b = b.step_time(0, kStart).ns() == 3'000'000;
    if (slow_a) REQUIRE(slow_b);
    both += slow_a;
  }
  CHECK(both == a.straggler_steps()[0]);
  CHECK(b.straggler_steps()[0] > a.straggler_steps()[0]);
}

TEST_CASE("a slow-down window applies to steps starting in [from, until), on its worker only",
          "[sim][compute]") {
  ComputeSpec spec = spec_of("constant", 10'000'000);
  spec.slowdowns = {{1, ms(100), ms(200), 3.0}, {1, ms(150), ms(300), 2.0}};
  ComputeModel model(spec, 3, 0);
  CHECK(model.step_time(1, ms(99)).ns() == 10'000'000);
  CHECK(model.step_time(1, ms(100)).ns() == 30'000'000);  // from is inside
  CHECK(model.step_time(1, ms(149)).ns() == 30'000'000);
  CHECK(model.step_time(1, ms(150)).ns() == 60'000'000);  // overlapping windows multiply
  CHECK(model.step_time(1, ms(200)).ns() == 20'000'000);  // until is outside
  CHECK(model.step_time(1, ms(300)).ns() == 10'000'000);
  for (const std::int64_t t : {0, 100, 150, 199, 250}) {
    CHECK(model.step_time(0, ms(t)).ns() == 10'000'000);
    CHECK(model.step_time(2, ms(t)).ns() == 10'000'000);
  }
  CHECK(model.window_steps() == std::vector<std::int64_t>{0, 4, 0});
}

TEST_CASE("speed, straggler and window factors multiply", "[sim][compute]") {
  ComputeSpec spec = spec_of("constant", 12'000'000, 0.0, {0.5});
  spec.stragglers = {1.0, 3.0};
  spec.slowdowns = {{0, ms(0), ms(10), 5.0}};
  ComputeModel model(spec, 1, 0);
  CHECK(model.step_time(0, ms(1)).ns() == 12'000'000 * 2 * 3 * 5);
  CHECK(model.step_time(0, ms(10)).ns() == 12'000'000 * 2 * 3);
}

TEST_CASE("the compute model rejects windows and stragglers that make no sense", "[sim][compute]") {
  ComputeSpec spec = spec_of("constant", 1'000'000);
  spec.slowdowns = {{2, ms(0), ms(10), 2.0}};
  CHECK_THROWS_AS(ComputeModel(spec, 2, 0), std::invalid_argument);
  spec.slowdowns = {{0, ms(10), ms(10), 2.0}};
  CHECK_THROWS_AS(ComputeModel(spec, 2, 0), std::invalid_argument);
  spec.slowdowns.clear();
  spec.stragglers = {1.5, 2.0};
  CHECK_THROWS_AS(ComputeModel(spec, 2, 0), std::invalid_argument);
}

TEST_CASE("flops: a step takes exactly flops / (device FLOP/s × efficiency), to the ns",
          "[sim][compute]") {
  ComputeSpec spec;
  spec.kind = "flops";
  spec.flops_per_second = 19.5e12;
  spec.efficiency = 0.4;
  const double flops = 3.3e11;  // 42.307692... ms
  ComputeModel model(spec, 2, 1, flops);
  const std::int64_t expected = std::llround(flops / (19.5e12 * 0.4) * 1e9);
  REQUIRE(expected == 42'307'692);
  for (int i = 0; i < 10; ++i) {
    CHECK(model.step_time(0, kStart).ns() == expected);
    CHECK(model.step_time(1, kStart).ns() == expected);
  }
  SECTION("halving the efficiency doubles the time") {
    spec.efficiency = 0.2;
    ComputeModel half(spec, 1, 1, flops);
    CHECK(half.step_time(0, kStart).ns() == std::llround(flops / (19.5e12 * 0.2) * 1e9));
  }
  SECTION("without the model's FLOPs it is an error") {
    CHECK_THROWS_AS(ComputeModel(spec, 1, 1), std::invalid_argument);
  }
  SECTION("jitter keeps the mean and spreads the times") {
    spec.jitter_sigma = 0.1;
    ComputeModel jittered(spec, 1, 1, flops);
    const int n = 200'000;
    double sum = 0.0;
    std::int64_t lowest = expected, highest = expected;
    for (int i = 0; i < n; ++i) {
      const std::int64_t t = jittered.step_time(0, kStart).ns();
      sum += static_cast<double>(t);
      lowest = std::min(lowest, t);
      highest = std::max(highest, t);
    }
    CHECK(sum / n == Approx(static_cast<double>(expected)).epsilon(0.01));
    CHECK(lowest < expected * 0.8);
    CHECK(highest > expected * 1.2);
  }
}
