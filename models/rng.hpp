// Portable, seedable random streams. Every random draw in sgdsim comes from an Rng whose seed is
// derived from the scenario seed, a stream name and an index, so results are bit-identical across
// runs and standard libraries (std:: distributions are implementation-defined, so we avoid them).
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>
#include <utility>

namespace sgdsim {

constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Seed of the independent stream `stream`/`index` (e.g. "batches", worker 3) of a scenario seed.
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::string_view stream,
                                    std::uint64_t index = 0) {
  std::uint64_t hash = 0xCBF29CE484222325ULL;  // FNV-1a of the stream name
  for (char c : stream) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
  }
  std::uint64_t state = seed ^ hash;
  splitmix64(state);
  state ^= index * 0xD1B54A32D192ED03ULL;
  return splitmix64(state);
}

// xoshiro256** (Blackman & Vigna), seeded through splitmix64: uniform draws only, in 32 bytes
// (each worker's batch sampler keeps one; a run of 10⁶ workers, 10⁶).
class UniformRng {
 public:
  explicit UniformRng(std::uint64_t seed) {
    for (auto& word : state_) word = splitmix64(seed);
  }

  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  // Uniform in (0, 1]: safe to take the logarithm of.
  double uniform_open_zero() { return 1.0 - uniform(); }

  // Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject).
  std::uint64_t uniform_index(std::uint64_t n) {
    __extension__ using uint128 = unsigned __int128;
    uint128 m = static_cast<uint128>(next_u64()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = -n % n;
      while (low < threshold) {
        m = static_cast<uint128>(next_u64()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  // Fisher–Yates shuffle.
  template <class RandomIt>
  void shuffle(RandomIt first, RandomIt last) {
    const auto n = static_cast<std::uint64_t>(last - first);
    for (std::uint64_t i = n; i > 1; --i) {
      using std::swap;
      swap(first[i - 1], first[uniform_index(i)]);
    }
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t state_[4];
};

// The same stream with standard normals too: the polar method draws them in pairs and keeps the
// second for the next call, which is the 16 bytes a UniformRng saves.
class Rng : public UniformRng {
 public:
  using UniformRng::UniformRng;

  // Standard normal (Marsaglia polar method).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
  }

 private:
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace sgdsim
