// random_subset: distinct samples in their original order, fixed by the seed, every sample equally
// likely.
#include <catch2/catch.hpp>

#include <set>
#include <vector>

#include "models/data/random_subset.hpp"

namespace {

// Sample i has the single feature i and the target 2i, so a column names its source.
sgdsim::Dataset<double> numbered(Eigen::Index n) {
  sgdsim::Dataset<double> data;
  data.features.resize(1, n);
  data.targets.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    data.features(0, i) = static_cast<double>(i);
    data.targets[i] = 2.0 * static_cast<double>(i);
  }
  data.num_classes = 0;
  return data;
}

std::vector<int> sources(const sgdsim::Dataset<double>& subset) {
  std::vector<int> out;
  for (Eigen::Index j = 0; j < subset.num_samples(); ++j) {
    out.push_back(static_cast<int>(subset.features(0, j)));
  }
  return out;
}

}  // namespace

TEST_CASE("random_subset keeps whole samples, distinct and in their original order", "[subset]") {
  const auto data = numbered(50);
  const auto subset = sgdsim::random_subset(data, 20, 11);
  REQUIRE(subset.num_samples() == 20);
  const auto chosen = sources(subset);
  CHECK(std::set<int>(chosen.begin(), chosen.end()).size() == 20);
  CHECK(std::is_sorted(chosen.begin(), chosen.end()));
  for (Eigen::Index j = 0; j < subset.num_samples(); ++j) {
    CHECK(subset.targets[j] == 2.0 * subset.features(0, j));
  }
}

TEST_CASE("random_subset is fixed by its seed", "[subset]") {
  const auto data = numbered(200);
  CHECK(sources(sgdsim::random_subset(data, 30, 5)) == sources(sgdsim::random_subset(data, 30, 5)));
  CHECK(sources(sgdsim::random_subset(data, 30, 5)) != sources(sgdsim::random_subset(data, 30, 6)));
}

TEST_CASE("random_subset of at least n samples is the whole set", "[subset]") {
  const auto data = numbered(7);
  CHECK(sources(sgdsim::random_subset(data, 7, 1)) == std::vector<int>{0, 1, 2, 3, 4, 5, 6});
  CHECK(sources(sgdsim::random_subset(data, 100, 1)).size() == 7);
}

TEST_CASE("random_subset picks every sample with probability k/n", "[subset]") {
  const int n = 20, k = 5, trials = 8000;
  const auto data = numbered(n);
  std::vector<int> times(n, 0);
  for (int t = 0; t < trials; ++t) {
    for (int i : sources(sgdsim::random_subset(data, k, static_cast<std::uint64_t>(t)))) ++times[i];
  }
  // Expected 2000 each, binomial sd = sqrt(8000 · 0.25 · 0.75) ≈ 39: 5 sd is 194.
  for (int i = 0; i < n; ++i) {
    INFO("sample " << i);
    CHECK(std::abs(times[i] - trials * k / n) < 194);
  }
}
