// The collectives' α–β costs against their closed forms, worked out here from the numbers.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "sim/cluster/collectives.hpp"
#include "sim/cluster/link.hpp"

namespace {

using sgdsim::Link;
using sgdsim::SimTime;

struct CostCase {
  int workers;
  double bytes;
  std::int64_t latency_ns;
  double bytes_per_second;
};

const CostCase kCases[] = {
    {1, 1e6, 50'000, 1.25e9},  // one worker: nothing to exchange
    {2, 4096, 50'000, 1.25e9},    {4, 1e6, 10'000, 1.25e9},
    {8, 407'080, 50'000, 1.25e9},  // the quickstart MLP's payload
    {16, 3.3e7, 2'000, 1.25e10},  {3, 1000, 1'000'000, 1e6},
    {64, 1.0, 5, 1e11},
};

Link link_of(const CostCase& c) {
  Link link;
  link.latency = SimTime::from_ns(c.latency_ns);
  link.bytes_per_second = c.bytes_per_second;
  return link;
}

std::string describe(const CostCase& c) {
  return "N=" + std::to_string(c.workers) + " S=" + std::to_string(c.bytes) +
         " alpha_ns=" + std::to_string(c.latency_ns) + " B=" + std::to_string(c.bytes_per_second);
}

SimTime sum_of_phases(const sgdsim::CollectiveCost& cost) {
  SimTime total;
  for (const auto& phase : cost.phases) total += phase.duration;
  return total;
}

}  // namespace

TEST_CASE("ring allreduce time equals 2(N-1)a + 2(N-1)/N S/B within 1 ns", "[sim][collectives]") {
  const auto ring = sgdsim::make_collective("ring_allreduce");
  for (const CostCase& c : kCases) {
    INFO(describe(c));
    const double n = c.workers;
    const double alpha_s = static_cast<double>(c.latency_ns) * 1e-9;
    const double expected_ns =
        (2 * (n - 1) * alpha_s + 2 * (n - 1) / n * c.bytes / c.bytes_per_second) * 1e9;
    const auto cost = ring->cost(c.workers, c.bytes, link_of(c));
    CHECK(std::abs(static_cast<double>(cost.duration.ns()) - expected_ns) <= 1.0 + 1e-6);
    if (c.workers == 1) CHECK(cost.duration.ns() == 0);
  }
}

TEST_CASE("ring allreduce sends 2(N-1)S bytes in all", "[sim][collectives]") {
  const auto ring = sgdsim::make_collective("ring_allreduce");
  for (const CostCase& c : kCases) {
    INFO(describe(c));
    const auto cost = ring->cost(c.workers, c.bytes, link_of(c));
    CHECK(cost.bytes_sent == Approx(2.0 * (c.workers - 1) * c.bytes).epsilon(1e-15).margin(0));
  }
}

TEST_CASE("parameter server time equals 2(a + N S/B) and it moves 2NS bytes",
          "[sim][collectives]") {
  const auto server = sgdsim::make_collective("parameter_server");
  for (const CostCase& c : kCases) {
    INFO(describe(c));
    const double n = c.workers;
    const double alpha_s = static_cast<double>(c.latency_ns) * 1e-9;
    const double expected_ns = 2 * (alpha_s + n * c.bytes / c.bytes_per_second) * 1e9;
    const auto cost = server->cost(c.workers, c.bytes, link_of(c));
    CHECK(std::abs(static_cast<double>(cost.duration.ns()) - expected_ns) <= 1.0 + 1e-6);
    CHECK(cost.bytes_sent == Approx(2.0 * n * c.bytes).epsilon(1e-15).margin(0));
  }
}

TEST_CASE("each collective's phases tile its duration exactly", "[sim][collectives]") {
  for (const auto& info : sgdsim::collective_catalog()) {
    SECTION(info.name) {
      const auto collective = sgdsim::make_collective(info.name);
      for (const CostCase& c : kCases) {
        INFO(describe(c));
        const auto cost = collective->cost(c.workers, c.bytes, link_of(c));
        CHECK_FALSE(cost.phases.empty());
        CHECK(sum_of_phases(cost) == cost.duration);
        for (const auto& phase : cost.phases) {
          CHECK_FALSE(phase.name.empty());
          CHECK(phase.duration >= SimTime::zero());
        }
      }
    }
  }
}

TEST_CASE("the closed-form helpers agree with hand-computed numbers", "[sim][collectives]") {
  Link link;
  link.latency = SimTime::from_ns(50'000);
  link.bytes_per_second = 1.25e9;
  // 8 workers, 1 MB: 14·50us + 14/8·0.8ms = 0.7ms + 1.4ms.
  CHECK(sgdsim::ring_allreduce_seconds(8, 1e6, link) == Approx(2.1e-3).epsilon(1e-12));
  // 2·(50us + 8·0.8ms) = 12.9ms.
  CHECK(sgdsim::parameter_server_seconds(8, 1e6, link) == Approx(12.9e-3).epsilon(1e-12));
}

TEST_CASE("with two or more workers the ring is faster than the parameter server",
          "[sim][collectives]") {
  const auto ring = sgdsim::make_collective("ring_allreduce");
  const auto server = sgdsim::make_collective("parameter_server");
  Link link;
  for (int n = 2; n <= 128; n *= 2) {
    INFO("N=" << n);
    CHECK(ring->cost(n, 1e7, link).duration < server->cost(n, 1e7, link).duration);
  }
}

TEST_CASE("make_collective rejects an unknown name, listing the known ones", "[sim][collectives]") {
  try {
    (void)sgdsim::make_collective("x");
    FAIL("make_collective(\"x\") did not throw");
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    CHECK_THAT(message, Catch::Contains("'x'"));
    for (const auto& info : sgdsim::collective_catalog()) {
      CHECK_THAT(message, Catch::Contains(info.name));
    }
    CHECK_THAT(message, Catch::Contains("ring_allreduce"));
    CHECK_THAT(message, Catch::Contains("parameter_server"));
  }
}

TEST_CASE("every catalogued collective can be made and has a description", "[sim][collectives]") {
  REQUIRE(sgdsim::collective_catalog().size() >= 2);
  for (const auto& info : sgdsim::collective_catalog()) {
    INFO(info.name);
    CHECK_FALSE(info.description.empty());
    CHECK(sgdsim::make_collective(info.name) != nullptr);
  }
}
