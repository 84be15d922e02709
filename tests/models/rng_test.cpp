// The random streams: a UniformRng (the batch samplers') draws what an Rng of the same seed draws,
// so that samplers keep their batches whichever of the two they hold.
#include "models/rng.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <numeric>
#include <vector>

TEST_CASE("a UniformRng's draws are an Rng's of the same seed", "[models][rng]") {
  for (const std::uint64_t seed :
       {std::uint64_t{0}, std::uint64_t{1}, sgdsim::derive_seed(7, "batches", 3)}) {
    sgdsim::UniformRng uniform(seed);
    sgdsim::Rng full(seed);
    for (int i = 0; i < 1000; ++i) REQUIRE(uniform.next_u64() == full.next_u64());
    CHECK(uniform.uniform_index(1000003) == full.uniform_index(1000003));
    std::vector<int> a(257), b(257);
    std::iota(a.begin(), a.end(), 0);
    std::iota(b.begin(), b.end(), 0);
    uniform.shuffle(a.begin(), a.end());
    full.shuffle(b.begin(), b.end());
    CHECK(a == b);
  }
  CHECK(sizeof(sgdsim::UniformRng) == 32);  // what a batch sampler per worker costs
}
